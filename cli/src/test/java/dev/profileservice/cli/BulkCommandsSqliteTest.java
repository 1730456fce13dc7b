package dev.profileservice.cli;

/** The bulk tools against a real SQLite file in a temporary folder. */
class BulkCommandsSqliteTest extends BulkCommandsContract {
    BulkCommandsSqliteTest() {
        super(dir -> "sqlite:" + dir.resolve("profiles.db"));
    }
}
