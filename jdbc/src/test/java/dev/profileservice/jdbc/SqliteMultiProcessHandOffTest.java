package dev.profileservice.jdbc;

import dev.profileservice.testkit.MultiProcessHandOffTest;

/** The testkit's multi-process hand-off (separate JVMs sharing one store) on Sqlite. */
class SqliteMultiProcessHandOffTest extends MultiProcessHandOffTest {
    private final String uri = TestDatabases.sqliteUri();

    @Override
    protected String backendUri() {
        return uri;
    }
}
