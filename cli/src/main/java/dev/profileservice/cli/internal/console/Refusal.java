package dev.profileservice.cli.internal.console;

/**
 * A request the console refuses with an HTTP status and a message saying why (401 without a valid
 * token, 403 for a cross-site or read-only write, 400 for a bad form). Nothing was written.
 */
final class Refusal extends RuntimeException {
    private final int status;

    Refusal(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
