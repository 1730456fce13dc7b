package dev.profileservice.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A manual clock and scheduler for tests: time stands still until the test moves it with
 * {@link #advance(Duration)}, and scheduled tasks run only then, on the thread that advances.
 * Pass {@link #clock()} and {@link #scheduler()} to {@code ProfileService.builder()} and the lease,
 * auto-save, retry and steal paths run in milliseconds of real time.
 *
 * <pre>{@code
 * VirtualTime vt = VirtualTime.startingAt(Instant.parse("2030-01-01T00:00:00Z"));
 * ProfileService service = ProfileService.builder().clock(vt.clock()).scheduler(vt.scheduler()).build();
 * vt.advance(Duration.ofSeconds(30));   // runs the auto-saves that fall due
 * }</pre>
 *
 * <h2>Semantics</h2>
 * <ul>
 *   <li>A task scheduled with delay {@code d} falls due at {@code now() + d}. A zero (or negative)
 *       delay, and {@code execute}/{@code submit}, make a task due at once: it runs at the next
 *       {@link #advance} or {@link #runDueTasks()}, never inside the call that scheduled it.</li>
 *   <li>{@link #advance} moves time forward step by step: it repeatedly takes the earliest task due
 *       within the window, sets the clock to that task's due time, runs it, and finally sets the
 *       clock to the end of the window. Tasks scheduled by running tasks (or by other threads
 *       meanwhile) that fall within the window run too. Ties run in the order they were scheduled.</li>
 *   <li>Periodic tasks re-arm after each run: fixed rate at {@code previousDue + period}, fixed delay
 *       at {@code now() + delay}. A task that throws is not re-armed; its exception completes its
 *       future and is recorded in {@link #taskFailures()}.</li>
 *   <li>{@link ScheduledFuture#cancel} removes the task. {@code shutdown()} rejects new tasks and
 *       drops periodic ones; already scheduled one-shot tasks still run when time advances.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Thread-safe: any thread may schedule, cancel or read the clock while another advances. Tasks run
 * on the thread calling {@link #advance}/{@link #runDueTasks()}; calls to those two are serialised
 * (one runner at a time; re-entrant from inside a task). Blocking {@code get()} on a returned future,
 * or {@code invokeAll}/{@code invokeAny}, waits in real time for another thread to advance.
 */
public final class VirtualTime {

    /** Upper bound on tasks run by one advance/runDueTasks, to turn a runaway loop into an error. */
    private static final int MAX_TASKS_PER_CALL = 1_000_000;

    private final Instant origin;
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock runner = new ReentrantLock();
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private final VirtualClock clock;
    private final Scheduler scheduler = new Scheduler();
    private volatile long nowNanos;
    private volatile boolean shutdown;

    private VirtualTime(Instant origin) {
        this.origin = origin;
        this.clock = new VirtualClock(ZoneOffset.UTC);
    }

    /** A virtual time whose clock reads {@code start} until advanced. */
    public static VirtualTime startingAt(Instant start) {
        return new VirtualTime(Objects.requireNonNull(start, "start"));
    }

    /** A virtual time starting at 2030-01-01T00:00:00Z. */
    public static VirtualTime create() {
        return startingAt(Instant.parse("2030-01-01T00:00:00Z"));
    }

    /** A clock (zone UTC) reading the virtual time. {@code withZone} views share the same time. */
    public Clock clock() {
        return clock;
    }

    /** The scheduler driven by this virtual time (the same object on every call). */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** The current virtual instant. */
    public Instant now() {
        return origin.plusNanos(nowNanos);
    }

    /**
     * Moves time forward by {@code duration}, running every task that falls due in due-time order
     * on the calling thread (see the class description).
     *
     * @return the number of task runs
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public int advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("cannot advance time by a negative duration: " + duration);
        }
        runner.lock();
        try {
            long target = Math.addExact(nowNanos, duration.toNanos());
            int ran = runUntil(target);
            lock.lock();
            try {
                if (nowNanos < target) {
                    nowNanos = target;
                }
            } finally {
                lock.unlock();
            }
            return ran;
        } finally {
            runner.unlock();
        }
    }

    /** {@code advance(Duration.ofMillis(millis))}. */
    public int advanceMillis(long millis) {
        return advance(Duration.ofMillis(millis));
    }

    /**
     * Runs every task due at the current instant (including zero-delay tasks scheduled by those
     * tasks) without moving the clock.
     *
     * @return the number of task runs
     */
    public int runDueTasks() {
        runner.lock();
        try {
            return runUntil(nowNanos);
        } finally {
            runner.unlock();
        }
    }

    /** Tasks scheduled and not yet run (periodic tasks count once), excluding cancelled ones. */
    public int pendingTasks() {
        lock.lock();
        try {
            int n = 0;
            for (Task<?> t : queue) {
                if (!t.isCancelled()) {
                    n++;
                }
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** When the earliest pending task falls due, or null if none is pending. */
    public Instant nextDueTime() {
        lock.lock();
        try {
            Task<?> head = queue.peek();
            return head == null ? null : origin.plusNanos(head.dueNanos);
        } finally {
            lock.unlock();
        }
    }

    /** Exceptions thrown by tasks so far (tasks swallow them like a {@code ScheduledThreadPoolExecutor} would). */
    public List<Throwable> taskFailures() {
        return Collections.unmodifiableList(new ArrayList<>(failures));
    }

    private int runUntil(long target) {
        int ran = 0;
        while (true) {
            Task<?> task;
            lock.lock();
            try {
                task = queue.peek();
                if (task == null || task.dueNanos > target) {
                    return ran;
                }
                queue.poll();
                if (task.dueNanos > nowNanos) {
                    nowNanos = task.dueNanos;
                }
            } finally {
                lock.unlock();
            }
            if (++ran > MAX_TASKS_PER_CALL) {
                throw new IllegalStateException("more than " + MAX_TASKS_PER_CALL
                        + " tasks ran in one call: a task keeps rescheduling itself without delay");
            }
            task.runOnce();
        }
    }

    private <V> Task<V> enqueue(Task<V> task) {
        lock.lock();
        try {
            if (shutdown) {
                throw new RejectedExecutionException("VirtualTime scheduler is shut down");
            }
            queue.add(task);
        } finally {
            lock.unlock();
        }
        return task;
    }

    private void requeue(Task<?> task) {
        lock.lock();
        try {
            if (!shutdown && !task.isCancelled()) {
                queue.add(task);
            }
        } finally {
            lock.unlock();
        }
    }

    private void remove(Task<?> task) {
        lock.lock();
        try {
            queue.remove(task);
        } finally {
            lock.unlock();
        }
    }

    private long dueIn(long delay, TimeUnit unit) {
        long nanos = Math.max(0, unit.toNanos(delay));
        long now = nowNanos;
        long due = now + nanos;
        return due < now ? Long.MAX_VALUE : due;
    }

    /** A scheduled task; period 0 = one-shot, > 0 fixed rate, < 0 fixed delay (as in ScheduledThreadPoolExecutor). */
    private final class Task<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
        private final long seq = sequence.getAndIncrement();
        private final long period;
        private volatile long dueNanos;

        Task(Callable<V> callable, long dueNanos) {
            super(callable);
            this.dueNanos = dueNanos;
            this.period = 0;
        }

        Task(Runnable runnable, long dueNanos, long period) {
            super(runnable, null);
            this.dueNanos = dueNanos;
            this.period = period;
        }

        @Override
        public boolean isPeriodic() {
            return period != 0;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - nowNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            if (other == this) {
                return 0;
            }
            if (other instanceof Task<?> t) {
                int c = Long.compare(dueNanos, t.dueNanos);
                return c != 0 ? c : Long.compare(seq, t.seq);
            }
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        void runOnce() {
            if (isCancelled()) {
                return;
            }
            if (!isPeriodic()) {
                super.run();
            } else if (super.runAndReset()) {
                dueNanos = period > 0 ? dueNanos + period : nowNanos - period;
                requeue(this);
            }
        }

        @Override
        public void run() {
            runOnce();
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            remove(this);
            return cancelled;
        }

        void cancelQuietly() {
            super.cancel(false);
        }

        @Override
        protected void setException(Throwable t) {
            failures.add(t);
            super.setException(t);
        }
    }

    private final class Scheduler extends AbstractExecutorService implements ScheduledExecutorService {

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(unit, "unit");
            return enqueue(new Task<>(command, dueIn(delay, unit), 0));
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            Objects.requireNonNull(callable, "callable");
            Objects.requireNonNull(unit, "unit");
            return enqueue(new Task<>(callable, dueIn(delay, unit)));
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            Objects.requireNonNull(command, "command");
            if (period <= 0) {
                throw new IllegalArgumentException("period must be positive, was " + period);
            }
            return enqueue(new Task<>(command, dueIn(initialDelay, unit), unit.toNanos(period)));
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(
                Runnable command, long initialDelay, long delay, TimeUnit unit) {
            Objects.requireNonNull(command, "command");
            if (delay <= 0) {
                throw new IllegalArgumentException("delay must be positive, was " + delay);
            }
            return enqueue(new Task<>(command, dueIn(initialDelay, unit), -unit.toNanos(delay)));
        }

        @Override
        public void execute(Runnable command) {
            schedule(command, 0, TimeUnit.NANOSECONDS);
        }

        @Override
        public java.util.concurrent.Future<?> submit(Runnable task) {
            return schedule(task, 0, TimeUnit.NANOSECONDS);
        }

        @Override
        public <T> java.util.concurrent.Future<T> submit(Runnable task, T result) {
            return schedule(Executors.callable(Objects.requireNonNull(task, "task"), result), 0, TimeUnit.NANOSECONDS);
        }

        @Override
        public <T> java.util.concurrent.Future<T> submit(Callable<T> task) {
            return schedule(task, 0, TimeUnit.NANOSECONDS);
        }

        @Override
        public void shutdown() {
            lock.lock();
            try {
                shutdown = true;
                queue.removeIf(t -> {
                    if (t.isPeriodic()) {
                        t.cancelQuietly();
                        return true;
                    }
                    return false;
                });
            } finally {
                lock.unlock();
            }
        }

        @Override
        public List<Runnable> shutdownNow() {
            lock.lock();
            try {
                shutdown = true;
                List<Runnable> pending = new ArrayList<>(queue);
                queue.clear();
                pending.forEach(r -> ((Task<?>) r).cancelQuietly());
                return pending;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            lock.lock();
            try {
                return shutdown && queue.isEmpty();
            } finally {
                lock.unlock();
            }
        }

        /** Waits in real time until shut down with no task left (another thread must advance). */
        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            while (!isTerminated()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(5)));
            }
            return true;
        }

        @Override
        public String toString() {
            return "VirtualTime.scheduler[now=" + now() + ", pending=" + pendingTasks() + "]";
        }
    }

    private final class VirtualClock extends Clock {
        private final ZoneId zone;

        VirtualClock(ZoneId zone) {
            this.zone = zone;
        }

        @Override
        public ZoneId getZone() {
            return zone;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return new VirtualClock(zone);
        }

        @Override
        public Instant instant() {
            return now();
        }

        @Override
        public long millis() {
            return now().toEpochMilli();
        }

        @Override
        public String toString() {
            return "VirtualTime.clock[" + now() + "]";
        }
    }

    @Override
    public String toString() {
        return "VirtualTime[now=" + now() + ", pending=" + pendingTasks() + "]";
    }
}
