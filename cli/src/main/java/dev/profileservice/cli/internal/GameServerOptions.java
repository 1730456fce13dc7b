package dev.profileservice.cli.internal;

import dev.profileservice.cli.internal.sim.SimConfig;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * How each simulated game server runs, as a picocli {@code @Mixin}: its ProfileService's lease,
 * auto-save period, force-load timeout and poll interval, and how often its players edit. Given to
 * {@code profiles simulate}, which passes them on to every {@code server-node} child in the same
 * options, so both share one declaration and one set of defaults.
 */
public final class GameServerOptions {

    @Option(names = "--lease", defaultValue = "3s", description = "Servers' lease (default: ${DEFAULT-VALUE})")
    Duration lease;

    @Option(names = "--auto-save", defaultValue = "2s", description = "Auto-save period (default: ${DEFAULT-VALUE})")
    Duration autoSave;

    @Option(
            names = "--force-load-timeout",
            defaultValue = "3s",
            description = "FORCE_LOAD wait for a live owner before stealing (default: ${DEFAULT-VALUE})")
    Duration forceLoadTimeout;

    @Option(
            names = "--poll-interval",
            defaultValue = "250ms",
            description = "Servers' poll interval (default: ${DEFAULT-VALUE})")
    Duration pollInterval;

    @Option(
            names = "--edit-interval",
            defaultValue = "250ms",
            description = "Each online player edits its data this often (default: ${DEFAULT-VALUE})")
    Duration editInterval;

    /** The settings of {@code cfg} as these options, for a {@code server-node} child's command line. */
    public static List<String> childArguments(SimConfig cfg) {
        return List.of(
                "--lease=" + cfg.lease().toMillis() + "ms",
                "--auto-save=" + cfg.autoSave().toMillis() + "ms",
                "--force-load-timeout=" + cfg.forceLoadTimeout().toMillis() + "ms",
                "--poll-interval=" + cfg.pollInterval().toMillis() + "ms",
                "--edit-interval=" + cfg.editInterval().toMillis() + "ms");
    }

    /** The settings that must be positive. */
    List<Duration> all() {
        return List.of(lease, autoSave, forceLoadTimeout, pollInterval, editInterval);
    }
}
