package dev.profileservice.cli.internal;

/**
 * Bad input from the user (unknown store scheme, missing key, malformed JSON, unknown profile
 * store). The tool prints its message as one line and exits with code 2; it is always thrown
 * before anything is written.
 */
public final class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }
}
