package dev.profileservice.jdbc;

/** {@link MultiProcessHandOffTest} on Mariadb. */
class MariadbMultiProcessHandOffTest extends MultiProcessHandOffTest {
    private final String uri = TestDatabases.mariadbUri() + (TestDatabases.mariadbUri().contains("?") ? "&" : "?") + "pollMillis=20";

    @Override
    protected String uri() {
        return uri;
    }
}
