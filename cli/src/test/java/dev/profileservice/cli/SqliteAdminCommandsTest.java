package dev.profileservice.cli;

/** The admin commands against a real SQLite file in a temporary folder. */
class SqliteAdminCommandsTest extends AdminCommandsContract {
    @Override
    String uri() {
        return "sqlite:" + dir.resolve("profiles.db");
    }
}
