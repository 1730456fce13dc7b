package dev.profileservice.jdbc.internal;

import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.BackendUris;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A parsed {@code scheme://user:pass@host:port/database?name=value&...} store URI.
 * {@code user} and {@code password} may also be given as query parameters; user-info and query
 * values are percent-decoded. {@link #masked()} is the URI with the password replaced by {@code ****}.
 *
 * @param params the remaining query parameters, in order (passed to the driver except the ones the
 *               backend itself consumes)
 */
public record ServerUri(String scheme, String host, int port, String database, String user, String password,
                        Map<String, String> params, String masked) {

    /** Parses {@code uri}; a malformed one fails with a {@link BackendException} naming it (masked). */
    public static ServerUri parse(String uri, int defaultPort) {
        String masked = BackendUris.mask(uri);
        URI u;
        try {
            u = new URI(uri);
        } catch (URISyntaxException e) {
            throw new BackendException("malformed store URI '" + masked + "': " + BackendUris.mask(e.getReason())
                    + " (percent-encode special characters in the user name and password)", false);
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw new BackendException("store URI '" + masked + "' has no host; expected "
                    + u.getScheme() + "://user:password@host:port/database", false);
        }
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        String database = decode(path.startsWith("/") ? path.substring(1) : path);
        if (database.isEmpty() || database.contains("/")) {
            throw new BackendException("store URI '" + masked + "' must name one database after the host, e.g. "
                    + u.getScheme() + "://user@host:port/mydb", false);
        }
        String user = null;
        String password = null;
        if (u.getRawUserInfo() != null) {
            String info = u.getRawUserInfo();
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (u.getRawQuery() != null && !u.getRawQuery().isEmpty()) {
            for (String pair : u.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (name.equalsIgnoreCase("user")) {
                    user = value;
                } else if (name.equalsIgnoreCase("password")) {
                    password = value;
                } else {
                    params.put(name, value);
                }
            }
        }
        int port = u.getPort() > 0 ? u.getPort() : defaultPort;
        return new ServerUri(u.getScheme().toLowerCase(java.util.Locale.ROOT), u.getHost(), port, database, user, password, params, masked);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** Removes and returns a parameter the backend consumes itself, or {@code def}. */
    public String take(String name, String def) {
        String v = params.remove(name);
        return v == null ? def : v;
    }

    /** Like {@link #take(String, String)} for an integer; a bad number fails naming the URI. */
    public int takeInt(String name, int def) {
        String v = params.remove(name);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new BackendException("store URI '" + masked + "': parameter " + name + " must be a number, was '" + v + "'", false);
        }
    }
}
