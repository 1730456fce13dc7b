package dev.profileservice.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices the moment the store is back after failures, and wakes at once every store call that is
 * waiting out its retry backoff, so that saves resume within moments of the store's return instead
 * of after the backoff (up to {@code retryBackoffMax}), and a crash just after an outage loses no
 * more than one auto-save period.
 *
 * <p>The store is <em>down</em> from the first transient failure of any store call until the first
 * call that succeeds: any call of the service, or the probe, a cheap read sent every
 * {@link #PROBE_INTERVAL} while retries are waiting. When the store comes back, the waiting retries
 * are woken releases first, then saves, then the rest (loads, reads, gift sends). The wake only
 * queues them: saves go through the {@link SaveBatcher}, which writes up to a batch per round trip
 * with a bounded number of flushers, and the rest through the I/O pool, whose size bounds them, so
 * the store is not hit by all of them at once.
 *
 * <p>A retry learns whether it was woken early. One that was, and failed again while other calls
 * succeed, is the call's own problem rather than the store's: its caller then waits out the next
 * backoff in full ({@link Engine#after}), so such a call cannot spin at the rate of other calls'
 * successes.
 *
 * <p>Threads: {@link #failed}, {@link #succeeded} and {@link #retryAfter} are called from any
 * thread (I/O threads, mostly). Timers run on the service's scheduler; a retry's task runs on the
 * scheduler thread or on the thread that saw the store come back, so it must only queue work.
 */
final class StoreRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(StoreRecovery.class);

    /** How often the probe asks a down store whether it is back, while retries wait. */
    static final Duration PROBE_INTERVAL = Duration.ofMillis(100);

    /** What a retry is, in the order a recovery wakes them. */
    enum Kind {
        RELEASE,
        SAVE,
        OTHER
    }

    /** One retry waiting out its backoff; runs once, by its timer or by the wake, whichever comes first. */
    private static final class Waiting {
        final Consumer<Boolean> task;
        final AtomicBoolean claimed = new AtomicBoolean();
        volatile ScheduledFuture<?> timer;

        Waiting(Consumer<Boolean> task) {
            this.task = task;
        }

        void run(boolean early) {
            if (claimed.compareAndSet(false, true)) {
                ScheduledFuture<?> t = timer;
                if (t != null) {
                    t.cancel(false);
                }
                task.accept(early);
            }
        }
    }

    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final Runnable probe;
    private final Consumer<String> report;
    private final Map<Kind, List<Waiting>> waiting = new EnumMap<>(Kind.class);
    private volatile boolean down;
    private long downSinceMillis;
    private boolean probing;

    /**
     * @param probe  sends one cheap store call on an I/O thread; its outcome reaches
     *               {@link #failed}/{@link #succeeded} like any call's
     * @param report receives the message that the store is back, with what was waiting
     */
    StoreRecovery(ScheduledExecutorService scheduler, Clock clock, Runnable probe, Consumer<String> report) {
        this.scheduler = scheduler;
        this.clock = clock;
        this.probe = probe;
        this.report = report;
        for (Kind k : Kind.values()) {
            waiting.put(k, new ArrayList<>());
        }
    }

    /** A store call failed transiently: the store is down (if it was not already). */
    void failed() {
        synchronized (this) {
            if (!down) {
                down = true;
                downSinceMillis = clock.millis();
            }
            probeLater();
        }
    }

    /** A store call succeeded: if the store was down, it is back, and every waiting retry runs now. */
    void succeeded() {
        if (!down) {
            return; // the common case, lock-free
        }
        Map<Kind, List<Waiting>> woken = new EnumMap<>(Kind.class);
        long downFor;
        synchronized (this) {
            if (!down) {
                return;
            }
            down = false;
            downFor = clock.millis() - downSinceMillis;
            for (Kind k : Kind.values()) {
                woken.put(k, new ArrayList<>(waiting.get(k)));
                waiting.get(k).clear();
            }
        }
        int releases = woken.get(Kind.RELEASE).size();
        int saves = woken.get(Kind.SAVE).size();
        int others = woken.get(Kind.OTHER).size();
        if (releases + saves > 0 || downFor >= 1_000) { // not for a lone hiccup of a read
            report.accept(String.format(
                    java.util.Locale.ROOT,
                    "the store is back after %.1f s of failures; resuming now the %d"
                            + " release(s), %d save(s) and %d other call(s) that were waiting to retry",
                    downFor / 1000.0,
                    releases,
                    saves,
                    others));
        }
        for (Kind k : Kind.values()) {
            woken.get(k).forEach(w -> w.run(true));
        }
    }

    /**
     * Runs {@code task} after {@code backoff}, or as soon as the store is back if that is sooner;
     * the task is told which ({@code true}: woken early). Call it after {@link #failed()} for the
     * failure that the task retries.
     */
    void retryAfter(Duration backoff, Kind kind, Consumer<Boolean> task) {
        Waiting w = new Waiting(task);
        boolean storeUp;
        synchronized (this) {
            storeUp = !down;
            if (!storeUp) {
                waiting.get(kind).add(w);
                probeLater();
            }
        }
        if (storeUp) {
            // another call succeeded between this one's failure and now: the store is back already
            w.run(true);
            return;
        }
        try {
            w.timer = scheduler.schedule(
                    () -> {
                        synchronized (this) {
                            waiting.get(kind).remove(w);
                        }
                        w.run(false);
                    },
                    backoff.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("scheduler rejected a retry (service closed?); dropped", e);
        }
    }

    /** Whether the store is down (a call failed and none succeeded since). */
    boolean isDown() {
        return down;
    }

    /** Schedules the next probe while the store is down and something waits for it. Caller holds the lock. */
    private void probeLater() {
        if (probing || !hasWaiting()) {
            return;
        }
        probing = true;
        try {
            scheduler.schedule(this::probeNow, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            probing = false;
        }
    }

    private void probeNow() {
        synchronized (this) {
            probing = false;
            if (!down || !hasWaiting()) {
                return;
            }
        }
        probe.run(); // its failure calls failed(), which schedules the next probe
    }

    private boolean hasWaiting() {
        for (List<Waiting> list : waiting.values()) {
            if (!list.isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
