package dev.profileservice.cli.internal.sim;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * One line of progress: players online, hops per second, gifts, faults so far. Every second over
 * the same line on a terminal, every five seconds on a line of its own otherwise.
 *
 * <p>Runs on a daemon thread of its own ({@code sim-progress}), which reads the run's state under
 * the simulation lock.
 */
final class ProgressPrinter {
    private final SimContext sim;
    private final PrintWriter out;
    private final boolean terminal;
    private final PlayerDriver players;
    /** When play began: set before the thread starts, which only reads it. */
    private long startAt;

    private long hopsAtLastLine;
    private long lastLineAt;
    private final Thread thread = Daemons.thread(this::loop, "sim-progress");

    ProgressPrinter(SimContext sim, PrintWriter out, boolean terminal, PlayerDriver players) {
        this.sim = sim;
        this.out = out;
        this.terminal = terminal;
        this.players = players;
    }

    /** Starts the thread; its lines count time from {@code startAt}, when play began. */
    void start(long startAt) {
        this.startAt = startAt;
        this.lastLineAt = startAt;
        thread.start();
    }

    /** Stops the thread and waits (briefly) for it to end the line it overwrites. */
    void stop() throws InterruptedException {
        thread.interrupt();
        thread.join(2_000);
    }

    private void loop() {
        long lastPlain = 0;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(1_000);
                long now = System.currentTimeMillis();
                if (terminal) {
                    out.print("\r" + line() + "   ");
                    out.flush();
                } else if (now - lastPlain >= 5_000) {
                    lastPlain = now;
                    out.println(line());
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            if (terminal) {
                out.println();
                out.flush();
            }
        }
    }

    private String line() {
        synchronized (sim.lock()) {
            long now = System.currentTimeMillis();
            double seconds = Math.max(0.001, (now - lastLineAt) / 1000.0);
            double hopsPerSecond = (sim.history().hops - hopsAtLastLine) / seconds;
            hopsAtLastLine = sim.history().hops;
            lastLineAt = now;
            return String.format(
                    Locale.ROOT,
                    "%5.1fs%s  online %d/%d  hops/s %.1f  gifts sent %d applied %d  faults: kill %d, stop %d, cut %d,"
                            + " bus cut %d, slow %d"
                            + "  admin: rollbacks %d, wipes %d",
                    (now - startAt) / 1000.0,
                    players.draining() ? " [draining]" : "",
                    players.online(),
                    players.count(),
                    hopsPerSecond,
                    sim.history().gifts.size(),
                    sim.history().giftsApplied(),
                    sim.history().count(FaultKind.KILL),
                    sim.history().count(FaultKind.FREEZE),
                    sim.history().count(FaultKind.CUT),
                    sim.history().count(FaultKind.BUS_CUT),
                    sim.history().count(FaultKind.SLOW),
                    sim.history().rollbacks.size(),
                    sim.history().wipes.size());
        }
    }
}
