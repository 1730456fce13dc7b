package dev.profileservice.cli;

/**
 * Where the CLI tests find the shared store servers: {@code PROFILESERVICE_TEST_POSTGRES_URI},
 * {@code PROFILESERVICE_TEST_MARIADB_URI}, {@code PROFILESERVICE_TEST_REDIS_URI}, or the stock
 * local ones. A test that cannot reach its server fails, it never skips.
 */
final class TestStores {
    private TestStores() {}

    static String postgres() {
        return fromEnv("PROFILESERVICE_TEST_POSTGRES_URI", "postgresql://postgres@127.0.0.1:5432/test");
    }

    static String mariadb() {
        return fromEnv("PROFILESERVICE_TEST_MARIADB_URI", "mariadb://root@127.0.0.1:3306/test");
    }

    static String redis() {
        return fromEnv("PROFILESERVICE_TEST_REDIS_URI", "redis://127.0.0.1:6379");
    }

    private static String fromEnv(String variable, String fallback) {
        String env = System.getenv(variable);
        return env == null || env.isBlank() ? fallback : env.trim();
    }
}
