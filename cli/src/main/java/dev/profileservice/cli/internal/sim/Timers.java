package dev.profileservice.cli.internal.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * Actions due at a wall-clock time (a restart, the end of a freeze, a crash after an outage). The
 * driving thread runs the due ones on each step ({@link #runDue}); no thread of its own.
 * Not thread-safe: guarded by the simulation lock.
 */
final class Timers {
    private record Due(long at, Runnable action) {}

    private final List<Due> pending = new ArrayList<>();

    /** Runs {@code action} on the first step at or after {@code atMillis}. */
    void at(long atMillis, Runnable action) {
        pending.add(new Due(atMillis, action));
    }

    /** Runs, in the order they were set, the actions due at {@code now}; one set by them runs on a later step. */
    void runDue(long now) {
        List<Due> due = pending.stream().filter(d -> d.at() <= now).toList();
        pending.removeAll(due);
        due.forEach(d -> d.action().run());
    }
}
