package dev.profileservice.cli.internal.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small TCP proxy on 127.0.0.1 that forwards to one upstream address and can cut every
 * connection on demand: {@link #cut(long)} closes all open connections and, until the given time
 * has passed, accepts and immediately closes new ones (what a client sees when the network between
 * it and the store fails). Used by the simulation to cut one game server off its server store.
 *
 * <p>Threads: one accept thread, and two pump threads per connection (daemon threads).
 */
public final class TcpProxy implements AutoCloseable {
    private final String upstreamHost;
    private final int upstreamPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile long cutUntilMillis;
    private volatile boolean closed;

    /** Starts listening on an ephemeral port of 127.0.0.1. */
    public TcpProxy(String upstreamHost, int upstreamPort) throws IOException {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "proxy-accept-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    /** The local port clients connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** Closes every open connection and refuses new ones for {@code millis}. */
    public void cut(long millis) {
        cutUntilMillis = System.currentTimeMillis() + millis;
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    /** Whether connections are being refused right now. */
    public boolean isCut() {
        return System.currentTimeMillis() < cutUntilMillis;
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
            if (isCut()) {
                closeQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(new InetSocketAddress(upstreamHost, upstreamPort), 5_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            pump(client, upstream);
            pump(upstream, client);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // connection cut or closed by a side
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        cut(0);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
