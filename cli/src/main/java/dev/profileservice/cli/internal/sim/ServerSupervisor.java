package dev.profileservice.cli.internal.sim;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileservice.cli.internal.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The game-server child processes, one per slot: starts them ({@link ServerCommand}), restarts
 * a slot whose process died, kills, pauses and resumes them, stops them gracefully at the end, and
 * hands each child's output lines, and its exit, to a {@link Listener}.
 *
 * <p>Threads: one daemon reader thread per child ({@code sim-read-<job>}) reads its standard output,
 * keeps a copy in {@code <job>.events.jsonl}, and calls the listener under the simulation lock,
 * notifying the lock's waiters after each call. {@link #awaitReady}, {@link #stopAll} and
 * {@link #destroyAll} run on the driving thread and take the lock themselves; every other method
 * expects its caller (the driving thread, or a reader thread through the listener) to hold it.
 */
final class ServerSupervisor {

    /** What becomes of a child's output. Called on its reader thread, under the simulation lock. */
    interface Listener {
        /** One event line of {@code server}, parsed. */
        void onEvent(ServerProcess server, JsonNode event);

        /** A line of {@code server} that is not JSON. */
        void onUnreadable(ServerProcess server, String line);

        /** {@code server}'s output ended and it exited; {@link ServerProcess#dead} is set. */
        void onExit(ServerProcess server);
    }

    private final SimContext sim;
    private final Path runDir;
    private final ServerCommand command;
    private final ServerProcess[] slots;
    private final List<ServerProcess> all = new ArrayList<>();
    private Listener listener;
    private boolean stopping;

    ServerSupervisor(SimContext sim, Path runDir, ServerCommand command) {
        this.sim = sim;
        this.runDir = runDir;
        this.command = command;
        this.slots = new ServerProcess[sim.cfg().servers()];
    }

    /** Starts one process per slot (caller holds the lock); {@link #awaitReady} waits for them. */
    void startAll(Listener listener) {
        this.listener = listener;
        for (int slot = 0; slot < slots.length; slot++) {
            start(slot, 0);
        }
    }

    /** The current process of every slot. */
    List<ServerProcess> current() {
        return Arrays.asList(slots);
    }

    /** Whether {@code s} is still its slot's process (not replaced by a restart). */
    boolean isCurrent(ServerProcess s) {
        return slots[s.slot] == s;
    }

    private void start(int slot, int incarnation) {
        String job = ServerProcess.job(slot, incarnation);
        Path log = runDir.resolve(job + ".log");
        Process process;
        try {
            process = new ProcessBuilder(command.forJob(slot, job))
                    .redirectError(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a server process: " + e.getMessage(), e);
        }
        ServerProcess s = new ServerProcess(slot, incarnation, process, log);
        slots[slot] = s;
        all.add(s);
        Daemons.thread(() -> readLoop(s), "sim-read-" + s.job).start();
    }

    /**
     * Waits until every slot's process said it is ready (takes the lock).
     *
     * @throws IllegalStateException if one exits first or {@code timeoutMs} passes, naming its logs
     */
    void awaitReady(long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        synchronized (sim.lock()) {
            while (true) {
                boolean all = true;
                for (ServerProcess s : slots) {
                    if (s.dead) {
                        throw new IllegalStateException(
                                "server process " + s.job + " exited during start-up; see " + s.log);
                    }
                    all &= s.ready;
                }
                if (all) {
                    return;
                }
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    throw new IllegalStateException(
                            "server processes not ready after " + timeoutMs / 1000 + " s; see logs in " + runDir);
                }
                sim.lock().wait(Math.min(left, 200));
            }
        }
    }

    /** kill -9: the reader thread then reports the exit, and the slot restarts after {@code --restart-after}. */
    void kill(ServerProcess s, long now) {
        s.killedByUs = true;
        s.killAt = now;
        s.process.destroyForcibly();
    }

    /** SIGSTOP; false if the signal could not be sent (then nothing changed). */
    boolean pause(ServerProcess s) {
        if (!signal(s, "-STOP")) {
            return false;
        }
        s.frozen = true;
        return true;
    }

    /** SIGCONT, if paused. */
    void resume(ServerProcess s) {
        if (s.frozen) {
            signal(s, "-CONT");
            s.frozen = false;
        }
    }

    private boolean signal(ServerProcess s, String sig) {
        try {
            Process kill = new ProcessBuilder("kill", sig, Long.toString(s.process.pid()))
                    .redirectErrorStream(true)
                    .start();
            return kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0;
        } catch (IOException e) {
            sim.history().issue("cannot send " + sig + " to " + s.job + ": " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Asks every server to shut down (each releases its profiles with a final save) and waits up to
     * {@code timeoutMs} for them to exit; kills those that do not, as an issue. No restarts after
     * this. Takes the lock.
     */
    void stopAll(long timeoutMs) throws InterruptedException {
        synchronized (sim.lock()) {
            stopping = true;
            for (ServerProcess s : slots) {
                s.shutdownRequested = true;
                s.send(Map.of("op", "shutdown"));
            }
            long deadline = System.currentTimeMillis() + timeoutMs;
            while (System.currentTimeMillis() < deadline
                    && !Arrays.stream(slots).allMatch(s -> s.dead)) {
                sim.lock().wait(100);
            }
            for (ServerProcess s : slots) {
                if (!s.dead) {
                    sim.history()
                            .issue(s.job + " did not stop within " + timeoutMs / 1000
                                    + " s of the shutdown command; killed");
                    s.process.destroyForcibly();
                }
            }
        }
    }

    /** Kills every process still alive, paused ones included (the run ended early or failed). Takes the lock. */
    void destroyAll() {
        synchronized (sim.lock()) {
            for (ServerProcess s : all) {
                if (s.process.isAlive()) {
                    resume(s);
                    s.process.destroyForcibly();
                }
            }
        }
    }

    private void readLoop(ServerProcess s) {
        try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(s.process.getInputStream(), StandardCharsets.UTF_8));
                BufferedWriter events =
                        Files.newBufferedWriter(runDir.resolve(s.job + ".events.jsonl"), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                events.write(line);
                events.write('\n');
                JsonNode event;
                try {
                    event = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    event = null;
                }
                synchronized (sim.lock()) {
                    if (event == null) {
                        listener.onUnreadable(s, line);
                    } else {
                        listener.onEvent(s, event);
                    }
                    sim.lock().notifyAll();
                }
            }
        } catch (IOException e) {
            // the process died
        }
        try {
            s.process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (sim.lock()) {
            exited(s);
            sim.lock().notifyAll();
        }
    }

    private void exited(ServerProcess s) {
        if (s.dead) {
            return;
        }
        s.dead = true;
        listener.onExit(s);
        if (!s.shutdownRequested && isCurrent(s)) {
            sim.timers()
                    .at(System.currentTimeMillis() + sim.cfg().restartAfter().toMillis(), () -> {
                        if (isCurrent(s) && !stopping) {
                            start(s.slot, s.incarnation + 1);
                        }
                    });
        }
    }
}
