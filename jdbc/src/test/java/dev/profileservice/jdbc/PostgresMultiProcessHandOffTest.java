package dev.profileservice.jdbc;

import dev.profileservice.testkit.MultiProcessHandOffTest;

/** The testkit's multi-process hand-off (separate JVMs sharing one store) on Postgres. */
class PostgresMultiProcessHandOffTest extends MultiProcessHandOffTest {
    private final String uri = TestDatabases.postgresUri();

    @Override
    protected String backendUri() {
        return uri;
    }
}
