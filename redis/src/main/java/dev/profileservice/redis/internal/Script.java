package dev.profileservice.redis.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One Lua script of {@link Scripts}: its source, the SHA-1 that EVALSHA names it by (computed here,
 * the same digest Redis computes), and the operation its round trips are reported as. Immutable.
 */
record Script(String operation, String source, String sha) {

    static Script of(String operation, String source) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            return new Script(operation, source, HexFormat.of().formatHex(digest));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }
}
