package dev.profileservice.spi;

/**
 * A held session, as listed for administration.
 *
 * @param key   the profile key
 * @param epoch the record's epoch
 * @param owner the holder
 */
public record SessionInfo(String key, long epoch, Owner owner) {}
