package dev.profileservice.redis;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import dev.profileservice.testkit.BackendContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The testkit's Backend contract on a three-node Redis Cluster (started for this class, see
 * {@link LocalRedisCluster}): every script runs on one slot, listings SCAN every node, pub/sub
 * crosses nodes.
 */
class RedisClusterBackendContractTest extends BackendContractTest {
    private static final String PREFIX = RedisTestSupport.uniquePrefix();
    private static LocalRedisCluster cluster;

    @BeforeAll
    static void startCluster() {
        cluster = LocalRedisCluster.start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected Backend openBackend() {
        return Backends.open(cluster.seedUri() + "?cluster=true&prefix=" + PREFIX);
    }
}
