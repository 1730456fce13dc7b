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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The global-update bookkeeping on the in-memory backend, through the public API: one gift's whole
 * cycle. A sender's {@code globalUpdateProfile} (durable), the owner's {@code listenToNewActiveUpdate}
 * locks it and asks for a save, the save moves it to Locked, {@code listenToNewLockedUpdate} applies
 * it to the data and clears it, and one more save (which carries the clear) reaches the store.
 * Single-threaded sender; the engine's own threads do the rest.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class GlobalUpdateBenchmark {

    private ProfileService service;
    private CountingBackend backend;
    private ProfileStore<Map<String, Object>> store;
    private Profile<Map<String, Object>> owner;
    /** The saved-count at the moment each clear was requested. */
    private final LinkedBlockingQueue<Long> cleared = new LinkedBlockingQueue<>();
    private long n;

    @Setup(Level.Trial)
    public void setUp() {
        backend = new CountingBackend(Backends.open("memory:"));
        service = ProfileService.builder().backend(backend).placeId("jmh").build();
        store = service.getProfileStore("JmhGifts", Payloads.profile(2048));
        owner = store.loadProfile("owner").orElseThrow();
        owner.getGlobalUpdates().listenToNewActiveUpdate((id, data) -> {
            owner.getGlobalUpdates().lockActiveUpdate(id);
            owner.save();
        });
        owner.getGlobalUpdates().listenToNewLockedUpdate((id, data) -> {
            owner.edit(d -> {
                d.put("coins", ((Number) d.get("coins")).longValue() + ((Number) data.get("coins")).longValue());
                owner.getGlobalUpdates().clearLockedUpdate(id);
            });
            long savedBefore = backend.savedOk();
            owner.save();
            cleared.add(savedBefore);
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        service.close();
    }

    /** Send one gift and wait until it is applied, cleared, and a save after the clear completed. */
    @Benchmark
    public long sendLockClear() throws InterruptedException {
        long v = ++n;
        store.globalUpdateProfile("owner", u -> u.addActiveUpdate(Map.of("coins", 1, "n", v))).orElseThrow();
        Long savedBefore = cleared.poll(30, TimeUnit.SECONDS);
        if (savedBefore == null) {
            throw new IllegalStateException("gift " + v + " was not locked and cleared within 30 s");
        }
        while (backend.savedOk() <= savedBefore) {
            Thread.onSpinWait();
        }
        return v;
    }
}
