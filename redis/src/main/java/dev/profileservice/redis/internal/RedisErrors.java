package dev.profileservice.redis.internal;

import dev.profileservice.spi.BackendException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.util.Locale;

/**
 * Turns Lettuce failures into {@link BackendException}s and keeps passwords out of every message.
 * Stateless apart from the password to scrub; thread-safe.
 */
final class RedisErrors {
    /** Server error prefixes after which the same call may succeed later. */
    private static final String[] TRANSIENT_SERVER_ERRORS = {
        "LOADING",
        "BUSY",
        "TRYAGAIN",
        "CLUSTERDOWN",
        "MASTERDOWN",
        "READONLY",
        "NOREPLICAS",
        "MOVED",
        "ASK",
        "OOM",
        "UNBLOCKED"
    };

    private final String password;

    RedisErrors(String password) {
        this.password = password == null || password.isEmpty() ? null : password;
    }

    /** {@code text} with the known password replaced (defence in depth: driver messages never should contain it). */
    String scrub(String text) {
        if (text == null) {
            return "";
        }
        return password == null ? text : text.replace(password, "****");
    }

    /** Maps {@code e}, thrown by a call described by {@code what}, to a {@link BackendException}. */
    BackendException map(String what, Throwable e) {
        if (e instanceof BackendException b) {
            return b;
        }
        boolean transientFailure = isTransient(e);
        if (e instanceof RedisCommandInterruptedException) {
            Thread.currentThread().interrupt();
        }
        String kind = e instanceof RedisCommandTimeoutException
                ? "timed out"
                : e instanceof RedisConnectionException ? "could not connect" : "failed";
        return new BackendException(scrub(what + " " + kind + ": " + describeCause(e)), transientFailure, e);
    }

    static boolean isTransient(Throwable e) {
        // A connection refused by the server itself (bad credentials, no permission) stays refused.
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c instanceof RedisCommandExecutionException) {
                return isTransient(c);
            }
        }
        if (e instanceof RedisCommandTimeoutException
                || e instanceof RedisConnectionException
                || e instanceof RedisCommandInterruptedException) {
            return true;
        }
        if (e instanceof RedisCommandExecutionException) {
            String m = String.valueOf(e.getMessage()).toUpperCase(Locale.ROOT);
            for (String prefix : TRANSIENT_SERVER_ERRORS) {
                if (m.startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        }
        // Any other RedisException is client-side: not connected, connection closed, reset.
        return e instanceof RedisException || e instanceof java.io.IOException;
    }

    private static String describeCause(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        Throwable c = e.getCause();
        if (c != null && c.getMessage() != null && !m.contains(c.getMessage())) {
            m = m + " (" + c.getMessage() + ")";
        }
        return m;
    }
}
