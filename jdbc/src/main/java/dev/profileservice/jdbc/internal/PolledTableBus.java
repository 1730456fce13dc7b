package dev.profileservice.jdbc.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A message bus for stores without push (SQLite, MariaDB/MySQL): {@code publish} inserts a row into
 * {@code ps_messages}; one daemon thread per backend ({@code profileservice-poll-bus}) selects the
 * rows addressed to its subscribed servers every {@code pollMillis}, hands them to the handlers and
 * deletes them. Every few seconds it also deletes messages older than a minute (addressed to
 * servers that are gone). A failed poll (store down, connection cut) is logged and retried on the
 * next tick; while it fails messages wait in the table or expire, which only slows the engine down.
 *
 * <h2>Threads</h2>
 * Handlers run on the poll thread ({@code profileservice-poll-bus}), one message at a time, in insertion
 * order. The thread and its life cycle come from {@link ThreadedBus}.
 */
public final class PolledTableBus extends ThreadedBus {
    private static final Logger LOG = LoggerFactory.getLogger(PolledTableBus.class);
    private static final long STALE_MILLIS = 60_000;
    private static final long CLEANUP_EVERY_MILLIS = 10_000;
    private static final int BATCH = 500;

    private final JdbcBackend backend;
    private final long pollMillis;
    private volatile long lastSuccessNanos;
    // Used only on the poll thread:
    private long lastCleanup;
    private int failures;

    PolledTableBus(JdbcBackend backend, long pollMillis) {
        super(backend, "profileservice-poll-bus");
        this.backend = backend;
        this.pollMillis = pollMillis;
    }

    @Override
    void send(String targetServerId, String message) {
        backend.write("publish", c -> {
            try (PreparedStatement ps = JdbcConnections.prepare(
                    c,
                    "INSERT INTO " + JdbcBackend.MESSAGES + " (target, body, created_at) VALUES (?, ?, "
                            + backend.nowMillis + ")",
                    targetServerId,
                    message)) {
                backend.roundTrip("publish");
                return ps.executeUpdate();
            }
        });
    }

    /** When the last poll succeeded ({@link System#nanoTime()}), 0 if never (for tests and diagnostics). */
    public long lastSuccessNanos() {
        return lastSuccessNanos;
    }

    private record Message(long id, String target, String body) {}

    @Override
    long round() {
        try {
            pollOnce();
            long now = System.nanoTime() / 1_000_000;
            if (now - lastCleanup > CLEANUP_EVERY_MILLIS) {
                lastCleanup = now;
                // a message's age by the database's clock, which also stamped it: no two clocks compared
                backend.write("pollBus", c -> {
                    try (PreparedStatement ps = JdbcConnections.prepare(
                            c,
                            "DELETE FROM " + JdbcBackend.MESSAGES + " WHERE created_at < " + backend.nowMillis + " - ?",
                            STALE_MILLIS)) {
                        return ps.executeUpdate();
                    }
                });
            }
            lastSuccessNanos = System.nanoTime();
            failures = 0;
        } catch (RuntimeException e) {
            if (!isClosed() && failures++ % 50 == 0) {
                LOG.warn("polling messages from {} failed: {}", backend.describe(), e.getMessage());
            }
        }
        return pollMillis;
    }

    private void pollOnce() {
        List<String> targets = new ArrayList<>(subscribedKeys());
        if (targets.isEmpty()) {
            return;
        }
        String in = String.join(", ", java.util.Collections.nCopies(targets.size(), "?"));
        List<Message> got = backend.withConnection("pollBus", c -> {
            Object[] args = new Object[targets.size() + 1];
            for (int i = 0; i < targets.size(); i++) {
                args[i] = targets.get(i);
            }
            args[targets.size()] = BATCH;
            try (PreparedStatement ps = JdbcConnections.prepare(
                            c,
                            "SELECT id, target, body FROM " + JdbcBackend.MESSAGES + " WHERE target IN (" + in
                                    + ") ORDER BY id LIMIT ?",
                            args);
                    ResultSet rs = ps.executeQuery()) {
                List<Message> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new Message(rs.getLong(1), rs.getString(2), rs.getString(3)));
                }
                return out;
            }
        });
        if (got.isEmpty()) {
            return;
        }
        // Delete first: a message is a hint, so losing one on a crash is better than repeating it forever.
        String ids = String.join(", ", java.util.Collections.nCopies(got.size(), "?"));
        backend.write("pollBus", c -> {
            Object[] args = got.stream().map(m -> (Object) m.id()).toArray();
            try (PreparedStatement ps = JdbcConnections.prepare(
                    c, "DELETE FROM " + JdbcBackend.MESSAGES + " WHERE id IN (" + ids + ")", args)) {
                return ps.executeUpdate();
            }
        });
        for (Message m : got) {
            deliver(m.target(), m.body());
        }
    }
}
