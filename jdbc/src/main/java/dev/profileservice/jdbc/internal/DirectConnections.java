package dev.profileservice.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens a connection to the database outside the pool, with the pool's settings: for PostgreSQL's
 * dedicated LISTEN connection, and for calls made while a pool of ours has no connection at all
 * (see {@link JdbcBackend#withConnection}). The caller closes it.
 */
@FunctionalInterface
public interface DirectConnections {
    Connection open() throws SQLException;
}
