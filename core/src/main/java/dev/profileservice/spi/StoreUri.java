package dev.profileservice.spi;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed server-store URI: {@code scheme://[user[:password]@]host[:port][,host[:port]...][/path][?name=value&...][#fragment]}.
 * The one parser of store URIs in the library (the JDBC and Redis backends, the tools).
 *
 * <p>Several comma-separated hosts are allowed (Redis Sentinel lists its sentinels that way); IPv6
 * addresses go in brackets ({@code [::1]:6379}). User, password, path, query names and values are
 * percent-decoded; {@code user} and {@code password} may also be given as query parameters. A
 * user-info without a colon is a user name here; Redis reads it as a password, see
 * {@link #secret()}. {@link #masked()} is the URI with the password replaced by {@code ****}, safe
 * to show. Malformed input fails with a {@link BackendException} that names the URI, masked.
 *
 * @param scheme   lower case, e.g. {@code postgresql}
 * @param hosts    one or more addresses, in order; a missing port is the default port given to {@link #parse}
 * @param path     the decoded path without its leading slash ({@code ""} if none): a database name or number
 * @param user     the user name, or null
 * @param password the password, or null
 * @param params   the query parameters other than user and password, in order (mutable: backends
 *                 {@link #take} the ones they consume and pass the rest to their driver)
 * @param fragment the decoded fragment ({@code #...}), or null; Sentinel's master name
 * @param masked   the URI as given, with its password masked
 */
public record StoreUri(
        String scheme,
        List<Address> hosts,
        String path,
        String user,
        String password,
        Map<String, String> params,
        String fragment,
        String masked) {

    /** One {@code host:port}. */
    public record Address(String host, int port) {
        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * Parses {@code uri}, giving hosts without a port {@code defaultPort}.
     *
     * @throws BackendException (not transient) if it is not a {@code scheme://host...} URI, a port
     *                          is not a number in 1..65535, or a bracket is unclosed
     */
    public static StoreUri parse(String uri, int defaultPort) {
        String masked = BackendUris.mask(uri);
        String scheme = BackendUris.scheme(uri);
        if (scheme.isEmpty() || !uri.regionMatches(scheme.length(), "://", 0, 3)) {
            throw malformed(masked, "expected scheme://host");
        }
        String rest = uri.substring(scheme.length() + 3);
        String fragment = null;
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            fragment = decode(rest.substring(hash + 1));
            rest = rest.substring(0, hash);
        }
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        String path = slash >= 0 ? decode(rest.substring(slash + 1)) : "";
        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String info = authority.substring(0, at);
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
            authority = authority.substring(at + 1);
        }
        List<Address> hosts = new ArrayList<>();
        for (String hostPort : authority.split(",", -1)) {
            hosts.add(address(hostPort.trim(), defaultPort, masked));
        }
        Map<String, String> params = new LinkedHashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
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
        return new StoreUri(
                scheme, Collections.unmodifiableList(hosts), path, user, password, params, fragment, masked);
    }

    private static Address address(String hostPort, int defaultPort, String masked) {
        if (hostPort.isEmpty()) {
            throw malformed(masked, "a host is missing");
        }
        String host;
        String port = null;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw malformed(masked, "an IPv6 address has no closing ']'");
            }
            host = hostPort.substring(1, close);
            if (close + 1 < hostPort.length()) {
                if (hostPort.charAt(close + 1) != ':') {
                    throw malformed(masked, "expected ':port' after ']'");
                }
                port = hostPort.substring(close + 2);
            }
        } else {
            int colon = hostPort.lastIndexOf(':');
            host = colon >= 0 ? hostPort.substring(0, colon) : hostPort;
            port = colon >= 0 ? hostPort.substring(colon + 1) : null;
        }
        if (host.isEmpty()) {
            throw malformed(masked, "a host is missing");
        }
        if (port == null) {
            return new Address(host, defaultPort);
        }
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return new Address(host, p);
        } catch (NumberFormatException e) {
            throw malformed(masked, "port '" + port + "' of host " + host + " is not a number from 1 to 65535");
        }
    }

    private static BackendException malformed(String masked, String why) {
        return new BackendException("malformed store URI '" + masked + "': " + why, false);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The first (often the only) address. */
    public Address host() {
        return hosts.get(0);
    }

    /**
     * The secret of the user-info: the password, or, when the user-info has no colon, what this
     * parser read as the user (Redis's {@code redis://secret@host} form). Null if none.
     */
    public String secret() {
        return password != null ? password : user;
    }

    /** Removes and returns a parameter the backend consumes itself (case-insensitive name), or {@code def}. */
    public String take(String name, String def) {
        for (String key : new ArrayList<>(params.keySet())) {
            if (key.equalsIgnoreCase(name)) {
                return params.remove(key);
            }
        }
        return def;
    }

    /** Like {@link #take(String, String)} for an integer; a bad number fails naming the URI and the parameter. */
    public int takeInt(String name, int def) {
        String v = take(name, null);
        return v == null ? def : wholeNumber(masked, name, v);
    }

    /**
     * {@code value} of the parameter {@code name} of the store URI {@code maskedUri} as an int; a bad
     * number fails (not transient) naming the URI and the parameter. For store URIs of other forms
     * (e.g. {@code sqlite:PATH?...}) that parse their own parameters.
     */
    public static int wholeNumber(String maskedUri, String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new BackendException(
                    "store URI '" + maskedUri + "': parameter " + name + " must be a whole number, was '" + value + "'",
                    false);
        }
    }

    /** Like {@link #take(String, String)} for {@code true}/{@code false}; anything else fails naming the parameter. */
    public boolean takeBoolean(String name, boolean def) {
        String v = take(name, null);
        if (v == null) {
            return def;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new BackendException(
                "store URI '" + masked + "': parameter " + name + " must be true or false, was '" + v + "'", false);
    }

    /**
     * This URI with its addresses replaced (e.g. pointed at a proxy), everything else as parsed;
     * the remaining {@link #params} are written back, percent-encoded.
     */
    public String withHosts(List<Address> newHosts) {
        StringBuilder b = new StringBuilder(scheme).append("://");
        if (user != null || password != null) {
            b.append(encode(user == null ? "" : user));
            if (password != null) {
                b.append(':').append(encode(password));
            }
            b.append('@');
        }
        for (int i = 0; i < newHosts.size(); i++) {
            b.append(i == 0 ? "" : ",").append(newHosts.get(i));
        }
        if (!path.isEmpty()) {
            b.append('/').append(encode(path));
        }
        String sep = "?";
        for (Map.Entry<String, String> p : params.entrySet()) {
            b.append(sep).append(encode(p.getKey())).append('=').append(encode(p.getValue()));
            sep = "&";
        }
        if (fragment != null) {
            b.append('#').append(encode(fragment));
        }
        return b.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return masked;
    }

    /** The scheme and first address, for messages. */
    public String shortName() {
        return scheme.toLowerCase(Locale.ROOT) + "://" + host();
    }
}
