package dev.profileservice.jdbc;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import dev.profileservice.testkit.ProfileServiceConformanceTest;

/** The testkit's public-API conformance suite on Sqlite. */
class SqliteConformanceTest extends ProfileServiceConformanceTest {
    private static final String URI = TestDatabases.sqliteUri();

    @Override
    protected Backend openBackend() {
        return Backends.open(URI);
    }
}
