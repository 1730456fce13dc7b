/**
 * The Redis store of ProfileService for Java (standalone or Cluster, on Lettuce), found by its
 * {@code redis://} and {@code rediss://} URIs through {@link dev.profileservice.spi.BackendProvider}.
 * {@code dev.profileservice.redis} is the API (backends on a user's own Lettuce client);
 * {@code dev.profileservice.redis.internal} is not exported and may change at any time.
 */
@SuppressWarnings(
        "requires-transitive-automatic") // lettuce.core has no module descriptor, only an Automatic-Module-Name
module dev.profileservice.redis {
    requires transitive dev.profileservice;
    requires transitive lettuce.core; // RedisBackends takes Lettuce's RedisClient, RedisClusterClient and RedisURI
    requires org.slf4j;

    exports dev.profileservice.redis;

    provides dev.profileservice.spi.BackendProvider with
            dev.profileservice.redis.internal.RedisBackendProvider;
}
