package dev.profileservice.jdbc;

import dev.profileservice.testkit.MultiProcessHandOffTest;

/** The testkit's multi-process hand-off (separate JVMs sharing one store) on Mariadb. */
class MariadbMultiProcessHandOffTest extends MultiProcessHandOffTest {
    private final String uri = TestDatabases.mariadbUri();

    @Override
    protected String backendUri() {
        return uri;
    }
}
