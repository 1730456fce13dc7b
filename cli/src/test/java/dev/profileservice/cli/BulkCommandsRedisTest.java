package dev.profileservice.cli;

/**
 * The bulk tools against the real Redis at 127.0.0.1:6379 ({@code PROFILESERVICE_TEST_REDIS_URI}
 * overrides). Fails, never skips, when it is unreachable. Each test uses a fresh profile store name
 * and deletes its records afterwards.
 */
class BulkCommandsRedisTest extends BulkCommandsContract {
    BulkCommandsRedisTest() {
        super(dir -> TestStores.redis());
    }
}
