package dev.profileservice.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256, for recognising an unchanged payload without keeping a copy of it. */
final class Digests {
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });

    private Digests() {}

    static byte[] sha256(byte[] bytes) {
        return SHA256.get().digest(bytes);
    }
}
