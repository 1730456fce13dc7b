package dev.profileservice.jdbc;

/** {@link AlternatingHandOffTest} on Sqlite. */
class SqliteAlternatingHandOffTest extends AlternatingHandOffTest {
    private final String uri = TestDatabases.sqliteUri() + "?pollMillis=20";

    @Override
    protected String uri() {
        return uri;
    }
}
