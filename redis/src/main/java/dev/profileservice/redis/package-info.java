/**
 * The Redis backend of ProfileService for Java, on Lettuce.
 *
 * <p>Most users only add this module and write {@code ProfileService.builder().backend("redis://host:6379")};
 * {@link dev.profileservice.redis.RedisBackends} is for those who bring their own Lettuce client.
 * Everything in {@code dev.profileservice.redis.internal} is not API and may change at any time.
 */
package dev.profileservice.redis;
