package dev.profileservice.cli;

/**
 * The admin commands against the real PostgreSQL at 127.0.0.1:5432, database {@code test}
 * ({@code PROFILESERVICE_TEST_POSTGRES_URI} overrides). Fails, never skips, when it is unreachable.
 * Each test uses a fresh profile store name.
 */
class PostgresAdminCommandsTest extends AdminCommandsContract {
    @Override
    String uri() {
        return TestStores.postgres();
    }
}
