package dev.profileservice.cli.internal.console;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Building the console's links: query values percent-encoded (the templates then HTML-escape the whole URL). */
public final class Urls {
    private Urls() {}

    /** {@code value} percent-encoded for a query string. */
    public static String q(Object value) {
        return URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8);
    }

    /** {@code path?store=S&key=K}. */
    public static String of(String path, String store, String key) {
        return path + "?store=" + q(store) + "&key=" + q(key);
    }
}
