package dev.profileservice.cli.internal.sim;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The simulation's TCP proxy forwards bytes, cuts every connection on demand, and recovers; URIs are re-pointed at it. */
class TcpProxyTest {
    private ServerSocket echo;

    @AfterEach
    void stop() throws IOException {
        if (echo != null) {
            echo.close();
        }
    }

    private int startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread c = new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // closed
                        }
                    });
                    c.setDaemon(true);
                    c.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return echo.getLocalPort();
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes());
        s.getOutputStream().flush();
        byte[] buf = new byte[text.length()];
        int n = 0;
        while (n < buf.length) {
            int r = s.getInputStream().read(buf, n, buf.length - n);
            if (r < 0) {
                throw new IOException("closed");
            }
            n += r;
        }
        return new String(buf);
    }

    @Test
    void forwardsCutsAndRecovers() throws Exception {
        try (TcpProxy proxy = new TcpProxy("127.0.0.1", startEcho())) {
            Socket before = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
            before.setSoTimeout(5_000);
            assertThat(roundTrip(before, "hello")).isEqualTo("hello");

            proxy.cut(400);
            assertThat(proxy.isCut()).isTrue();
            assertThatThrownBy(() -> roundTrip(before, "lost")).isInstanceOf(IOException.class);
            try (Socket during = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                during.setSoTimeout(5_000);
                assertThatThrownBy(() -> roundTrip(during, "refused")).isInstanceOf(IOException.class);
            }

            await().atMost(Duration.ofSeconds(5)).until(() -> !proxy.isCut());
            try (Socket after = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                after.setSoTimeout(5_000);
                assertThat(roundTrip(after, "again")).isEqualTo("again");
            }
        }
    }

    @Test
    void serverStoreUrisArePointedAtTheProxy() {
        Simulation.HostPort pg = Simulation.HostPort.of("postgresql://app:s3cret@db.example:6543/game?poolSize=4");
        assertThat(pg.host()).isEqualTo("db.example");
        assertThat(pg.port()).isEqualTo(6543);
        assertThat(pg.rewrite("postgresql://app:s3cret@db.example:6543/game?poolSize=4", "127.0.0.1", 4000))
                .isEqualTo("postgresql://app:s3cret@127.0.0.1:4000/game?poolSize=4");
        Simulation.HostPort redis = Simulation.HostPort.of("redis://127.0.0.1");
        assertThat(redis.port()).isEqualTo(6379);
        assertThat(redis.rewrite("redis://127.0.0.1", "127.0.0.1", 5000)).isEqualTo("redis://127.0.0.1:5000");
        assertThat(Simulation.HostPort.of("mariadb://root@localhost/test").port()).isEqualTo(3306);
        assertThat(Simulation.isServerStore("sqlite:/tmp/x.db")).isFalse();
        assertThat(Simulation.isServerStore("postgresql://h/db")).isTrue();
    }
}
