package dev.profileservice.cli.internal;

import dev.profileservice.cli.internal.sim.ServerNode;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Hidden: one game-server child process of {@code profiles simulate}. Not for people. */
@Command(
        name = "server-node",
        hidden = true,
        mixinStandardHelpOptions = true,
        description = "Internal: one simulated game server, driven by 'profiles simulate' over stdin/stdout.")
public final class ServerNodeCommand implements Callable<Integer> {

    @Option(names = "--store", required = true)
    String uri;

    @Option(names = "--profile-store", required = true)
    String storeName;

    @Option(names = "--job-id", required = true)
    String jobId;

    @Mixin
    GameServerOptions serverSettings;

    @Option(names = "--clock-offset-ms", defaultValue = "0")
    long clockOffsetMs;

    @Option(names = "--latency-ms", defaultValue = "0")
    long latencyMs;

    @Option(names = "--jitter-ms", defaultValue = "0")
    long jitterMs;

    @Override
    public Integer call() throws Exception {
        GameServerOptions g = serverSettings;
        new ServerNode(new ServerNode.Settings(
                        uri,
                        storeName,
                        jobId,
                        g.lease,
                        g.autoSave,
                        g.forceLoadTimeout,
                        g.pollInterval,
                        g.editInterval,
                        Duration.ofMillis(clockOffsetMs),
                        Duration.ofMillis(latencyMs),
                        Duration.ofMillis(jitterMs)))
                .run();
        return 0;
    }
}
