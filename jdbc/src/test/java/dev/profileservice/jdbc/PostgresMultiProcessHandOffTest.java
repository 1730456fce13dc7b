package dev.profileservice.jdbc;

/** {@link MultiProcessHandOffTest} on Postgres. */
class PostgresMultiProcessHandOffTest extends MultiProcessHandOffTest {
    private final String uri = TestDatabases.postgresUri();

    @Override
    protected String uri() {
        return uri;
    }
}
