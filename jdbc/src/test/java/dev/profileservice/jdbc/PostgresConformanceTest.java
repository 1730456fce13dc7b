package dev.profileservice.jdbc;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import dev.profileservice.testkit.ProfileServiceConformanceTest;

/** The testkit's public-API conformance suite on Postgres. */
class PostgresConformanceTest extends ProfileServiceConformanceTest {
    private static final String URI = TestDatabases.postgresUri();

    @Override
    protected Backend openBackend() {
        return Backends.open(URI);
    }
}
