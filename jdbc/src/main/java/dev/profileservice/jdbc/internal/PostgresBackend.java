package dev.profileservice.jdbc.internal;

import dev.profileservice.spi.MessageBus;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * PostgreSQL (12+): one statement per operation ({@code INSERT ... ON CONFLICT ... RETURNING},
 * {@code UPDATE ... RETURNING}); messages through LISTEN/NOTIFY ({@link PgNotifyBus}).
 */
public final class PostgresBackend extends ReturningBackend {
    private static final long SCHEMA_LOCK_ID = 0x5053_6368_656d_61L; // "PSchema"

    private final PgNotifyBus.ConnectionFactory listenConnections;

    /**
     * @param listenConnections opens the dedicated connection the bus LISTENs on (outside the pool
     *                          when this backend made the pool)
     */
    public PostgresBackend(DataSource dataSource, AutoCloseable ownedPool, String description, String secret,
                           PgNotifyBus.ConnectionFactory listenConnections) {
        super(dataSource, ownedPool, description, secret);
        this.listenConnections = listenConnections;
        start();
    }

    @Override
    protected void initSchema(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                ps.setLong(1, SCHEMA_LOCK_ID);
                ps.execute();
            }
            ensureSchema(c, "CREATE TABLE IF NOT EXISTS " + SCHEMA + " (component TEXT PRIMARY KEY, version INT NOT NULL)", List.of(
                    "CREATE TABLE IF NOT EXISTS " + PROFILES + " ("
                            + " store TEXT COLLATE \"C\" NOT NULL, pkey TEXT COLLATE \"C\" NOT NULL, payload BYTEA,"
                            + " epoch BIGINT NOT NULL DEFAULT 0, owner_server TEXT, owner_place TEXT, owner_job TEXT,"
                            + " inbox BYTEA, inbox_version BIGINT NOT NULL DEFAULT 0, revision BIGINT NOT NULL DEFAULT 0,"
                            + " PRIMARY KEY (store, pkey)) WITH (fillfactor = 80)",
                    "CREATE INDEX IF NOT EXISTS ps_profiles_owned ON " + PROFILES + " (store, pkey) WHERE owner_server IS NOT NULL",
                    "CREATE TABLE IF NOT EXISTS " + SERVERS + " (server_id TEXT PRIMARY KEY, place_id TEXT, job_id TEXT, expires_at BIGINT NOT NULL)",
                    "CREATE TABLE IF NOT EXISTS " + QUARANTINE + " (id BIGSERIAL PRIMARY KEY, store TEXT COLLATE \"C\" NOT NULL,"
                            + " pkey TEXT COLLATE \"C\" NOT NULL, payload BYTEA NOT NULL, reason TEXT NOT NULL, at_millis BIGINT NOT NULL)",
                    "CREATE INDEX IF NOT EXISTS ps_quarantine_key ON " + QUARANTINE + " (store, pkey)",
                    "CREATE TABLE IF NOT EXISTS " + MESSAGES + " (id BIGSERIAL PRIMARY KEY, target TEXT NOT NULL, body TEXT NOT NULL,"
                            + " created_at BIGINT NOT NULL)",
                    "CREATE INDEX IF NOT EXISTS ps_messages_target ON " + MESSAGES + " (target, id)"));
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    @Override
    protected MessageBus createBus() {
        return new PgNotifyBus(this, listenConnections);
    }

    /** Sends one NOTIFY through the pool (one round trip, reported as {@code publish}). */
    void notify(String channel, String message) {
        withConnection("publish", c -> {
            try (PreparedStatement ps = prepare(c, "SELECT pg_notify(?, ?)", channel, message)) {
                roundTrip("publish");
                ps.execute();
            }
            return null;
        });
    }
}
