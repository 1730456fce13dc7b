package dev.profileservice.cli;

/**
 * The bulk tools against the real PostgreSQL at 127.0.0.1:5432, database {@code test}
 * ({@code PROFILESERVICE_TEST_POSTGRES_URI} overrides). Fails, never skips, when it is unreachable.
 * Each test uses a fresh profile store name and deletes its records afterwards.
 */
class BulkCommandsPostgresTest extends BulkCommandsContract {
    BulkCommandsPostgresTest() {
        super(dir -> TestStores.postgres());
    }
}
