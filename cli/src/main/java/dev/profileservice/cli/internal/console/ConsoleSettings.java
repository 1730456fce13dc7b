package dev.profileservice.cli.internal.console;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How a console runs. Immutable.
 *
 * @param address   the address to bind (loopback by default)
 * @param port      the port; 0 for any free port
 * @param token     the access token every page and API call needs
 * @param readOnly  whether every write is hidden and refused (403)
 * @param auditLog  the append-only JSON-lines file every write is recorded in
 * @param stores    the profile store names the start page offers (others can be typed)
 */
public record ConsoleSettings(
        String address, int port, String token, boolean readOnly, Path auditLog, List<String> stores) {

    /** The default address: loopback only. */
    public static final String DEFAULT_ADDRESS = "127.0.0.1";

    /** The default port. */
    public static final int DEFAULT_PORT = 8080;

    /** The environment variable a token may come from. */
    public static final String TOKEN_ENV = "PROFILES_CONSOLE_TOKEN";

    /** The shortest token accepted from an operator. */
    public static final int MIN_TOKEN_LENGTH = 16;

    public ConsoleSettings {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(auditLog, "auditLog");
        if (token.length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException(
                    "the console token must have at least " + MIN_TOKEN_LENGTH + " characters");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, was " + port);
        }
        stores = List.copyOf(stores);
    }
}
