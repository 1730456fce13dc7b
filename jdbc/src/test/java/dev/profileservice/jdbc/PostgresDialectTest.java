package dev.profileservice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.StoreUri;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** {@link JdbcDialectTest} on PostgreSQL, plus the user-pool factory. */
class PostgresDialectTest extends JdbcDialectTest {

    PostgresDialectTest() {
        super(new Dialect(TestDatabases.postgresUri(), 2, false, "postgresql.sql"));
    }

    @Override
    protected String unreachableUriWithPassword() {
        return "postgresql://postgres:s3cr3t@127.0.0.1:" + freePort() + "/test";
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void describeMasksThePassword() {
        // the test server trusts loopback connections, so any password is accepted
        String uri = TestDatabases.viaProxy(uri(), TestDatabases.host(uri()), TestDatabases.port(uri(), 5432))
                .replaceFirst("://([^:@/]+)(:[^@/]*)?@", "://$1:pa55-w0rd@");
        assertThat(uri).contains("pa55-w0rd");
        try (Backend b = dev.profileservice.spi.Backends.open(uri)) {
            assertThat(b.describe()).contains(":****@").doesNotContain("pa55-w0rd");
        }
    }

    @Test
    void worksOnTheUsersOwnPoolAndLeavesItOpen() throws Exception {
        StoreUri u = StoreUri.parse(uri(), 5432);
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl("jdbc:postgresql://" + u.host() + "/" + u.path());
        hc.setUsername(u.user());
        if (u.password() != null) {
            hc.setPassword(u.password());
        }
        hc.setMaximumPoolSize(3);
        try (HikariDataSource pool = new HikariDataSource(hc)) {
            String store = "userpool_" + System.nanoTime();
            try (Backend b = JdbcBackends.postgres(pool)) {
                assertThat(b.acquire(store, "k", new Owner("s", "p", "j"), -1, INITIAL)
                                .acquired())
                        .isTrue();
                assertThat(b.messageBus()).isPresent();
            }
            assertThat(pool.isClosed()).as("the user's pool stays open").isFalse();
            try (var c = pool.getConnection();
                    var ps = c.prepareStatement("DELETE FROM ps_profiles WHERE store = ?")) {
                ps.setString(1, store);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
        }
    }
}
