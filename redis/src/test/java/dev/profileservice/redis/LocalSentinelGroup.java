package dev.profileservice.redis;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.KillArgs;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.io.File;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away Redis Sentinel group for the tests: a primary, two replicas and three sentinels
 * (quorum 2, a primary is down after 1 s), each a {@code redis-server} process on a free loopback
 * port, data in a temp directory. The replica replicates as a user of its own ({@code repl}), which
 * the tests switch off on the primary to hold it back while the primary acknowledges writes (the
 * sentinels see nothing to repair, unlike a proxy in the link, which they would route around); they
 * kill the primary with {@code kill -9} and wait for the sentinels to promote a replica.
 * {@link #close()} stops exactly those processes and deletes the directory.
 */
final class LocalSentinelGroup implements AutoCloseable {
    static final String MASTER = "mymaster";

    private final Path dir;
    private final int primaryPort;
    private final List<Integer> replicaPorts;
    private final List<Integer> sentinelPorts;
    private final Process primary;
    private final List<Process> all = new ArrayList<>();

    private LocalSentinelGroup(Path dir, List<Integer> ports) throws IOException {
        this.dir = dir;
        this.primaryPort = ports.get(0);
        this.replicaPorts = ports.subList(1, 3);
        this.sentinelPorts = ports.subList(3, 6);
        this.primary = server(primaryPort);
        for (int port : replicaPorts) {
            server(
                    port,
                    "--replicaof",
                    "127.0.0.1",
                    Integer.toString(primaryPort),
                    "--masteruser",
                    "repl",
                    "--masterauth",
                    "repl-secret");
        }
        // every node knows the replication user: any of them may be promoted and serve the others
        for (int port : ports.subList(0, 3)) {
            LocalRedisCluster.awaitPing(port);
            LocalRedisCluster.onNode(
                    port,
                    c -> c.sync()
                            .aclSetuser(
                                    "repl",
                                    AclSetuserArgs.Builder.on()
                                            .addPassword("repl-secret")
                                            .allCommands()
                                            .allKeys()));
        }
        for (int port : sentinelPorts) {
            Path conf = dir.resolve("sentinel-" + port + ".conf");
            Files.writeString(
                    conf,
                    String.join(
                            "\n",
                            "port " + port,
                            "bind 127.0.0.1",
                            "dir " + dir,
                            "sentinel monitor " + MASTER + " 127.0.0.1 " + primaryPort + " 2",
                            "sentinel down-after-milliseconds " + MASTER + " 1000",
                            "sentinel failover-timeout " + MASTER + " 5000",
                            "sentinel parallel-syncs " + MASTER + " 1",
                            ""));
            all.add(start(List.of("redis-server", conf.toString(), "--sentinel"), "sentinel-" + port));
        }
    }

    /** Starts the group and waits until the replicas are in sync and every sentinel knows the others. */
    static LocalSentinelGroup start() {
        LocalSentinelGroup group = null;
        try {
            Path dir = Files.createTempDirectory("ps-redis-sentinel");
            group = new LocalSentinelGroup(dir, LocalRedisCluster.freePorts(6));
            for (int port : group.replicaPorts) {
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100))
                        .ignoreExceptions()
                        .until(() -> LocalRedisCluster.onNode(
                                        port, c -> c.sync().info("replication"))
                                .contains("master_link_status:up"));
            }
            for (int port : group.sentinelPorts) {
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100))
                        .ignoreExceptions()
                        .until(() -> onSentinel(port, s -> {
                            java.util.Map<String, String> m = s.sync().master(MASTER);
                            return "2".equals(m.get("num-slaves")) && "2".equals(m.get("num-other-sentinels"));
                        }));
            }
            return group;
        } catch (IOException | RuntimeException e) {
            if (group != null) {
                group.close();
            }
            throw new IllegalStateException(
                    "cannot start a local Redis Sentinel group (is redis-server installed?): " + e.getMessage(), e);
        }
    }

    /** {@code redis-sentinel://} for this group, with {@code query} (e.g. {@code wait=1&prefix=x}). */
    String uri(String query) {
        StringBuilder b = new StringBuilder("redis-sentinel://");
        for (int i = 0; i < sentinelPorts.size(); i++) {
            b.append(i == 0 ? "" : ",").append("127.0.0.1:").append(sentinelPorts.get(i));
        }
        return b.append(query.isEmpty() ? "" : "?" + query)
                .append('#')
                .append(MASTER)
                .toString();
    }

    int primaryPort() {
        return primaryPort;
    }

    /** {@code kill -9} of the primary: whatever it acknowledged but did not replicate is gone. */
    void killPrimary() throws InterruptedException {
        primary.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Cuts the replicas off the live primary: their replication user is switched off there and their
     * links killed, so they take nothing the primary acknowledges from now on (a frozen process
     * would: the kernel buffers the stream for it).
     */
    void holdBackReplicas() {
        LocalRedisCluster.onNode(primaryPort, c -> {
            c.sync().aclSetuser("repl", AclSetuserArgs.Builder.off());
            return c.sync().clientKill(KillArgs.Builder.user("repl"));
        });
        for (int port : replicaPorts) {
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions()
                    .until(() -> LocalRedisCluster.onNode(port, c -> c.sync().info("replication"))
                            .contains("master_link_status:down"));
        }
    }

    /** Lets the held-back replicas replicate again. */
    void releaseReplicas() {
        LocalRedisCluster.onNode(primaryPort, c -> c.sync().aclSetuser("repl", AclSetuserArgs.Builder.on()));
    }

    /** Waits until the sentinels name a replica as the primary. */
    void awaitFailover() {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> onSentinel(sentinelPorts.get(0), s -> {
                    SocketAddress master = s.sync().getMasterAddrByName(MASTER);
                    return replicaPorts.stream()
                            .anyMatch(port -> master.toString().endsWith(":" + port));
                }));
    }

    private interface OnSentinel<T> {
        T run(StatefulRedisSentinelConnection<String, String> s);
    }

    private static <T> T onSentinel(int port, OnSentinel<T> body) {
        return LocalRedisCluster.withClient(port, client -> {
            try (StatefulRedisSentinelConnection<String, String> s = client.connectSentinel()) {
                return body.run(s);
            }
        });
    }

    private Process server(int port, String... more) throws IOException {
        return start(LocalRedisCluster.serverCommand(port, dir, more), "redis-" + port);
    }

    private Process start(List<String> command, String name) throws IOException {
        File log = dir.resolve(name + ".log").toFile();
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();
        all.add(p);
        return p;
    }

    @Override
    public void close() {
        for (Process p : all) {
            p.destroyForcibly();
        }
        for (Process p : all) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LocalRedisCluster.deleteTree(dir);
    }
}
