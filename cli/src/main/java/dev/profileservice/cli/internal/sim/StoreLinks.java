package dev.profileservice.cli.internal.sim;

import dev.profileservice.spi.BackendUris;
import dev.profileservice.spi.StoreUri;
import dev.profileservice.testkit.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How each server slot reaches the store: directly, or, when connection cuts are on and the store
 * is a server, through a {@link TcpProxy} of its own, so that a cut affects one server only.
 *
 * <p>Opened by the simulation's thread before any server starts; {@link #cut} is called from that
 * thread (under the simulation lock); the proxies forward bytes on threads of their own.
 */
final class StoreLinks implements AutoCloseable {

    /** Ports of the schemes whose URIs may leave the port out. */
    private static final Map<String, Integer> DEFAULT_PORTS =
            Map.of("postgresql", 5432, "postgres", 5432, "mariadb", 3306, "mysql", 3306, "redis", 6379, "rediss", 6379);

    /** A default port no URI can give (StoreUri refuses port 0): "this scheme has none". */
    private static final int NO_DEFAULT_PORT = 0;

    private final List<String> uris;
    private final List<TcpProxy> proxies;

    private StoreLinks(List<String> uris, List<TcpProxy> proxies) {
        this.uris = uris;
        this.proxies = proxies;
    }

    /**
     * One link per server slot to {@code uri}; proxied when {@code cuts} is on and the store is a
     * server.
     *
     * @throws IllegalArgumentException if a proxied URI names several hosts or leaves out a port
     *                                  this class cannot tell
     */
    static StoreLinks open(String uri, int servers, boolean cuts) {
        List<String> uris = new ArrayList<>();
        List<TcpProxy> proxies = new ArrayList<>();
        // a Sentinel URI names sentinels, not the store: Lettuce reaches the primary they name directly
        boolean proxied = cuts && isServerStore(uri) && SentinelPrimary.of(uri).isEmpty();
        StoreUri parsed = proxied ? parse(uri) : null;
        for (int slot = 0; slot < servers; slot++) {
            if (proxied) {
                TcpProxy proxy =
                        TcpProxy.start(parsed.host().host(), parsed.host().port());
                proxies.add(proxy);
                uris.add(parsed.withHosts(List.of(new StoreUri.Address(proxy.host(), proxy.port()))));
            } else {
                uris.add(uri);
            }
        }
        return new StoreLinks(List.copyOf(uris), proxies);
    }

    /** Whether {@code uri} names a store server reached over TCP (not an embedded store such as SQLite). */
    static boolean isServerStore(String uri) {
        String scheme = BackendUris.scheme(uri);
        return !scheme.equals("sqlite") && !scheme.equals("memory") && uri.contains("//");
    }

    /** {@code uri} parsed with its scheme's default port; the address a proxy forwards to is its one host. */
    static StoreUri parse(String uri) {
        StoreUri parsed = StoreUri.parse(uri, DEFAULT_PORTS.getOrDefault(BackendUris.scheme(uri), NO_DEFAULT_PORT));
        if (parsed.hosts().size() != 1) {
            throw new IllegalArgumentException(
                    "connection cuts need a store URI with one host, not " + parsed.masked() + "; use --no-cut");
        }
        if (parsed.host().port() == NO_DEFAULT_PORT) {
            throw new IllegalArgumentException(
                    "cannot tell the port of " + parsed.masked() + "; give it explicitly (host:port) or use --no-cut");
        }
        return parsed;
    }

    /** The URI the server in {@code slot} opens its store with. */
    String uri(int slot) {
        return uris.get(slot);
    }

    /** Whether {@link #cut} can cut anything (the store is a server and cuts are on). */
    boolean cuttable() {
        return !proxies.isEmpty();
    }

    /** Cuts every connection of the server in {@code slot} to the store, and refuses new ones, for {@code duration}. */
    void cut(int slot, Duration duration) {
        proxies.get(slot).cut(duration);
    }

    @Override
    public void close() {
        proxies.forEach(TcpProxy::close);
    }
}
