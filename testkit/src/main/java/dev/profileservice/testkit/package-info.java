/**
 * The ProfileService testkit: what a backend author (and the project's own modules) use to prove a
 * backend correct.
 *
 * <ul>
 *   <li>{@link dev.profileservice.testkit.BackendContractTest}: the executable contract of the
 *       backend SPI, one test per rule of {@link dev.profileservice.spi.Backend}'s javadoc, plus a
 *       concurrent fuzz of acquire/steal/save/release.</li>
 *   <li>{@link dev.profileservice.testkit.ProfileServiceConformanceTest}: the public API end to end
 *       on the backend: every method, every guarantee, the races between servers, in virtual time.</li>
 *   <li>{@link dev.profileservice.testkit.MultiProcessHandOffTest}: separate JVMs handing one
 *       profile back and forth ({@link dev.profileservice.testkit.HandOffWorker},
 *       {@link dev.profileservice.testkit.MultiProcessHandOff}).</li>
 *   <li>Tools: {@link dev.profileservice.testkit.VirtualTime} (a manual clock and scheduler),
 *       {@link dev.profileservice.testkit.FaultInjectingBackend} (fail, pause, count backend calls,
 *       silence the bus), {@link dev.profileservice.testkit.TcpProxy} (cut a network connection).</li>
 * </ul>
 *
 * Subclass the abstract tests in your backend's test sources and implement their one abstract
 * method; see each class for what it expects.
 */
package dev.profileservice.testkit;
