package dev.profileservice.cli.internal.sim;

import dev.profileservice.GlobalUpdates;
import dev.profileservice.ProfileStore;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The admin's gifts: {@code globalUpdateProfile} + {@code addActiveUpdate} with a unique gift id and
 * some coins, to a random player, online or not. Each gift is recorded in the {@link SimHistory}
 * when sent and again when the store acknowledged it (or failed).
 *
 * <p>Threads: {@link #send} is called on the driving thread; the store calls block, so they run on
 * a pool of four daemon threads ({@code sim-gift}), which take the simulation lock to record the
 * outcome.
 */
final class GiftSender {
    private final Object lock;
    private final ProfileStore<SimPlayerData> store;
    private final SimHistory history;
    private final Random rnd;
    private final String runId;
    private final List<String> keys;
    private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "sim-gift");
        t.setDaemon(true);
        return t;
    });

    GiftSender(Object lock, ProfileStore<SimPlayerData> store, SimHistory history, Random rnd, String runId, List<String> keys) {
        this.lock = lock;
        this.store = store;
        this.history = history;
        this.rnd = rnd;
        this.runId = runId;
        this.keys = keys;
    }

    /** Sends one gift in the background. Takes the lock. */
    void send() {
        SimHistory.Gift gift;
        int coins;
        synchronized (lock) {
            gift = new SimHistory.Gift("g-" + runId + "-" + (history.gifts.size() + 1), keys.get(rnd.nextInt(keys.size())));
            history.gifts.put(gift.id, gift);
            coins = 1 + rnd.nextInt(100);
        }
        pool.execute(() -> {
            boolean acked;
            String error = null;
            try {
                Optional<GlobalUpdates> r = store.globalUpdateProfile(gift.key,
                        updates -> updates.addActiveUpdate(Map.of("giftId", gift.id, "coins", coins)));
                acked = r.isPresent();
            } catch (RuntimeException e) {
                acked = false;
                error = String.valueOf(e);
            }
            synchronized (lock) {
                gift.acked = acked;
                gift.error = error;
            }
        });
    }

    /** Sends no more and waits up to a minute for the gifts under way. */
    void finish() throws InterruptedException {
        pool.shutdown();
        pool.awaitTermination(60, TimeUnit.SECONDS);
    }

    /** Abandons the gifts under way (the run ended early or failed). */
    void abandon() {
        pool.shutdownNow();
    }
}
