package dev.profileservice.cli.internal.sim;

import dev.profileservice.GlobalUpdates;
import dev.profileservice.ProfileStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The admin's gifts: {@code globalUpdateProfile} + {@code addActiveUpdate} with a unique gift id and
 * some coins, to a random player outside the rollback cohort ({@link PlayerDriver#giftKeys()}), online or not. Each gift is recorded in the {@link SimHistory}
 * when sent and again when the store acknowledged it (or failed).
 *
 * <p>Threads: {@link #send} and {@link #storm} are called on the driving thread; the store calls
 * block, so they run on a pool of four daemon threads ({@code sim-gift}), and the storm's on
 * sixteen more ({@code sim-storm}); they take the simulation lock to record the outcome.
 */
final class GiftSender {
    private final SimContext sim;
    private final ProfileStore<SimPlayerData> store;
    private final String runId;
    private final List<String> keys;
    private final PlayerDriver players;
    /** The senders of the storm phase. */
    static final int STORM_THREADS = 16;

    private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> Daemons.thread(r, "sim-gift"));
    private final ExecutorService stormPool =
            Executors.newFixedThreadPool(STORM_THREADS, r -> Daemons.thread(r, "sim-storm"));

    GiftSender(SimContext sim, ProfileStore<SimPlayerData> store, String runId, PlayerDriver players) {
        this.sim = sim;
        this.store = store;
        this.runId = runId;
        this.keys = players.giftKeys();
        this.players = players;
    }

    /** Sends one gift to a random player (never one of the rollback cohort) in the background. Takes the lock. */
    void send() {
        String key;
        synchronized (sim.lock()) {
            key = keys.get(sim.rnd().nextInt(keys.size()));
        }
        pool.execute(sender(key));
    }

    /**
     * Starts the storm: {@code gifts} gifts to {@code key} from {@link #STORM_THREADS} threads at
     * once, spread over {@code window} so that the player changes servers while they arrive.
     * Returns at once; {@link SimHistory.Storm#endedAt} is set when the last send returned. Takes
     * the lock.
     */
    void storm(String key, int gifts, Duration window, long now) {
        SimHistory.Storm storm;
        synchronized (sim.lock()) {
            storm = new SimHistory.Storm(key, gifts, now);
            sim.history().storm = storm;
        }
        java.util.concurrent.atomic.AtomicInteger remaining =
                new java.util.concurrent.atomic.AtomicInteger(STORM_THREADS);
        long pauseNanos = window.toNanos() * STORM_THREADS / Math.max(1, gifts);
        for (int t = 0; t < STORM_THREADS; t++) {
            int share = gifts / STORM_THREADS + (t < gifts % STORM_THREADS ? 1 : 0);
            stormPool.execute(() -> {
                for (int i = 0; i < share && !Thread.currentThread().isInterrupted(); i++) {
                    sender(key).run();
                    java.util.concurrent.locks.LockSupport.parkNanos(pauseNanos); // pacing, not synchronisation
                }
                if (remaining.decrementAndGet() == 0) {
                    synchronized (sim.lock()) {
                        storm.endedAt = System.currentTimeMillis();
                    }
                }
            });
        }
    }

    /** A send of one gift to {@code key}: recorded when created, and again with its outcome. */
    private Runnable sender(String key) {
        SimHistory.Gift gift;
        int coins;
        synchronized (sim.lock()) {
            gift = new SimHistory.Gift("g-" + runId + "-" + (sim.history().gifts.size() + 1), key);
            sim.history().gifts.put(gift.id, gift);
            coins = 1 + sim.rnd().nextInt(100);
        }
        return () -> {
            boolean acked;
            String error = null;
            try {
                Optional<GlobalUpdates> r = store.globalUpdateProfile(
                        gift.key, updates -> updates.addActiveUpdate(Map.of("giftId", gift.id, "coins", coins)));
                acked = r.isPresent();
            } catch (RuntimeException e) {
                acked = false;
                error = String.valueOf(e);
            }
            synchronized (sim.lock()) {
                gift.acked = acked;
                gift.error = error;
                gift.ackedAt = System.currentTimeMillis();
                gift.ownerOnline = acked && players.isOnline(gift.key); // its delivery time is then measured
                SimHistory.Storm storm = sim.history().stormRunningFor(gift.key);
                if (!acked && storm != null) {
                    storm.failed++;
                }
            }
        };
    }

    /** Sends no more and waits up to a minute for the gifts under way. */
    void finish() throws InterruptedException {
        pool.shutdown();
        stormPool.shutdown();
        pool.awaitTermination(60, TimeUnit.SECONDS);
        stormPool.awaitTermination(60, TimeUnit.SECONDS);
    }

    /** Abandons the gifts under way (the run ended early or failed). */
    void abandon() {
        pool.shutdownNow();
        stormPool.shutdownNow();
    }
}
