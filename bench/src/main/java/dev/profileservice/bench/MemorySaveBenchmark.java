package dev.profileservice.bench;

import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The engine's cost of saving, through the public API on the in-memory backend (so the store costs
 * next to nothing and what is left is the library): a whole session (load, edit, release), and one
 * edit followed by {@code save()} until that save has reached the store. Single-threaded.
 */
public class MemorySaveBenchmark extends MicroBenchmark {

    /** Size of the profile data (plain JSON). */
    @Param({"2048", "102400"})
    public int bytes;

    private CountingBackend backend;
    private ProfileStore<Map<String, Object>> store;
    private Profile<Map<String, Object>> active;
    private long n;

    @Setup(Level.Trial)
    public void setUp(InMemoryService memory) {
        backend = memory.backend();
        store = memory.service().getProfileStore("Jmh", Payloads.profile(bytes));
        active = store.loadProfile("active").orElseThrow();
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
