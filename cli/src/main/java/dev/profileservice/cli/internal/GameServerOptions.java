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
    private static final String LEASE = "--lease";
    private static final String AUTO_SAVE = "--auto-save";
    private static final String FORCE_LOAD_TIMEOUT = "--force-load-timeout";
    private static final String POLL_INTERVAL = "--poll-interval";
    private static final String EDIT_INTERVAL = "--edit-interval";

    @Option(names = LEASE, defaultValue = "3s", description = "Servers' lease (default: ${DEFAULT-VALUE})")
    Duration lease;

    @Option(names = AUTO_SAVE, defaultValue = "2s", description = "Auto-save period (default: ${DEFAULT-VALUE})")
    Duration autoSave;

    @Option(
            names = FORCE_LOAD_TIMEOUT,
            defaultValue = "3s",
            description = "FORCE_LOAD wait for a live owner before stealing (default: ${DEFAULT-VALUE})")
    Duration forceLoadTimeout;

    @Option(
            names = POLL_INTERVAL,
            defaultValue = "250ms",
            description = "Servers' poll interval (default: ${DEFAULT-VALUE})")
    Duration pollInterval;

    @Option(
            names = EDIT_INTERVAL,
            defaultValue = "250ms",
            description = "Each online player edits its data this often (default: ${DEFAULT-VALUE})")
    Duration editInterval;

    /** The settings of {@code cfg} as these options, for a {@code server-node} child's command line. */
    public static List<String> childArguments(SimConfig cfg) {
        return List.of(
                childArgument(LEASE, cfg.lease()),
                childArgument(AUTO_SAVE, cfg.autoSave()),
                childArgument(FORCE_LOAD_TIMEOUT, cfg.forceLoadTimeout()),
                childArgument(POLL_INTERVAL, cfg.pollInterval()),
                childArgument(EDIT_INTERVAL, cfg.editInterval()));
    }

    /** {@code --option=<millis>ms}, which the child reads back without rounding. */
    private static String childArgument(String option, Duration value) {
        return option + "=" + value.toMillis() + "ms";
    }

    /** The settings that must be positive. */
    List<Duration> all() {
        return List.of(lease, autoSave, forceLoadTimeout, pollInterval, editInterval);
    }
}
