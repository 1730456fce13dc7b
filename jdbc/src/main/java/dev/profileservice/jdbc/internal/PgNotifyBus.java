package dev.profileservice.jdbc.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL LISTEN/NOTIFY. Each subscribed server listens on its own channel
 * ({@code ps_} + 32 hex digits of the SHA-256 of its id). Publishing is one {@code pg_notify} on a
 * pooled connection. Receiving uses one dedicated connection and one daemon thread
 * ({@code profileservice-pg-listen}) that waits in {@link PGConnection#getNotifications(int)},
 * pings the connection every few seconds, and on any failure closes it and reconnects with backoff
 * (100 ms doubling to 2 s), listening again on every channel. Messages sent while it is
 * disconnected are lost, which the engine tolerates (it polls the store).
 *
 * <h2>Threads</h2>
 * Handlers run on the listener thread ({@code profileservice-pg-listen}), one message at a time, in the
 * order PostgreSQL delivered them. The thread and its life cycle come from {@link ThreadedBus}.
 */
public final class PgNotifyBus extends ThreadedBus {
    private static final Logger LOG = LoggerFactory.getLogger(PgNotifyBus.class);
    private static final int WAIT_MILLIS = 250;
    private static final long PING_MILLIS = 5_000;

    private final PostgresBackend backend;
    private final DirectConnections connections;
    private volatile Connection current;
    // Used only on the listener thread:
    private long backoff = 100;
    private Connection c;
    private final Set<String> listening = new HashSet<>();
    private long lastPing;

    PgNotifyBus(PostgresBackend backend, DirectConnections connections) {
        super(backend, "profileservice-pg-listen");
        this.backend = backend;
        this.connections = connections;
    }

    /** The channel a server listens on: a valid unquoted identifier whatever the server id is. */
    static String channel(String serverId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(serverId.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder("ps_");
            for (int i = 0; i < 16; i++) {
                sb.append(String.format("%02x", d[i]));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    String handlerKey(String serverId) {
        return channel(serverId);
    }

    /** Also cuts a reconnect backoff short, so the new channel is listened on as soon as possible. */
    @Override
    public void subscribe(String serverId, Consumer<String> handler) {
        super.subscribe(serverId, handler);
        wake();
    }

    @Override
    void send(String targetServerId, String message) {
        backend.notify(channel(targetServerId), message);
    }

    /** Whether the listener currently holds a live connection (for tests and diagnostics). */
    public boolean isListening() {
        return current != null;
    }

    @Override
    long round() {
        try {
            if (c == null) {
                c = connections.open();
                c.setAutoCommit(true);
                listening.clear();
                lastPing = System.nanoTime();
            }
            for (String ch : subscribedKeys()) {
                if (listening.add(ch)) {
                    try (Statement st = c.createStatement()) {
                        st.execute("LISTEN " + ch);
                    }
                }
            }
            current = c;
            PGConnection pg = c.unwrap(PGConnection.class);
            PGNotification[] notes = pg.getNotifications(WAIT_MILLIS);
            if (backoff > 100) {
                LOG.info("LISTEN connection to {} restored", backend.describe());
            }
            backoff = 100;
            if (notes != null) {
                for (PGNotification n : notes) {
                    deliver(n.getName(), n.getParameter());
                }
            }
            if (System.nanoTime() - lastPing > PING_MILLIS * 1_000_000L) {
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT 1");
                }
                lastPing = System.nanoTime();
            }
            return 0;
        } catch (SQLException | RuntimeException e) {
            current = null;
            closeQuietly(c);
            c = null;
            if (isClosed()) {
                return 0;
            }
            if (backoff == 100) {
                LOG.warn(
                        "LISTEN connection to {} failed ({}); reconnecting with backoff",
                        backend.describe(),
                        backend.scrub(String.valueOf(e.getMessage())));
            } else {
                LOG.debug(
                        "LISTEN reconnect to {} failed ({}); next try in {} ms",
                        backend.describe(),
                        backend.scrub(String.valueOf(e.getMessage())),
                        backoff);
            }
            long wait = backoff;
            backoff = Math.min(2_000, backoff * 2);
            return wait;
        }
    }

    @Override
    void stopped() {
        current = null;
        closeQuietly(c);
        c = null;
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException | RuntimeException ignored) {
                // already broken
            }
        }
    }
}
