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
    private final Object lock;
    private final PrintWriter out;
    private final boolean terminal;
    private final PlayerDriver players;
    private final SimHistory history;
    private final long startAt;
    private final Thread thread = new Thread(this::loop, "sim-progress");
    private long hopsAtLastLine;
    private long lastLineAt;

    ProgressPrinter(
            Object lock, PrintWriter out, boolean terminal, PlayerDriver players, SimHistory history, long startAt) {
        this.lock = lock;
        this.out = out;
        this.terminal = terminal;
        this.players = players;
        this.history = history;
        this.startAt = startAt;
        thread.setDaemon(true);
    }

    void start() {
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
        synchronized (lock) {
            long now = System.currentTimeMillis();
            double seconds = Math.max(0.001, (now - (lastLineAt == 0 ? startAt : lastLineAt)) / 1000.0);
            double hopsPerSecond = (history.hops - hopsAtLastLine) / seconds;
            hopsAtLastLine = history.hops;
            lastLineAt = now;
            return String.format(
                    Locale.ROOT,
                    "%5.1fs%s  online %d/%d  hops/s %.1f  gifts sent %d applied %d  faults: kill %d, stop %d, cut %d",
                    (now - startAt) / 1000.0,
                    players.draining() ? " [draining]" : "",
                    players.online(),
                    players.count(),
                    hopsPerSecond,
                    history.gifts.size(),
                    history.giftsApplied(),
                    history.count(FaultKind.KILL),
                    history.count(FaultKind.FREEZE),
                    history.count(FaultKind.CUT));
        }
    }
}
