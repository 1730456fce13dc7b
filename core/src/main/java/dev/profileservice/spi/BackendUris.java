package dev.profileservice.spi;

import java.util.regex.Pattern;

/** Helpers for store URIs. */
public final class BackendUris {
    private static final Pattern USERINFO_PASSWORD = Pattern.compile("(//[^/@:]*:)[^/@]*@");
    /** Redis's password-only form: {@code redis://secret@host}. */
    private static final Pattern REDIS_BARE_PASSWORD =
            Pattern.compile("^(rediss?://)[^/@:]+@", Pattern.CASE_INSENSITIVE);

    private static final Pattern QUERY_PASSWORD =
            Pattern.compile("((?:password|pass|pwd)=)[^&]*", Pattern.CASE_INSENSITIVE);

    private BackendUris() {}

    /**
     * Returns {@code uri} with any password (in the user-info part, Redis's password-only
     * {@code redis://secret@host}, or a {@code password=} query parameter) replaced by {@code ****}.
     * Safe on malformed input.
     */
    public static String mask(String uri) {
        if (uri == null) {
            return "null";
        }
        String masked = USERINFO_PASSWORD.matcher(uri).replaceAll("$1****@");
        masked = REDIS_BARE_PASSWORD.matcher(masked).replaceFirst("$1****@");
        return QUERY_PASSWORD.matcher(masked).replaceAll("$1****");
    }

    /** The scheme of {@code uri} in lower case ({@code "sqlite"} for {@code "sqlite:x.db"}), or "" if none. */
    public static String scheme(String uri) {
        if (uri == null) {
            return "";
        }
        int colon = uri.indexOf(':');
        if (colon <= 0) {
            return "";
        }
        String scheme = uri.substring(0, colon);
        return scheme.matches("[A-Za-z][A-Za-z0-9+.-]*") ? scheme.toLowerCase(java.util.Locale.ROOT) : "";
    }
}
