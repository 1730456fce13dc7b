package dev.profileservice;

/**
 * The store could not do what was asked (unreachable, refused, timed out) and retrying did not
 * help, or the service is closed. Bad arguments get {@link IllegalArgumentException} instead, and
 * calls in the wrong state {@link IllegalStateException}.
 */
public class ProfileServiceException extends RuntimeException {
    public ProfileServiceException(String message) {
        super(message);
    }

    public ProfileServiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
