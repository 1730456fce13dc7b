package dev.profileservice.bench;

import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.spi.Backends;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The engine's cost of saving, through the public API on the in-memory backend (so the store costs
 * next to nothing and what is left is the library): a whole session (load, edit, release), and one
 * edit followed by {@code save()} until that save has reached the store. Single-threaded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class MemorySaveBenchmark {

    /** Size of the profile data (plain JSON). */
    @Param({"2048", "102400"})
    public int bytes;

    private ProfileService service;
    private CountingBackend backend;
    private ProfileStore<Map<String, Object>> store;
    private Profile<Map<String, Object>> active;
    private long n;

    @Setup(Level.Trial)
    public void setUp() {
        backend = new CountingBackend(Backends.open("memory:"));
        service = ProfileService.builder().backend(backend).placeId("jmh").build();
        store = service.getProfileStore("Jmh", Payloads.profile(bytes));
        active = store.loadProfile("active").orElseThrow();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        service.close();
    }

    /** Load an unowned profile, edit it, release it (final save + unlock). */
    @Benchmark
    public long loadEditRelease() {
        Profile<Map<String, Object>> p = store.loadProfile("session").orElseThrow();
        long v = ++n;
        p.edit(d -> d.put("coins", v));
        p.release();
        return v;
    }

    /** Edit an active profile and {@code save()}, until the store has taken one more save. */
    @Benchmark
    public long editAndSave() {
        long before = backend.savedOk();
        long v = ++n;
        active.edit(d -> d.put("coins", v));
        active.save();
        while (backend.savedOk() == before) {
            Thread.onSpinWait();
        }
        return v;
    }
}
