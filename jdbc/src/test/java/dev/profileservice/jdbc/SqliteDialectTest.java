package dev.profileservice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.Owner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link JdbcDialectTest} on SQLite, plus what only the embedded store has: WAL, file creation, URI options. */
class SqliteDialectTest extends JdbcDialectTest {

    SqliteDialectTest() {
        super(new Dialect(TestDatabases.sqliteUri(), 2, true, "sqlite.sql"));
    }

    @Override
    protected String unreachableUriWithPassword() {
        // SQLite has no server or password; a path under a regular file cannot be created
        try {
            Path file = Files.createTempFile("not-a-dir", ".txt");
            return "sqlite:" + file.resolve("sub/profiles.db") + "?pollMillis=50";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    @Test
    void unreachableStoreFailsFastWithThePasswordMasked() {
        assertThatThrownBy(() -> Backends.open(unreachableUriWithPassword()))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("cannot open sqlite:");
    }

    @Test
    void createsTheFileAndItsDirectoriesInWalMode(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a/b/profiles.db");
        try (Backend b = JdbcBackends.sqlite(file)) {
            assertThat(b.acquire("s", "k", new Owner("x", "p", "j"), -1, INITIAL)
                            .acquired())
                    .isTrue();
        }
        assertThat(file).exists();
        try (Connection c = TestDatabases.jdbc("sqlite:" + file);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    @Test
    void unknownUriOptionsAreNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> Backends.open("sqlite:" + dir.resolve("x.db") + "?busyTimeout=100&colour=red"))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("colour");
        assertThatThrownBy(() -> Backends.open("sqlite:"))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("names no file");
    }
}
