package dev.profileservice.jdbc;

/** {@link ConnectionCutTest} on PostgreSQL. */
class PostgresConnectionCutTest extends ConnectionCutTest {
    PostgresConnectionCutTest() {
        super(TestDatabases.postgresUri());
    }
}
