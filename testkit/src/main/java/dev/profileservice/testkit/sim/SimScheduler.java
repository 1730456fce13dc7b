package dev.profileservice.testkit.sim;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A process's scheduler in virtual time: every timer is a {@link SimWorld.Timer}, run on the
 * simulation's thread when the world's time reaches it. Futures never block: {@code get()} on one
 * that has not run is a bug of the caller in a single-threaded world and throws.
 */
final class SimScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final SimWorld world;
    private final SimProcess process;
    private boolean shutdown;

    SimScheduler(SimWorld world, SimProcess process) {
        this.world = world;
        this.process = process;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return start(
                new Job<>(
                        () -> {
                            command.run();
                            return null;
                        },
                        0,
                        false),
                unit.toMillis(delay));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return start(new Job<>(callable, 0, false), unit.toMillis(delay));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return start(periodic(command, unit.toMillis(period), true), unit.toMillis(initialDelay));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return start(periodic(command, unit.toMillis(delay), false), unit.toMillis(initialDelay));
    }

    private Job<Object> periodic(Runnable command, long periodMillis, boolean fixedRate) {
        if (periodMillis <= 0) {
            throw new IllegalArgumentException("period must be positive, was " + periodMillis + " ms");
        }
        return new Job<>(
                () -> {
                    command.run();
                    return null;
                },
                periodMillis,
                fixedRate);
    }

    private <V> Job<V> start(Job<V> job, long delayMillis) {
        if (shutdown) {
            throw new RejectedExecutionException("scheduler of " + process + " is shut down");
        }
        job.arm(world.now() + Math.max(0, delayMillis));
        return job;
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.MILLISECONDS);
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return shutdown;
    }

    /** One scheduled body: once, or again every period until cancelled. */
    private final class Job<V> implements ScheduledFuture<V> {
        private final Callable<V> body;
        private final long periodMillis;
        private final boolean fixedRate;
        private SimWorld.Timer timer;
        private boolean cancelled;
        private boolean done;
        private V result;
        private Throwable failure;

        Job(Callable<V> body, long periodMillis, boolean fixedRate) {
            this.body = body;
            this.periodMillis = periodMillis;
            this.fixedRate = fixedRate;
        }

        void arm(long due) {
            timer = world.schedule(process, due - world.now(), this::fire);
        }

        private void fire() {
            if (cancelled || done) {
                return;
            }
            long due = timer.due();
            try {
                V v = body.call();
                if (periodMillis == 0) {
                    result = v;
                    done = true;
                    return;
                }
            } catch (Exception e) {
                failure = e;
                done = true; // a periodic task that throws stops, as in the JDK
                return;
            }
            if (!cancelled && !shutdown) {
                arm(fixedRate ? due + periodMillis : world.now() + periodMillis);
            }
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(timer.due() - world.now(), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.MILLISECONDS), other.getDelay(TimeUnit.MILLISECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (done || cancelled) {
                return false;
            }
            cancelled = true;
            world.cancel(timer);
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return done || cancelled;
        }

        @Override
        public V get() throws ExecutionException {
            if (cancelled) {
                throw new CancellationException();
            }
            if (!done) {
                throw new IllegalStateException("get() on a timer that has not run: it would block the simulation");
            }
            if (failure != null) {
                throw new ExecutionException(failure);
            }
            return result;
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws ExecutionException {
            return get();
        }
    }
}
