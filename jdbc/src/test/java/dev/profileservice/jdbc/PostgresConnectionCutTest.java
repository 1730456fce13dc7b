package dev.profileservice.jdbc;

/** {@link ConnectionCutTest} on PostgreSQL. */
class PostgresConnectionCutTest extends ConnectionCutTest {
    @Override
    protected String directUri() {
        return TestDatabases.postgresUri();
    }

    @Override
    protected int defaultPort() {
        return 5432;
    }
}
