package dev.profileservice.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on an underlying executor: how listeners of one
 * profile (or one signal) never run concurrently whatever executor the user gave. A task that throws
 * is logged and does not stop the ones after it.
 */
final class SerialExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

    private final Executor underlying;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>(2); // small: one per profile, usually idle
    private boolean running;

    SerialExecutor(Executor underlying) {
        this.underlying = underlying;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (queue) {
            queue.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        try {
            underlying.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // the executor was shut down (service closed): drop what is queued
            synchronized (queue) {
                queue.clear();
                running = false;
            }
            LOG.debug("listener executor rejected a task; dropped", e);
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (queue) {
                next = queue.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException | Error e) {
                LOG.error("ProfileService listener threw", e);
            }
        }
    }
}
