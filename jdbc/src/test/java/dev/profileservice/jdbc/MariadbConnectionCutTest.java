package dev.profileservice.jdbc;

/** {@link ConnectionCutTest} on MariaDB. */
class MariadbConnectionCutTest extends ConnectionCutTest {
    @Override
    protected String directUri() {
        return TestDatabases.mariadbUri();
    }

    @Override
    protected int defaultPort() {
        return 3306;
    }
}
