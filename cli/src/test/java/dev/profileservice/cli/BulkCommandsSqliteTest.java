package dev.profileservice.cli;

/** The bulk tools against a real SQLite file in a temporary folder. */
class BulkCommandsSqliteTest extends BulkCommandsContract {
    @Override
    String uri() {
        return "sqlite:" + dir.resolve("profiles.db");
    }

    @Override
    boolean deleteAfterwards() {
        return false; // the temporary folder goes
    }
}
