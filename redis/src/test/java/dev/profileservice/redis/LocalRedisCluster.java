package dev.profileservice.redis;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away three-node Redis Cluster for the tests: three {@code redis-server} processes on free
 * loopback ports (no persistence, data in a temp directory), joined with
 * {@code redis-cli --cluster create}. {@link #close()} stops exactly those processes and deletes the
 * directory. Set {@code PROFILESERVICE_TEST_REDIS_CLUSTER_URI} (a seed node, e.g.
 * {@code redis://127.0.0.1:7000}) to use an existing cluster instead. Fails, never skips, when
 * {@code redis-server} is missing.
 */
final class LocalRedisCluster implements AutoCloseable {
    static final String ENV = "PROFILESERVICE_TEST_REDIS_CLUSTER_URI";

    private final List<Process> processes = new ArrayList<>();
    private final Path dir;
    private final String seed;
    private final Thread hook;

    private LocalRedisCluster(Path dir, String seed) {
        this.dir = dir;
        this.seed = seed;
        this.hook = new Thread(this::stopProcesses, "local-redis-cluster-stop");
    }

    /** The seed URI (no query). */
    String seedUri() {
        return seed;
    }

    static LocalRedisCluster start() {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return new LocalRedisCluster(null, env.trim());
        }
        try {
            Path dir = Files.createTempDirectory("ps-redis-cluster");
            List<Integer> ports = freePorts(3);
            LocalRedisCluster cluster = new LocalRedisCluster(dir, "redis://127.0.0.1:" + ports.get(0));
            Runtime.getRuntime().addShutdownHook(cluster.hook);
            try {
                for (int port : ports) {
                    File log = dir.resolve("redis-" + port + ".log").toFile();
                    cluster.processes.add(new ProcessBuilder(serverCommand(
                                    port,
                                    dir,
                                    "--cluster-enabled",
                                    "yes",
                                    "--cluster-config-file",
                                    dir.resolve("nodes-" + port + ".conf").toString(),
                                    "--cluster-node-timeout",
                                    "2000"))
                            .redirectErrorStream(true)
                            .redirectOutput(log)
                            .start());
                }
                for (int port : ports) {
                    awaitPing(port);
                }
                List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
                ports.forEach(p -> create.add("127.0.0.1:" + p));
                create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
                Process join =
                        new ProcessBuilder(create).redirectErrorStream(true).start();
                String out = new String(join.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!join.waitFor(30, TimeUnit.SECONDS) || join.exitValue() != 0) {
                    throw new IllegalStateException("redis-cli --cluster create failed:\n" + out);
                }
                for (int port : ports) {
                    awaitClusterOk(port);
                }
                return cluster;
            } catch (RuntimeException | IOException | InterruptedException e) {
                cluster.close();
                throw e;
            }
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot start a local Redis Cluster (is redis-server installed? set " + ENV
                            + " to use an existing cluster): " + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code redis-server} on loopback {@code port}, no persistence, data in {@code dir}, then {@code more}. */
    static List<String> serverCommand(int port, Path dir, String... more) {
        List<String> command = new ArrayList<>(List.of(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString(),
                "--protected-mode",
                "no"));
        command.addAll(List.of(more));
        return command;
    }

    /** Deletes {@code dir} and everything in it; a temp directory left behind is harmless. */
    static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }

    static void awaitPing(int port) {
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptions()
                .until(() -> "PONG".equals(onNode(port, c -> c.sync().ping())));
    }

    private static void awaitClusterOk(int port) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> onNode(port, c -> c.sync().clusterInfo()).contains("cluster_state:ok"));
    }

    interface OnNode<T> {
        T run(StatefulRedisConnection<String, String> c);
    }

    static <T> T onNode(int port, OnNode<T> body) {
        return withClient(port, client -> {
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                return body.run(c);
            }
        });
    }

    /** Runs {@code body} with a client of loopback {@code port} (2 s timeout), shut down after. */
    static <T> T withClient(int port, java.util.function.Function<RedisClient, T> body) {
        RedisURI uri = RedisURI.create("127.0.0.1", port);
        uri.setTimeout(Duration.ofSeconds(2));
        RedisClient client = RedisClient.create(uri);
        try {
            return body.apply(client);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** Ports whose cluster-bus port (+10000) is free as well. */
    static List<Integer> freePorts(int n) throws IOException {
        List<Integer> ports = new ArrayList<>();
        while (ports.size() < n) {
            int candidate;
            try (ServerSocket s = new ServerSocket(0)) {
                candidate = s.getLocalPort();
            }
            if (candidate + 10000 > 65535 || ports.contains(candidate)) {
                continue;
            }
            try (ServerSocket bus = new ServerSocket(candidate + 10000)) {
                ports.add(candidate);
            } catch (IOException taken) {
                // try another
            }
        }
        return ports;
    }

    private void stopProcesses() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stopProcesses();
        if (dir != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
            deleteTree(dir);
        }
    }
}
