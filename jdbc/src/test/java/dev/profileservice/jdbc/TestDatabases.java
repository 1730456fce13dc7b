package dev.profileservice.jdbc;

import dev.profileservice.spi.StoreUri;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the tests find their databases. The real servers on this machine by default; the
 * environment variables {@code PROFILESERVICE_TEST_POSTGRES_URI} and
 * {@code PROFILESERVICE_TEST_MARIADB_URI} point them elsewhere. A server that cannot be reached
 * makes its tests fail, never skip.
 */
final class TestDatabases {
    private TestDatabases() {}

    static String postgresUri() {
        String env = System.getenv("PROFILESERVICE_TEST_POSTGRES_URI");
        return env == null || env.isBlank() ? "postgresql://postgres@127.0.0.1:5432/test" : env.trim();
    }

    static String mariadbUri() {
        String env = System.getenv("PROFILESERVICE_TEST_MARIADB_URI");
        return env == null || env.isBlank() ? "mariadb://root@127.0.0.1:3306/test" : env.trim();
    }

    /** A fresh SQLite URI in a new temporary directory. */
    static String sqliteUri() {
        try {
            Path dir = Files.createTempDirectory("profileservice-jdbc-test");
            dir.toFile().deleteOnExit();
            return "sqlite:" + dir.resolve("profiles.db");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code uri} with {@code host:port} replaced, for routing through a {@code TcpProxy}. */
    static String viaProxy(String uri, String host, int port) {
        return StoreUri.parse(uri, port).withHosts(List.of(new StoreUri.Address(host, port)));
    }

    /** A plain JDBC connection (no pool) to the database behind a store URI, for looking at the tables. */
    static java.sql.Connection jdbc(String uri) throws java.sql.SQLException {
        if (uri.startsWith("sqlite:")) {
            return java.sql.DriverManager.getConnection("jdbc:" + uri);
        }
        boolean postgres = uri.startsWith("postgres");
        StoreUri u = StoreUri.parse(uri, postgres ? 5432 : 3306);
        java.util.Properties props = new java.util.Properties();
        if (u.user() != null) {
            props.setProperty("user", u.user());
        }
        if (u.password() != null) {
            props.setProperty("password", u.password());
        }
        return java.sql.DriverManager.getConnection(
                "jdbc:" + (postgres ? "postgresql" : "mariadb") + "://" + u.host() + "/" + u.path(), props);
    }

    /**
     * Creates an empty database {@code name} on the server of {@code uri} (PostgreSQL or MariaDB)
     * and returns the URI of it; a SQLite URI is a new file instead.
     */
    static String createDatabase(String uri, String name) throws java.sql.SQLException {
        if (uri.startsWith("sqlite:")) {
            return sqliteUri();
        }
        try (java.sql.Connection c = jdbc(uri);
                java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        }
        String path = StoreUri.parse(uri, 1).path();
        int at = uri.lastIndexOf("/" + path);
        return uri.substring(0, at + 1) + name + uri.substring(at + 1 + path.length());
    }

    /** Drops what {@link #createDatabase} made (nothing for SQLite: the file is temporary). */
    static void dropDatabase(String uri, String name) throws java.sql.SQLException {
        if (uri.startsWith("sqlite:")) {
            return;
        }
        try (java.sql.Connection c = jdbc(uri);
                java.sql.Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + (uri.startsWith("postgres") ? " WITH (FORCE)" : ""));
        }
    }

    static String host(String uri) {
        return StoreUri.parse(uri, 1).host().host();
    }

    static int port(String uri, int def) {
        return StoreUri.parse(uri, def).host().port();
    }
}
