package dev.profileservice.testkit.sim;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * The one thread of a simulated run: virtual time, the work every simulated server has queued, and
 * the seeded random source that picks what happens next. Nothing here is thread-safe: the engine
 * under test only ever runs inside {@link #runOne} on the simulation's thread, because every
 * executor, scheduler and message delivery it was given queues into this world.
 *
 * <p>Ready tasks run in a random order, except that tasks of one FIFO lane (a server's listener
 * executor, like a game's main thread) run in the order they were queued. Timers become ready
 * when virtual time reaches them. A paused process keeps its tasks and timers until it resumes; a
 * crashed one loses them.
 */
final class SimWorld {
    final Random random;
    private final Trace trace;
    private long now;
    private long seq;
    private final List<Task> ready = new ArrayList<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(
            (a, b) -> a.due() != b.due() ? Long.compare(a.due(), b.due()) : Long.compare(a.seq(), b.seq()));
    private long tasksRun;

    SimWorld(long seed, Trace trace) {
        this.random = new Random(seed);
        this.trace = trace;
    }

    /** The store's time (virtual milliseconds since the epoch of the run). */
    long now() {
        return now;
    }

    /** A clock reading this world's time, {@code skewMillis} off (a host whose clock drifted). */
    Clock clock(long skewMillis) {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public long millis() {
                return now + skewMillis;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(millis());
            }
        };
    }

    Trace trace() {
        return trace;
    }

    long tasksRun() {
        return tasksRun;
    }

    /** Time passes inside a call (a slow store); timers that fall due wait for the next {@link #advanceTo}. */
    void sleep(long millis) {
        now += millis;
    }

    /** Queues {@code body} for {@code process}; {@code fifo} lanes keep their order. */
    void submit(SimProcess process, String lane, boolean fifo, Runnable body) {
        ready.add(new Task(process, lane, fifo, body, seq++));
    }

    Timer schedule(SimProcess process, long delayMillis, Runnable body) {
        Timer t = new Timer(process, now + Math.max(0, delayMillis), seq++, body);
        timers.add(t);
        return t;
    }

    void cancel(Timer t) {
        timers.remove(t);
    }

    /** Runs one ready task of a running process, chosen at random; false when none can run. */
    boolean runOne() {
        dropDead();
        List<Integer> eligible = new ArrayList<>();
        for (int i = 0; i < ready.size(); i++) {
            Task t = ready.get(i);
            if (t.process.isRunning() && (!t.fifo || firstOfLane(t, i))) {
                eligible.add(i);
            }
        }
        if (eligible.isEmpty()) {
            return false;
        }
        Task task = ready.remove((int) eligible.get(random.nextInt(eligible.size())));
        tasksRun++;
        try {
            task.body.run();
        } catch (RuntimeException | AssertionError e) {
            // a pool thread would log and carry on; the oracle judges what the engine did
            trace.add(now, task.process.name(), "task threw " + e);
        }
        return true;
    }

    private boolean firstOfLane(Task t, int index) {
        for (int i = 0; i < index; i++) {
            Task before = ready.get(i);
            if (before.process == t.process && before.lane.equals(t.lane)) {
                return false;
            }
        }
        return true;
    }

    /** Moves time to {@code time} (never back) and makes the timers due by then ready. */
    void advanceTo(long time) {
        now = Math.max(now, time);
        List<Timer> held = new ArrayList<>();
        while (!timers.isEmpty() && timers.peek().due() <= now) {
            Timer t = timers.poll();
            if (t.process().isCrashed()) {
                continue;
            }
            if (!t.process().isRunning()) {
                held.add(t); // paused: fires when it resumes
                continue;
            }
            submit(t.process(), "timer", false, t.body());
        }
        timers.addAll(held);
    }

    /** The due time of the earliest timer of a running process, or {@code Long.MAX_VALUE}. */
    long nextTimer() {
        long next = Long.MAX_VALUE;
        for (Timer t : timers) {
            if (t.process().isRunning() && t.due() < next) {
                next = t.due();
            }
        }
        return next;
    }

    boolean hasRunnableTask() {
        dropDead();
        for (Task t : ready) {
            if (t.process.isRunning()) {
                return true;
            }
        }
        return false;
    }

    private void dropDead() {
        for (Iterator<Task> it = ready.iterator(); it.hasNext(); ) {
            if (it.next().process.isCrashed()) {
                it.remove();
            }
        }
    }

    private record Task(SimProcess process, String lane, boolean fifo, Runnable body, long seq) {}

    /** A scheduled body; cancelled by {@link #cancel}. Its sequence number makes each one unique. */
    record Timer(SimProcess process, long due, long seq, Runnable body) {}

    /**
     * What happened, in order: printed with a failure and hashed to show that a seed replays exactly.
     * The store's description is written as {@code <store>}: a store opened afresh for each run (a
     * new database file) describes itself differently each time, and its name is no part of what
     * happened.
     */
    static final class Trace {
        private final List<String> lines = new ArrayList<>();
        private long hash = 1125899906842597L;
        private String storeName;

        /** The description of the run's store, left out of every line from now on. */
        void storeName(String name) {
            this.storeName = name == null || name.isEmpty() ? null : name;
        }

        void add(long time, String who, String what) {
            String said = storeName == null ? what : what.replace(storeName, "<store>");
            String line = String.format("%8d %-6s %s", time, who, said);
            lines.add(line);
            for (int i = 0; i < line.length(); i++) {
                hash = 31 * hash + line.charAt(i);
            }
        }

        List<String> lines() {
            return lines;
        }

        long hash() {
            return hash;
        }
    }
}
