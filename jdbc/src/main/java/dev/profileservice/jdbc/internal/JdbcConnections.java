package dev.profileservice.jdbc.internal;

import dev.profileservice.spi.BackendException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection plumbing of a {@link JdbcBackend}, apart from what the backend does with its
 * connections: borrowing one from the pool (or opening one directly while a pool of ours has none),
 * queueing the writers of one JVM where the dialect asks for it, turning failures into
 * {@link BackendException}s with the password scrubbed, closing the pool the backend made, and the
 * statement helpers every dialect shares (binding, parameterless statements, transactions).
 *
 * <p>Every method runs on, and blocks, the calling thread (the engine's I/O pool); any number of
 * threads may call at once, each borrowing its own connection.
 */
final class JdbcConnections {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcConnections.class);

    private final DataSource dataSource;
    private final AutoCloseable ownedPool;
    private final DirectConnections direct;
    private final String description;
    private final String secret;
    private volatile boolean closed;
    private volatile Lock writeLock;
    private volatile long writeLockTimeoutMillis;

    JdbcConnections(JdbcBackend.Pool pool) {
        this.dataSource = pool.dataSource();
        this.ownedPool = pool.owned();
        this.direct = pool.direct();
        this.description = pool.description();
        this.secret = pool.secret() == null || pool.secret().isEmpty() ? null : pool.secret();
    }

    /** The URI with its password masked. */
    String description() {
        return description;
    }

    private boolean poolIsEmpty() {
        if (direct == null || !(ownedPool instanceof com.zaxxer.hikari.HikariDataSource hikari)) {
            return false;
        }
        com.zaxxer.hikari.HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
        return pool != null && pool.getTotalConnections() == 0;
    }

    /** The pool's size when it is a HikariCP pool (ours or the user's), else HikariCP's default of 10. */
    int maxConcurrentCalls() {
        if (dataSource instanceof com.zaxxer.hikari.HikariDataSource hikari) {
            return Math.max(1, hikari.getMaximumPoolSize());
        }
        return 10;
    }

    /** See {@link JdbcBackend#withConnection}. */
    <R> R withConnection(String op, JdbcBackend.SqlWork<R> work) {
        if (closed) {
            throw new BackendException(op + " refused: " + description + " is closed", false);
        }
        try (Connection c = poolIsEmpty() ? direct.open() : dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw translate(op, e);
        } catch (BackendException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BackendException(
                    op + " failed on " + description + ": " + scrub(String.valueOf(e)), SqlErrors.isTransient(e), e);
        }
    }

    /** See {@link JdbcBackend#serializeWrites}. */
    void serializeWrites(Lock lock, long timeoutMillis) {
        this.writeLockTimeoutMillis = timeoutMillis;
        this.writeLock = lock;
    }

    /** See {@link JdbcBackend#write}. */
    <R> R write(String op, JdbcBackend.SqlWork<R> work) {
        Lock lock = writeLock;
        if (lock == null) {
            return withConnection(op, work);
        }
        boolean locked;
        try {
            locked = lock.tryLock(writeLockTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException(op + " on " + description + " interrupted while waiting to write", true, e);
        }
        if (!locked) {
            throw new BackendException(
                    op + " on " + description + ": timed out after " + writeLockTimeoutMillis
                            + " ms waiting for the other writers of this JVM",
                    true);
        }
        try {
            return withConnection(op, work);
        } finally {
            lock.unlock();
        }
    }

    /** A {@link BackendException} for {@code e} with the password scrubbed from the message. */
    BackendException translate(String op, SQLException e) {
        BackendException b = SqlErrors.translate(op, description, e);
        if (secret != null && b.getMessage().contains(secret)) {
            return new BackendException(scrub(b.getMessage()), b.isTransient(), null);
        }
        return b;
    }

    /** {@code text} with the password replaced by {@code ****}. */
    String scrub(String text) {
        return secret == null || text == null ? text : text.replace(secret, "****");
    }

    /** Refuses every later call; false if it was already closed. */
    boolean markClosed() {
        if (closed) {
            return false;
        }
        closed = true;
        return true;
    }

    /** Closes the pool the backend made (not a pool the user brought); call after {@link #markClosed}. */
    void closePool() {
        if (ownedPool != null) {
            try {
                ownedPool.close();
            } catch (Exception e) {
                LOG.warn("closing the connection pool of {} failed: {}", description, scrub(String.valueOf(e)));
            }
        }
    }

    /** Whether {@link #markClosed} was called. */
    boolean isClosed() {
        return closed;
    }

    // ------------------------------------------------------------------ statements

    /** Prepares {@code sql} and binds {@code args} (String, Long, Integer, byte[]; null as SQL NULL text). */
    static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            bind(ps, args);
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
        return ps;
    }

    /** Binds {@code args} to {@code ps} from parameter 1. */
    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            int p = i + 1;
            if (a == null) {
                ps.setNull(p, java.sql.Types.VARCHAR);
            } else if (a instanceof String s) {
                ps.setString(p, s);
            } else if (a instanceof Long l) {
                ps.setLong(p, l);
            } else if (a instanceof Integer n) {
                ps.setInt(p, n);
            } else if (a instanceof byte[] b) {
                ps.setBytes(p, b);
            } else {
                throw new IllegalArgumentException("cannot bind " + a.getClass());
            }
        }
    }

    /** Runs DDL or other parameterless statements (not counted as round trips of an operation). */
    static void execute(Connection c, String... sqls) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : sqls) {
                st.execute(sql);
            }
        }
    }

    /**
     * Runs {@code work} on {@code c} as one transaction: commits when it returns, rolls back when it
     * throws, and puts the connection back into autocommit mode either way, so that a pooled
     * connection never keeps a transaction open.
     */
    static <R> R inTransaction(Connection c, JdbcBackend.SqlWork<R> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            R result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException rollbackFailed) {
                e.addSuppressed(rollbackFailed); // the connection is probably gone; the pool discards it
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException ignored) {
                // as above
            }
        }
    }
}
