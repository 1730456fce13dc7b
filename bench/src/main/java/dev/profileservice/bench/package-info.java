/**
 * Benchmarks of ProfileService for Java. Not API.
 *
 * <ul>
 *   <li>JMH micro-benchmarks of the engine's own cost ({@link dev.profileservice.bench.CodecBenchmark},
 *       {@link dev.profileservice.bench.MemorySaveBenchmark},
 *       {@link dev.profileservice.bench.GlobalUpdateBenchmark}): run {@code java -jar bench/target/benchmarks.jar}.</li>
 *   <li>The macro benchmark {@link dev.profileservice.bench.MacroBench}: every figure against each real
 *       backend beside a hand-written raw baseline on the same driver ({@link dev.profileservice.bench.RawStore}).
 *       Per backend, {@code BackendBench} runs one class per measurement (a {@code MacroMeasurement}:
 *       load and release, save throughput, heap per profile, hand-over and gifts, dead-owner steal,
 *       idle writes) over a shared {@code BackendRun}, and {@code BackendReport} writes the table.</li>
 * </ul>
 * {@code bench/run.sh --quick} (CI) or {@code bench/run.sh --full} runs both.
 */
package dev.profileservice.bench;
