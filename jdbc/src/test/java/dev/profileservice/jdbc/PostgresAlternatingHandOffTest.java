package dev.profileservice.jdbc;

/** {@link AlternatingHandOffTest} on Postgres. */
class PostgresAlternatingHandOffTest extends AlternatingHandOffTest {
    private final String uri = TestDatabases.postgresUri();

    @Override
    protected String uri() {
        return uri;
    }
}
