package dev.profileservice.cli.internal;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** What goes to standard output: problem lines and a summary, or one JSON document streamed. */
final class BulkOutput {
    private final BulkRun run;
    private final PrintWriter out;
    private final long startNanos;
    private boolean first = true;

    BulkOutput(BulkRun run, PrintWriter out, long startNanos) {
        this.run = run;
        this.out = out;
        this.startNanos = startNanos;
    }

    void begin() {
        if (run.options.json) {
            out.print("{\"command\":" + Json.write(run.verb) + ",\"profileStore\":"
                    + Json.write(run.options.profileStore()) + ",\"dryRun\":" + run.dryRun + ",\"profiles\":[");
        }
    }

    void profile(BulkRun.Result r) {
        if (r.outcome() == BulkRun.Outcome.FILTERED) {
            return;
        }
        if (run.options.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("key", r.key());
            json.put("outcome", run.label(r));
            json.putAll(r.details());
            if (r.holder() != null) {
                json.put("heldBy", AdminSession.ownerJson(r.holder()));
            }
            if (r.message() != null) {
                json.put(r.outcome() == BulkRun.Outcome.FAILED ? "error" : "reason", r.message());
            }
            if (r.wouldChange()) {
                json.put("changes", r.diff());
            }
            out.print((first ? "" : ",") + Json.write(json));
            first = false;
            return;
        }
        switch (r.outcome()) {
            case HELD -> out.println("held: " + r.key() + ", " + r.message() + " (not touched)");
            case FAILED -> out.println("failed: " + r.key() + ": " + r.message() + " (left as it was)");
            case SKIPPED -> out.println("skipped: " + r.key() + ": " + r.message());
            default -> {
                if (r.wouldChange()) {
                    out.println("would " + run.verb + " " + r.key() + detailsText(r.details()) + ":");
                    r.diff().forEach(line -> out.println("  " + line));
                }
            }
        }
    }

    void end() {
        double seconds = Math.max(0.001, (System.nanoTime() - startNanos) / 1e9);
        long n = run.done.sum();
        if (run.options.json) {
            Map<String, Object> totals = new LinkedHashMap<>();
            totals.put("profiles", n);
            if (run.dryRun) {
                totals.put("would-" + run.verb, run.wouldChange.sum());
            }
            for (BulkRun.Outcome o : BulkRun.Outcome.values()) {
                if (o == run.changed || (o != BulkRun.Outcome.MIGRATED && o != BulkRun.Outcome.EDITED)) {
                    totals.put(o.label, run.counts.get(o).sum() - (o == run.changed ? run.wouldChange.sum() : 0));
                }
            }
            out.println("],\"totals\":" + Json.write(totals) + ",\"interrupted\":" + run.interrupted + ",\"seconds\":"
                    + String.format(Locale.ROOT, "%.3f", seconds) + "}");
        } else {
            out.println(summary(seconds));
        }
        out.flush();
    }

    private String summary(double seconds) {
        StringBuilder s = new StringBuilder(run.verb + " " + run.options.profileStore() + ": ");
        if (run.interrupted) {
            s.append("INTERRUPTED after ");
        }
        s.append(run.done.sum()).append(" of ").append(run.total).append(" profile(s)");
        if (run.dryRun) {
            s.append(" (dry run, nothing written): ")
                    .append(run.wouldChange.sum())
                    .append(" would be ")
                    .append(run.changed.label);
        } else {
            s.append(": ").append(run.counts.get(run.changed).sum()).append(' ').append(run.changed.label);
        }
        s.append(", ")
                .append(run.counts.get(BulkRun.Outcome.ALREADY_DONE).sum())
                .append(" already done");
        s.append(", ").append(run.counts.get(BulkRun.Outcome.UNCHANGED).sum()).append(" unchanged");
        s.append(", ").append(run.counts.get(BulkRun.Outcome.HELD).sum()).append(" held");
        s.append(", ").append(run.counts.get(BulkRun.Outcome.FAILED).sum()).append(" failed");
        s.append(", ").append(run.counts.get(BulkRun.Outcome.SKIPPED).sum()).append(" skipped");
        if (run.counts.get(BulkRun.Outcome.FILTERED).sum() > 0) {
            s.append(", ")
                    .append(run.counts.get(BulkRun.Outcome.FILTERED).sum())
                    .append(" not matching --where");
        }
        s.append(String.format(Locale.ROOT, " in %.1fs (%.0f/s)", seconds, run.done.sum() / seconds));
        if (run.interrupted) {
            s.append("; run it again to do the rest");
        }
        return s.toString();
    }

    private static String detailsText(Map<String, Object> details) {
        if (details.containsKey("from") && details.containsKey("to")) {
            return " (data version " + details.get("from") + " -> " + details.get("to") + ")";
        }
        return "";
    }
}
