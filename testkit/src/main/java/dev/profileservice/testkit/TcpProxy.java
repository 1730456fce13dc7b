package dev.profileservice.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder between a client under test and a real server (PostgreSQL, MariaDB, Redis), to
 * simulate a network cut without stopping the shared server: point the backend at
 * {@code 127.0.0.1:}{@link #port()}, then {@link #cut()} and {@link #restore()}, or {@link #cut(Duration)}
 * for a cut that heals by itself.
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.start("127.0.0.1", 5432)) {
 *     Backend backend = open("postgresql://postgres@127.0.0.1:" + proxy.port() + "/test");
 *     proxy.cut();      // every live connection is closed, new ones are refused (closed at once)
 *     proxy.restore();  // connections work again
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * One daemon acceptor thread, plus two daemon pump threads per live connection. All methods are
 * thread-safe.
 */
public final class TcpProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> live = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;
    /** Time origin of {@link #cutUntilNanos}, so that "never" and "until restored" fit in one long. */
    private final long originNanos = System.nanoTime();
    /** Cut while {@link #elapsedNanos()} is below this: 0 not cut, {@code Long.MAX_VALUE} until {@link #restore()}. */
    private volatile long cutUntilNanos;

    private volatile boolean closed;

    private TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Starts a proxy listening on {@code 127.0.0.1} at an ephemeral port, forwarding to
     * {@code targetHost:targetPort} (connected lazily, once per accepted client).
     *
     * @throws UncheckedIOException if the listening socket cannot be opened
     */
    public static TcpProxy start(String targetHost, int targetPort) {
        Objects.requireNonNull(targetHost, "targetHost");
        if (targetPort < 1 || targetPort > 65535) {
            throw new IllegalArgumentException("targetPort must be 1..65535, was " + targetPort);
        }
        try {
            return new TcpProxy(targetHost, targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a proxy listener for " + targetHost + ":" + targetPort, e);
        }
    }

    /** The local port clients should connect to (on 127.0.0.1). */
    public int port() {
        return server.getLocalPort();
    }

    /** The host clients should connect to: {@code "127.0.0.1"}. */
    public String host() {
        return server.getInetAddress().getHostAddress();
    }

    /** Client connections accepted so far (including ones refused while cut). */
    public int acceptedConnections() {
        return accepted.get();
    }

    /** Sockets currently open through the proxy (two per forwarded connection). */
    public int liveSockets() {
        return live.size();
    }

    /** Whether the proxy is cut. */
    public boolean isCut() {
        return elapsedNanos() < cutUntilNanos;
    }

    /**
     * Closes every live connection (both sides, abruptly) and closes new client connections at once
     * until {@link #restore()}.
     */
    public void cut() {
        cutUntil(Long.MAX_VALUE);
    }

    /**
     * Like {@link #cut()}, but forwards new connections again by itself once {@code duration} has
     * passed (no thread involved: the acceptor checks the time). The last call of {@code cut},
     * {@code cut(Duration)} and {@code restore} decides.
     */
    public void cut(Duration duration) {
        long elapsed = elapsedNanos();
        long left = Long.MAX_VALUE - elapsed; // a longer duration is a cut until restore()
        long nanos = duration.compareTo(Duration.ofNanos(left)) >= 0 ? left : Math.max(0, duration.toNanos());
        cutUntil(elapsed + nanos);
    }

    /** Forwards new connections again. */
    public void restore() {
        cutUntilNanos = 0;
    }

    private void cutUntil(long untilNanos) {
        cutUntilNanos = untilNanos;
        for (Socket s : live) {
            abort(s);
        }
        live.clear();
    }

    private long elapsedNanos() {
        return System.nanoTime() - originNanos;
    }

    /** Stops listening and closes every connection. Idempotent. */
    @Override
    public void close() {
        closed = true;
        cut();
        closeQuietly(server);
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            accepted.incrementAndGet();
            if (isCut() || closed) {
                abort(client);
                continue;
            }
            Thread connector = new Thread(() -> connect(client), "tcp-proxy-connect-" + port());
            connector.setDaemon(true);
            connector.start();
        }
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        try {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(new InetSocketAddress(targetHost, targetPort), 5000);
        } catch (IOException e) {
            abort(client);
            closeQuietly(upstream);
            return;
        }
        live.add(client);
        live.add(upstream);
        if (isCut() || closed) { // a cut raced with this connect
            live.remove(client);
            live.remove(upstream);
            abort(client);
            closeQuietly(upstream);
            return;
        }
        pump(client, upstream, "up");
        pump(upstream, client, "down");
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[16 * 1024];
                    try (InputStream in = from.getInputStream()) {
                        OutputStream out = to.getOutputStream();
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException ignored) {
                        // connection closed (by a peer or by cut()): fall through and close both sides
                    } finally {
                        live.remove(from);
                        live.remove(to);
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "tcp-proxy-" + direction + "-" + port());
        t.setDaemon(true);
        t.start();
    }

    /** Closes with RST (SO_LINGER 0) so the client sees a hard failure, like a cut cable with a reset. */
    private static void abort(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // closing anyway
        }
        closeQuietly(s);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort
        }
    }

    @Override
    public String toString() {
        return "TcpProxy[127.0.0.1:" + port() + " -> " + targetHost + ":" + targetPort + (isCut() ? ", cut" : "") + "]";
    }
}
