package dev.profileservice.cli.internal;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The live line on standard error: over the same line every second on a terminal, a line of its
 * own every ten seconds otherwise.
 */
final class BulkProgress {
    private final BulkRun run;
    private final PrintWriter err;
    private final boolean terminal;
    private final long startNanos;
    private final Thread thread;
    private long doneAtLastLine;
    private long lastLineNanos;

    BulkProgress(BulkRun run, PrintWriter err, boolean terminal, long startNanos) {
        this.run = run;
        this.err = err;
        this.terminal = terminal;
        this.startNanos = startNanos;
        this.lastLineNanos = startNanos;
        this.thread = new Thread(this::loop, "profiles-bulk-progress");
        this.thread.setDaemon(true);
    }

    static BulkProgress start(BulkRun run, PrintWriter err, long startNanos) {
        boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        BulkProgress p = new BulkProgress(run, err, terminal, startNanos);
        p.thread.start();
        return p;
    }

    void stop() {
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        long lastPlain = System.nanoTime();
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(1_000);
                if (terminal) {
                    err.print("\r" + line() + "   ");
                    err.flush();
                } else if (System.nanoTime() - lastPlain >= 10_000_000_000L) {
                    lastPlain = System.nanoTime();
                    err.println(line());
                    err.flush();
                }
            }
        } catch (InterruptedException e) {
            if (terminal) {
                err.print("\r" + line() + "   ");
                err.println();
                err.flush();
            }
        }
    }

    private String line() {
        long now = System.nanoTime();
        long n = run.done.sum();
        double seconds = Math.max(0.001, (now - lastLineNanos) / 1e9);
        double rate = (n - doneAtLastLine) / seconds;
        doneAtLastLine = n;
        lastLineNanos = now;
        long total = Math.max(run.total, n);
        int width = 24;
        int filled = total <= 0 ? width : (int) (width * n / total);
        return String.format(
                Locale.ROOT,
                "%s [%s%s] %d/%d  %s %d  held %d  failed %d  %.0f/s  %.0fs",
                run.verb,
                "#".repeat(filled),
                ".".repeat(width - filled),
                n,
                total,
                run.dryRun ? "would " + run.verb : run.changed.label,
                run.dryRun ? run.wouldChange.sum() : run.counts.get(run.changed).sum(),
                run.counts.get(BulkRun.Outcome.HELD).sum(),
                run.counts.get(BulkRun.Outcome.FAILED).sum(),
                rate,
                (now - startNanos) / 1e9);
    }
}
