package dev.profileservice.cli.internal;

import dev.profileservice.cli.internal.sim.ServerNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Hidden: one game-server child process of {@code profiles simulate}. Not for people. */
@Command(name = "server-node", hidden = true, mixinStandardHelpOptions = true,
        description = "Internal: one simulated game server, driven by 'profiles simulate' over stdin/stdout.")
public final class ServerNodeCommand implements Callable<Integer> {

    @Option(names = "--store", required = true)
    String uri;

    @Option(names = "--profile-store", required = true)
    String storeName;

    @Option(names = "--job-id", required = true)
    String jobId;

    @Option(names = "--lease-ms", defaultValue = "3000")
    long leaseMs;

    @Option(names = "--auto-save-ms", defaultValue = "2000")
    long autoSaveMs;

    @Option(names = "--force-load-timeout-ms", defaultValue = "3000")
    long forceLoadTimeoutMs;

    @Option(names = "--poll-ms", defaultValue = "250")
    long pollMs;

    @Option(names = "--edit-interval-ms", defaultValue = "250")
    long editIntervalMs;

    @Option(names = "--clock-offset-ms", defaultValue = "0")
    long clockOffsetMs;

    @Override
    public Integer call() throws Exception {
        new ServerNode(new ServerNode.Settings(uri, storeName, jobId, Duration.ofMillis(leaseMs),
                Duration.ofMillis(autoSaveMs), Duration.ofMillis(forceLoadTimeoutMs), Duration.ofMillis(pollMs),
                Duration.ofMillis(editIntervalMs), Duration.ofMillis(clockOffsetMs))).run();
        return 0;
    }
}
