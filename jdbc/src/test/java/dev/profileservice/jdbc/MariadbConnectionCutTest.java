package dev.profileservice.jdbc;

/** {@link ConnectionCutTest} on MariaDB. */
class MariadbConnectionCutTest extends ConnectionCutTest {
    MariadbConnectionCutTest() {
        super(TestDatabases.mariadbUri());
    }
}
