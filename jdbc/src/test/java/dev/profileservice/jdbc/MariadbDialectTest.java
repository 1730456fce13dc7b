package dev.profileservice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.StoreUri;
import org.junit.jupiter.api.Test;

/** {@link JdbcDialectTest} on MariaDB, plus the user-pool factory and its multi-statement requirement. */
class MariadbDialectTest extends JdbcDialectTest {

    MariadbDialectTest() {
        super(new Dialect(
                TestDatabases.mariadbUri(), 1, true, "mariadb.sql")); // MariaDB: the text returns the row as it is
    }

    @Override
    protected String unreachableUriWithPassword() {
        return "mariadb://root:s3cr3t@127.0.0.1:" + PostgresDialectTest.freePort() + "/test";
    }

    private HikariDataSource pool(boolean multiQueries) {
        StoreUri u = StoreUri.parse(uri(), 3306);
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl("jdbc:mariadb://" + u.host() + "/" + u.path() + (multiQueries ? "?allowMultiQueries=true" : ""));
        hc.setUsername(u.user());
        if (u.password() != null) {
            hc.setPassword(u.password());
        }
        hc.setMaximumPoolSize(2);
        return new HikariDataSource(hc);
    }

    @Test
    void worksOnTheUsersOwnPoolAndLeavesItOpen() {
        try (HikariDataSource pool = pool(true)) {
            String store = "userpool_" + System.nanoTime();
            try (Backend b = JdbcBackends.mariadb(pool)) {
                assertThat(b.acquire(store, "k", new Owner("s", "p", "j"), -1, INITIAL)
                                .acquired())
                        .isTrue();
                assertThat(BackendAdmin.of(b).delete(store, "k")).isTrue();
            }
            assertThat(pool.isClosed()).as("the user's pool stays open").isFalse();
        }
    }

    @Test
    void aPoolWithoutMultiStatementQueriesIsRefusedWithAClearMessage() {
        try (HikariDataSource pool = pool(false)) {
            assertThatThrownBy(() -> JdbcBackends.mariadb(pool))
                    .isInstanceOf(BackendException.class)
                    .hasMessageContaining("allowMultiQueries=true");
        }
    }
}
