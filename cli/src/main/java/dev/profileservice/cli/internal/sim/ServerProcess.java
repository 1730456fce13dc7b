package dev.profileservice.cli.internal.sim;

import dev.profileservice.cli.internal.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * One incarnation of a server slot: a child JVM running {@link ServerNode}, the pipe to its standard
 * input, and what the parent knows of its state. A slot killed and restarted gets a new incarnation
 * (job {@code server-1-r1}, {@code server-1-r2}, ...). Mutable fields are guarded by the simulation lock.
 */
final class ServerProcess {
    final int slot;
    final int incarnation;
    /** The job id its ProfileService runs with, and the name of its files in the run folder. */
    final String job;

    final Process process;
    /** Its standard error. */
    final Path log;

    private final BufferedWriter stdin;
    /** Said "ready": its ProfileService is open. */
    boolean ready;
    /** Its output ended and the process exited (or was given up on). */
    boolean dead;

    boolean frozen;
    boolean killedByUs;
    boolean shutdownRequested;
    /** When it was killed or died (millis): the fault time of the players it stranded. */
    long killAt;
    /** Its store connection is cut until then (millis). */
    long cutUntil;
    /** Until when a message-channel cut or a slow store of this server lasts (millis), else 0. */
    long degradedUntil;
    /** When a kill is planned shortly after its store connection heals (millis), else 0. */
    long killAfterOutageAt;

    ServerProcess(int slot, int incarnation, Process process, Path log) {
        this.slot = slot;
        this.incarnation = incarnation;
        this.job = job(slot, incarnation);
        this.process = process;
        this.log = log;
        this.stdin = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    }

    static String job(int slot, int incarnation) {
        return "server-" + slot + (incarnation == 0 ? "" : "-r" + incarnation);
    }

    /** Writes one command line to its standard input; nothing if it is dead. */
    void send(Map<String, Object> command) {
        if (dead) {
            return;
        }
        try {
            stdin.write(Json.write(command));
            stdin.write('\n');
            stdin.flush();
        } catch (IOException e) {
            // it died; the reader thread reports the exit
        }
    }

    /** Whether players may be sent to it now. */
    boolean usable(long now) {
        return ready && !dead && !frozen && !shutdownRequested && cutUntil <= now;
    }

    /**
     * Ready for the next fault: usable, with no kill still planned after its last outage. Not
     * "saved something since": the library must resume saving at once by itself, and the kill
     * that follows an outage checks it.
     */
    boolean recovered(long now) {
        return usable(now) && killAfterOutageAt == 0 && degradedUntil <= now;
    }

    /** The exit code, or "?" while it runs. */
    String exitCode() {
        try {
            return String.valueOf(process.exitValue());
        } catch (IllegalThreadStateException e) {
            return "?";
        }
    }
}
