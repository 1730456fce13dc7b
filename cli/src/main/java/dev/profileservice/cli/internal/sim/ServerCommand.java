package dev.profileservice.cli.internal.sim;

import dev.profileservice.cli.internal.GameServerOptions;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a game-server child ({@code profiles server-node}): this JVM's java and class
 * path, {@code --child-jvm-options}, and the child's options: the slot's store link, the profile
 * store, the job id, the game-server settings and the slot's clock offset. Immutable; used by
 * {@link ServerSupervisor} on the thread that starts or restarts a child.
 */
record ServerCommand(SimConfig cfg, StoreLinks links, String storeName) {

    /** The command that starts job {@code job} in slot {@code slot}. */
    List<String> forJob(int slot, String job) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        cmd.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        if (cfg.childJvmOptions() != null && !cfg.childJvmOptions().isBlank()) {
            cmd.addAll(List.of(cfg.childJvmOptions().trim().split("\\s+")));
        }
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add("dev.profileservice.cli.Main");
        cmd.add("server-node");
        cmd.add("--store=" + links.uri(slot));
        cmd.add("--profile-store=" + storeName);
        cmd.add("--job-id=" + job);
        cmd.addAll(GameServerOptions.childArguments(cfg));
        cmd.add("--clock-offset-ms=" + cfg.clockOffset(slot).toMillis());
        cmd.add("--latency-ms=" + cfg.latency().toMillis());
        cmd.add("--jitter-ms=" + cfg.jitter().toMillis());
        return cmd;
    }

    /** This JVM's class path with absolute entries, so that the children find the same classes. */
    private static String classPath() {
        List<String> abs = new ArrayList<>();
        for (String p : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!p.isBlank()) {
                abs.add(Path.of(p).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, abs);
    }
}
