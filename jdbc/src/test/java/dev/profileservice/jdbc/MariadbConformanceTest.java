package dev.profileservice.jdbc;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import dev.profileservice.testkit.ProfileServiceConformanceTest;

/** The testkit's public-API conformance suite on Mariadb. */
class MariadbConformanceTest extends ProfileServiceConformanceTest {
    private static final String URI = TestDatabases.mariadbUri();

    @Override
    protected Backend openBackend() {
        return Backends.open(URI);
    }
}
