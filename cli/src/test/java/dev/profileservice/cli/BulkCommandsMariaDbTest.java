package dev.profileservice.cli;

/**
 * The bulk tools against the real MariaDB at 127.0.0.1:3306, database {@code test}
 * ({@code PROFILESERVICE_TEST_MARIADB_URI} overrides). Fails, never skips, when it is unreachable.
 * Each test uses a fresh profile store name and deletes its records afterwards.
 */
class BulkCommandsMariaDbTest extends BulkCommandsContract {
    BulkCommandsMariaDbTest() {
        super(dir -> TestStores.mariadb());
    }
}
