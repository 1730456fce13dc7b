package dev.profileservice.bench;

import dev.profileservice.spi.BackendUris;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One backend's part of the macro report: the rows of its markdown table, the notes under it, and
 * how the figures in them are written (ratios, per-operation counts). The measurements add to it;
 * {@link #markdown} writes it. Not thread-safe: only the thread running the measurements uses it.
 */
final class BackendReport {

    /** One table row. */
    record Row(String figure, String library, String raw, String ratio, String profileService) {}

    private final MacroBench.Target target;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private int failures;

    BackendReport(MacroBench.Target target) {
        this.target = target;
    }

    void row(String figure, String library, String raw, String ratio, String profileService) {
        rows.add(new Row(figure, library, raw, ratio, profileService));
    }

    /** A row that says measurement {@code what} failed and why (a markdown table cell: no '|', one line). */
    void failed(String what, Throwable e) {
        failures++;
        String message = e.getClass().getSimpleName() + ": "
                + String.valueOf(e.getMessage()).replace('|', '/').replace('\n', ' ');
        row(what, "**FAILED**: " + message, "", "", "");
    }

    int failures() {
        return failures;
    }

    /** A line under the table: how a figure was taken. */
    void note(String note) {
        notes.add(note);
    }

    /**
     * A row for a latency that has no raw baseline: the library's {@code nanos} beside ProfileService's
     * {@code profileServiceNanos}, which {@code profileService} explains.
     */
    void rowAgainstProfileService(String figure, long nanos, double profileServiceNanos, String profileService) {
        row(figure, Samples.ms(nanos), "—", ratioToProfileService(nanos, profileServiceNanos), profileService);
    }

    /** Rows for the p50 and p99 of a latency, library beside raw; ProfileService's figure on the p50 row. */
    void latencyRows(String figure, Samples library, Samples raw, String profileService) {
        for (double p : new double[] {50, 99}) {
            long l = library.percentile(p);
            long r = raw.percentile(p);
            row(figure + " p" + (int) p, Samples.ms(l), Samples.ms(r), ratio(l, r), p == 50 ? profileService : "");
        }
    }

    /** {@code total} over {@code n} operations: "1.00". */
    static String perOp(long total, int n) {
        return String.format(Locale.ROOT, "%.2f", (double) total / n);
    }

    /** Library over raw: "1.23 ×". */
    static String ratio(double library, double raw) {
        if (raw == 0) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.2f ×", library / raw);
    }

    /** Library against ProfileService's figure: "1/1,850 of ProfileService". */
    static String ratioToProfileService(double library, double profileService) {
        if (library <= 0) {
            return "0 vs ProfileService";
        }
        double r = profileService / library;
        return r >= 1
                ? String.format(Locale.ROOT, "1/%,.0f of ProfileService", r)
                : String.format(Locale.ROOT, "%.1f × ProfileService", 1 / r);
    }

    /** The backend's heading, table and notes; {@code took} is the time all its measurements took. */
    String markdown(Duration took) {
        StringBuilder md = new StringBuilder();
        md.append("### ")
                .append(target.name())
                .append(" — `")
                .append(BackendUris.mask(target.libraryUri()))
                .append("` (")
                .append(took.toSeconds())
                .append(" s)\n\n");
        md.append(
                "| Figure | ProfileService for Java | Raw baseline (same driver) | Ratio | ProfileService (Roblox), from its settings |\n");
        md.append("|---|---:|---:|---:|---|\n");
        for (Row r : rows) {
            md.append("| ")
                    .append(r.figure())
                    .append(" | ")
                    .append(r.library())
                    .append(" | ")
                    .append(r.raw())
                    .append(" | ")
                    .append(r.ratio())
                    .append(" | ")
                    .append(r.profileService())
                    .append(" |\n");
        }
        md.append('\n');
        for (String note : notes) {
            md.append("- ").append(note).append('\n');
        }
        return md.toString();
    }
}
