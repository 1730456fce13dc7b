package dev.profileservice.jdbc;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import dev.profileservice.testkit.BackendContractTest;

/** The testkit's backend contract against Mariadb (every backend object opened on one shared database). */
class MariadbBackendContractTest extends BackendContractTest {
    private static final String URI = TestDatabases.mariadbUri();

    @Override
    protected Backend openBackend() {
        return Backends.open(URI);
    }
}
