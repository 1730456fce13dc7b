package dev.profileservice.redis.internal;

/**
 * What each part of {@link RedisBackend} beyond the records works with: the backend's one
 * {@link CommandConnection}, its {@link RedisKeys} layout and its {@link RedisUserIndex}. Immutable;
 * the parts are shared by every thread that calls the backend.
 */
abstract class RedisPart {
    /** The connection every call of the backend goes through. */
    protected final CommandConnection redis;
    /** The key layout. */
    protected final RedisKeys keys;
    /** The index of user ids, which saves with new ids and deletions keep. */
    protected final RedisUserIndex index;

    RedisPart(CommandConnection redis, RedisKeys keys, RedisUserIndex index) {
        this.redis = redis;
        this.keys = keys;
        this.index = index;
    }
}
