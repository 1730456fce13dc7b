package dev.profileservice.jdbc.internal;

import dev.profileservice.spi.MessageBus;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

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
 * Handlers run on the listener thread, one message at a time, in the order PostgreSQL delivered them.
 */
public final class PgNotifyBus implements MessageBus {
    /** Opens the dedicated listening connection. */
    @FunctionalInterface
    public interface ConnectionFactory {
        Connection open() throws SQLException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(PgNotifyBus.class);
    private static final int WAIT_MILLIS = 250;
    private static final long PING_MILLIS = 5_000;

    private final PostgresBackend backend;
    private final ConnectionFactory connections;
    private final Map<String, Consumer<String>> handlers = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private volatile boolean closed;
    private Thread thread;
    private volatile Connection current;

    PgNotifyBus(PostgresBackend backend, ConnectionFactory connections) {
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
    public void subscribe(String serverId, Consumer<String> handler) {
        if (closed) {
            throw new IllegalStateException("message bus of " + backend.describe() + " is closed");
        }
        handlers.put(channel(serverId), handler);
        synchronized (lock) {
            if (thread == null) {
                thread = new Thread(this::run, "profileservice-pg-listen");
                thread.setDaemon(true);
                thread.start();
            }
            lock.notifyAll();
        }
    }

    @Override
    public void publish(String targetServerId, String message) {
        if (closed) {
            return;
        }
        backend.notify(channel(targetServerId), message);
    }

    /** Whether the listener currently holds a live connection (for tests and diagnostics). */
    public boolean isListening() {
        return current != null;
    }

    private void run() {
        long backoff = 100;
        Connection c = null;
        Set<String> listening = new HashSet<>();
        long lastPing = 0;
        while (!closed) {
            try {
                if (c == null) {
                    c = connections.open();
                    c.setAutoCommit(true);
                    listening.clear();
                    lastPing = System.nanoTime();
                }
                for (String ch : handlers.keySet()) {
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
                        Consumer<String> h = handlers.get(n.getName());
                        if (h != null) {
                            try {
                                h.accept(n.getParameter());
                            } catch (RuntimeException e) {
                                LOG.warn("message handler failed on {}", backend.describe(), e);
                            }
                        }
                    }
                }
                if (System.nanoTime() - lastPing > PING_MILLIS * 1_000_000L) {
                    try (Statement st = c.createStatement()) {
                        st.execute("SELECT 1");
                    }
                    lastPing = System.nanoTime();
                }
            } catch (SQLException | RuntimeException e) {
                current = null;
                closeQuietly(c);
                c = null;
                if (closed) {
                    break;
                }
                if (backoff == 100) {
                    LOG.warn("LISTEN connection to {} failed ({}); reconnecting with backoff",
                            backend.describe(), backend.scrub(String.valueOf(e.getMessage())));
                } else {
                    LOG.debug("LISTEN reconnect to {} failed ({}); next try in {} ms",
                            backend.describe(), backend.scrub(String.valueOf(e.getMessage())), backoff);
                }
                synchronized (lock) {
                    try {
                        lock.wait(backoff);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                backoff = Math.min(2_000, backoff * 2);
            }
        }
        current = null;
        closeQuietly(c);
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

    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (lock) {
            t = thread;
            lock.notifyAll();
        }
        handlers.clear();
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

}
