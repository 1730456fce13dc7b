package dev.profileservice.jdbc.internal;

import dev.profileservice.spi.BackendException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.Set;

/**
 * Turns {@link SQLException}s into {@link BackendException}s and decides whether retrying may help.
 * Transient: connection loss (SQLState class 08, I/O errors), timeouts, deadlocks and serialization
 * failures (class 40), server shutting down or overloaded (57P0x, 53xxx), MariaDB/MySQL lock waits
 * and deadlocks (1205, 1213), SQLite's SQLITE_BUSY and SQLITE_LOCKED. Everything else is permanent
 * (schema mismatch, permission denied, data rejected).
 */
public final class SqlErrors {
    /** MariaDB/MySQL vendor codes that mean "try again". */
    private static final Set<Integer> MARIADB_TRANSIENT = Set.of(
            1040, // too many connections
            1053, // server shutdown in progress
            1205, // lock wait timeout
            1213, // deadlock
            1317, // query interrupted
            1927, // connection was killed
            2002,
            2003,
            2006,
            2013,
            2055, // client: cannot connect / server gone / lost connection
            3024 // max statement time exceeded (MySQL)
            );
    /** SQLite primary result codes: SQLITE_BUSY, SQLITE_LOCKED. */
    private static final Set<Integer> SQLITE_TRANSIENT = Set.of(5, 6);

    private SqlErrors() {}

    /** Wraps {@code e} for operation {@code op} on the backend described by {@code where} (already masked). */
    public static BackendException translate(String op, String where, SQLException e) {
        boolean transientFailure = isTransient(e);
        String message = op + " failed on " + where + ": " + describe(e)
                + (transientFailure ? " (transient, may be retried)" : "");
        return new BackendException(message, transientFailure, e);
    }

    /** Whether {@code t} (or a cause) is a failure that may go away by itself. */
    public static boolean isTransient(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLTransientException
                    || c instanceof SQLRecoverableException
                    || c instanceof IOException) {
                return true;
            }
            if (c instanceof SQLException s) {
                String state = s.getSQLState();
                if (state != null) {
                    if (state.startsWith("08")
                            || state.startsWith("40")
                            || state.startsWith("53")
                            || state.startsWith("57P")
                            || state.equals("57014")
                            || state.equals("55P03")
                            || state.startsWith("HYT")) {
                        return true;
                    }
                }
                if (MARIADB_TRANSIENT.contains(s.getErrorCode())) {
                    return true;
                }
                if (isSqlite(s) && SQLITE_TRANSIENT.contains(s.getErrorCode() & 0xff)) {
                    return true;
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    private static boolean isSqlite(SQLException s) {
        return s.getClass().getName().startsWith("org.sqlite.")
                || (s.getMessage() != null && s.getMessage().startsWith("[SQLITE_"));
    }

    private static String describe(SQLException e) {
        StringBuilder sb = new StringBuilder();
        sb.append(e.getMessage());
        if (e.getSQLState() != null) {
            sb.append(" [SQLState ")
                    .append(e.getSQLState())
                    .append(", code ")
                    .append(e.getErrorCode())
                    .append(']');
        }
        return sb.toString();
    }
}
