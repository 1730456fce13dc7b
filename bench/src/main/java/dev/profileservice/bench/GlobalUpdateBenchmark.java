package dev.profileservice.bench;

import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * The global-update bookkeeping on the in-memory backend, through the public API: one gift's whole
 * cycle. A sender's {@code globalUpdateProfile} (durable), the owner's {@code listenToNewActiveUpdate}
 * locks it and asks for a save, the save moves it to Locked, {@code listenToNewLockedUpdate} applies
 * it to the data and clears it, and one more save (which carries the clear) reaches the store.
 * Single-threaded sender; the engine's own threads do the rest.
 */
public class GlobalUpdateBenchmark extends MicroBenchmark {

    private CountingBackend backend;
    private ProfileStore<Map<String, Object>> store;
    private Profile<Map<String, Object>> owner;
    /** The saved-count at the moment each locked update reached the listener (before its clear). */
    private final LinkedBlockingQueue<Long> cleared = new LinkedBlockingQueue<>();

    private long n;

    @Setup(Level.Trial)
    public void setUp(InMemoryService memory) {
        backend = memory.backend();
        store = memory.service().getProfileStore("JmhGifts", Payloads.profile(2048));
        owner = store.loadProfile("owner").orElseThrow();
        owner.getGlobalUpdates().listenToNewActiveUpdate((id, data) -> {
            owner.getGlobalUpdates().lockActiveUpdate(id);
            owner.save();
        });
        owner.getGlobalUpdates().listenToNewLockedUpdate((id, data) -> {
            long savedBefore = backend.savedOk();
            owner.edit(d -> {
                d.put("coins", ((Number) d.get("coins")).longValue() + ((Number) data.get("coins")).longValue());
                owner.getGlobalUpdates().clearLockedUpdate(id);
            });
            owner.save();
            cleared.add(savedBefore);
        });
    }

    private static boolean clearedIn(byte[] payload) {
        return payload != null
                && new String(payload, java.nio.charset.StandardCharsets.UTF_8).contains("\"locked\":[]");
    }

    /** Send one gift and wait until it is applied, cleared, and a save after the clear completed. */
    @Benchmark
    public long sendLockClear() throws InterruptedException {
        long v = ++n;
        store.globalUpdateProfile("owner", u -> u.addActiveUpdate(Map.of("coins", 1, "n", v)))
                .orElseThrow();
        Long savedBefore = cleared.poll(30, TimeUnit.SECONDS);
        if (savedBefore == null) {
            throw new IllegalStateException("gift " + v + " was not locked and cleared within 30 s");
        }
        // Done when a save that finished after the lock carries no locked update: that one has the clear.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (backend.savedOk() <= savedBefore || !clearedIn(backend.lastPayload())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the clear of gift " + v + " was not saved within 30 s");
            }
            Thread.onSpinWait();
        }
        return v;
    }
}
