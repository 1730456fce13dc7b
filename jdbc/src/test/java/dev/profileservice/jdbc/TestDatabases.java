package dev.profileservice.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the tests find their databases. The real servers on this machine by default; the
 * environment variables {@code PROFILESERVICE_TEST_POSTGRES_URI} and
 * {@code PROFILESERVICE_TEST_MARIADB_URI} point them elsewhere. A server that cannot be reached
 * makes its tests fail, never skip.
 */
final class TestDatabases {
    private TestDatabases() {
    }

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
        java.net.URI u = java.net.URI.create(uri);
        String authority = (u.getRawUserInfo() == null ? "" : u.getRawUserInfo() + "@") + host + ":" + port;
        return u.getScheme() + "://" + authority + u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    /** A plain JDBC connection (no pool) to the database behind a store URI, for looking at the tables. */
    static java.sql.Connection jdbc(String uri) throws java.sql.SQLException {
        if (uri.startsWith("sqlite:")) {
            return java.sql.DriverManager.getConnection("jdbc:" + uri);
        }
        dev.profileservice.jdbc.internal.ServerUri u = dev.profileservice.jdbc.internal.ServerUri.parse(uri, 0);
        String driver = u.scheme().startsWith("postgres") ? "postgresql" : "mariadb";
        java.util.Properties props = new java.util.Properties();
        if (u.user() != null) {
            props.setProperty("user", u.user());
        }
        if (u.password() != null) {
            props.setProperty("password", u.password());
        }
        return java.sql.DriverManager.getConnection("jdbc:" + driver + "://" + u.host() + ":" + u.port() + "/" + u.database(), props);
    }

    static String host(String uri) {
        return java.net.URI.create(uri).getHost();
    }

    static int port(String uri, int def) {
        int p = java.net.URI.create(uri).getPort();
        return p > 0 ? p : def;
    }
}
