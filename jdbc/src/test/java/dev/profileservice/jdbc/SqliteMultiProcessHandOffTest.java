package dev.profileservice.jdbc;

/** {@link MultiProcessHandOffTest} on Sqlite. */
class SqliteMultiProcessHandOffTest extends MultiProcessHandOffTest {
    private final String uri = TestDatabases.sqliteUri() + "?pollMillis=20";

    @Override
    protected String uri() {
        return uri;
    }
}
