package dev.profileservice.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One timer for the auto-save of every active profile of a service, instead of one timer each.
 *
 * <p>The auto-save period is cut into {@code slots} ticks (64, or one per millisecond for periods
 * under 64 ms); each profile sits in one slot, picked from a low-discrepancy sequence so profiles
 * spread evenly over the period. Each tick takes the profiles of its slot that are not saving yet
 * and hands them to the {@link SaveBatcher} together, so they can share round trips. A profile is
 * therefore saved once per {@code slots * tick} (the period, rounded down to whole milliseconds per
 * tick), its first auto-save one to {@code slots} ticks after it was loaded.
 *
 * <p>Threads: {@link #add} and {@link #remove} from any thread; the tick runs on the service's
 * scheduler and only sets flags and queues work, so it never blocks on the store. The timer starts
 * with the first profile and stops at {@link #stop()}.
 */
final class AutoSaveWheel {
    private static final double GOLDEN = 0.6180339887498949;

    private final ScheduledExecutorService scheduler;
    private final SaveBatcher saver;
    private final int slots;
    private final long tickMillis;
    private final List<Set<SaveCycle>> buckets;
    private long added;
    private volatile long tick;
    private ScheduledFuture<?> task;
    private boolean stopped;

    AutoSaveWheel(ScheduledExecutorService scheduler, SaveBatcher saver, long periodMillis) {
        this.scheduler = scheduler;
        this.saver = saver;
        long period = Math.max(1, periodMillis);
        this.slots = (int) Math.min(64, period);
        this.tickMillis = period / slots;
        this.buckets = new ArrayList<>(slots);
        for (int i = 0; i < slots; i++) {
            buckets.add(ConcurrentHashMap.newKeySet());
        }
    }

    /** Puts a profile on the wheel; returns its slot for {@link #remove}. */
    int add(SaveCycle p) {
        int slot;
        synchronized (this) {
            if (stopped) {
                return -1;
            }
            double fraction = (added++ * GOLDEN) % 1.0;
            // the slot after the next tick at the earliest, so a new profile is not saved at once
            slot = (int) ((tick + 1 + (long) (fraction * (slots - 1))) % slots);
            buckets.get(slot).add(p);
            if (task == null) {
                try {
                    task = scheduler.scheduleAtFixedRate(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    stopped = true; // the service is closing: nothing will be saved by timer any more
                }
            }
        }
        return slot;
    }

    void remove(SaveCycle p, int slot) {
        if (slot >= 0) {
            buckets.get(slot).remove(p);
        }
    }

    private void tick() {
        long t = tick;
        tick = t + 1;
        Set<SaveCycle> due = buckets.get((int) (t % slots));
        if (due.isEmpty()) {
            return;
        }
        List<SaveCycle> claimed = new ArrayList<>(due.size());
        for (SaveCycle p : due) {
            if (p.claimAutoSave()) {
                claimed.add(p);
            } else if (p.lifecycle() != SaveCycle.Lifecycle.ACTIVE) {
                due.remove(p); // released while it was being added: do not keep it
            }
        }
        saver.submitAll(claimed);
    }

    synchronized void stop() {
        stopped = true;
        if (task != null) {
            task.cancel(false);
        }
        buckets.forEach(Set::clear);
    }
}
