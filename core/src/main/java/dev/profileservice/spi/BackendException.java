package dev.profileservice.spi;

/**
 * A store operation failed. {@link #isTransient()} tells the engine whether retrying may help
 * (connection lost, timeout, deadlock) or not (schema mismatch, permission denied, data rejected).
 * Messages must never contain a password: use {@link BackendUris#mask(String)}.
 */
public class BackendException extends RuntimeException {
    private final boolean transientFailure;

    public BackendException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    public BackendException(String message, boolean transientFailure) {
        this(message, transientFailure, null);
    }

    /** Whether the same call may succeed if tried again later. */
    public boolean isTransient() {
        return transientFailure;
    }
}
