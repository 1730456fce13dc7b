package dev.profileservice.jdbc;

/** {@link AlternatingHandOffTest} on Mariadb. */
class MariadbAlternatingHandOffTest extends AlternatingHandOffTest {
    private final String uri = TestDatabases.mariadbUri() + (TestDatabases.mariadbUri().contains("?") ? "&" : "?") + "pollMillis=20";

    @Override
    protected String uri() {
        return uri;
    }
}
