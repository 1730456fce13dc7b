package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpProxyTest {

    private ServerSocket echo;
    private Thread echoThread;

    @BeforeEach
    void startEchoServer() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThread = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread t = new Thread(() -> {
                        try (s;
                                var in = s.getInputStream();
                                OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // client went away
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        echoThread.setDaemon(true);
        echoThread.start();
    }

    @AfterEach
    void stopEchoServer() throws IOException {
        echo.close();
    }

    private static String roundTrip(Socket s, String line) throws IOException {
        PrintWriter w = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
        BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        w.println(line);
        return r.readLine();
    }

    /** A round trip through {@code s} fails: EOF or a reset. */
    private static void assertBroken(Socket s, String line) {
        assertThatThrownBy(() -> {
                    if (roundTrip(s, line) == null) {
                        throw new IOException("EOF");
                    }
                })
                .isInstanceOf(IOException.class);
    }

    private Socket client(TcpProxy proxy) throws IOException {
        Socket s = new Socket(proxy.host(), proxy.port());
        s.setSoTimeout(5000);
        return s;
    }

    @Test
    void forwardsBothWays() throws IOException {
        try (TcpProxy proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort());
                Socket s = client(proxy)) {
            assertThat(proxy.port()).isNotEqualTo(echo.getLocalPort()).isPositive();
            assertThat(roundTrip(s, "hello")).isEqualTo("hello");
            String big = "x".repeat(200_000);
            assertThat(roundTrip(s, big)).isEqualTo(big);
            assertThat(proxy.acceptedConnections()).isEqualTo(1);
        }
    }

    @Test
    void cutClosesLiveConnectionsAndRefusesNewOnesUntilRestore() throws IOException {
        try (TcpProxy proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort())) {
            Socket s = client(proxy);
            assertThat(roundTrip(s, "before")).isEqualTo("before");
            proxy.cut();
            assertThat(proxy.isCut()).isTrue();
            // the live connection is dead: reading gives EOF or a reset
            assertBroken(s, "during");
            s.close();

            // new connections are accepted by the OS but closed at once
            try (Socket s2 = client(proxy)) {
                assertBroken(s2, "refused");
            }

            proxy.restore();
            try (Socket s3 = client(proxy)) {
                assertThat(roundTrip(s3, "after")).isEqualTo("after");
            }
        }
    }

    @Test
    void aTimedCutHealsByItself() throws IOException {
        try (TcpProxy proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort());
                Socket live = client(proxy)) {
            assertThat(roundTrip(live, "before")).isEqualTo("before");
            proxy.cut(Duration.ofMillis(400));
            assertBroken(live, "during");
            try (Socket refused = client(proxy)) {
                assertBroken(refused, "refused");
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> !proxy.isCut());
            try (Socket healed = client(proxy)) {
                assertThat(roundTrip(healed, "after")).isEqualTo("after");
            }
        }
    }

    @Test
    void theLastCutOrRestoreDecides() {
        try (TcpProxy proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort())) {
            proxy.cut();
            proxy.cut(Duration.ofMillis(200));
            await().atMost(Duration.ofSeconds(5)).until(() -> !proxy.isCut());
            proxy.cut(Duration.ofMillis(200));
            proxy.cut();
            await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(2)).until(proxy::isCut);
            proxy.cut(Duration.ofDays(365 * 300)); // beyond what nanoTime can count: until restore()
            assertThat(proxy.isCut()).isTrue();
            proxy.restore();
            assertThat(proxy.isCut()).isFalse();
        }
    }

    @Test
    void closeStopsListening() throws IOException {
        TcpProxy proxy = TcpProxy.start("127.0.0.1", echo.getLocalPort());
        Socket s = client(proxy);
        assertThat(roundTrip(s, "x")).isEqualTo("x");
        int port = proxy.port();
        proxy.close();
        proxy.close(); // idempotent
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.liveSockets() == 0);
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
        s.close();
    }

    @Test
    void unreachableTargetClosesTheClient() throws IOException {
        int deadPort;
        try (ServerSocket tmp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = tmp.getLocalPort();
        }
        try (TcpProxy proxy = TcpProxy.start("127.0.0.1", deadPort);
                Socket s = client(proxy)) {
            assertBroken(s, "x");
        }
    }
}
