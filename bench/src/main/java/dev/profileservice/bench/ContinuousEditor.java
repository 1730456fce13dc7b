package dev.profileservice.bench;

import static dev.profileservice.bench.Profiles.touch;

import dev.profileservice.Profile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps every profile dirty: edits each one every {@code pass}, on a thread of its own, so each
 * auto-save has something to write. Closing it stops the thread.
 */
final class ContinuousEditor implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    ContinuousEditor(List<Profile<Map<String, Object>>> profiles, Duration pass) {
        thread = new Thread(
                () -> {
                    long n = 0;
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        n++;
                        for (Profile<Map<String, Object>> p : profiles) {
                            if (p.isActive()) {
                                try {
                                    touch(p, n);
                                } catch (IllegalStateException released) {
                                    // released between isActive() and edit(): fine
                                }
                            }
                        }
                        long rest = pass.toNanos() - (System.nanoTime() - start);
                        if (rest > 0) {
                            LockSupport.parkNanos(rest);
                        }
                    }
                },
                "macrobench-editor");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        stop.set(true);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
