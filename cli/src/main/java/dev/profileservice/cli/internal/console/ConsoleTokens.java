package dev.profileservice.cli.internal.console;

/** Fresh access tokens for the console: 256 random bits from {@link java.security.SecureRandom}, base64url. */
public final class ConsoleTokens {
    private ConsoleTokens() {}

    /** A fresh random token. */
    public static String random() {
        return Auth.randomToken();
    }
}
