package dev.profileservice.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every macro measurement against one backend, library and raw baseline, collected into rows of a
 * markdown table ({@link BackendReport}). A measurement that throws becomes a FAILED row and the
 * others still run. Runs on the calling thread (plus helper threads the measurements start and stop).
 */
final class BackendBench {

    private final BackendRun run;
    private final List<String> only;

    /** @param only the names of the measurements to run (as the progress lines print them), or empty for all */
    BackendBench(MacroBench.Target target, MacroBench.Settings settings, List<String> only) {
        this.run = new BackendRun(target, settings);
        this.only = only;
    }

    int failures() {
        return run.report().failures();
    }

    void run() {
        List<MacroMeasurement> measurements = new ArrayList<>();
        // Load/release first: it keeps a payload as the library saved it, which the raw save loops then write.
        measurements.add(new LoadAndRelease(run));
        for (int n : run.settings().saveCounts()) {
            measurements.add(new SaveThroughput(run, n));
        }
        measurements.add(new HeapPerProfile(run));
        measurements.add(new HandOverAndGifts(run));
        measurements.add(new GiftStorm(run));
        measurements.add(new DeadOwnerSteal(run));
        measurements.add(new IdleWrites(run));
        measurements.add(new HistoryCost(run, run.settings().saveCounts()[0]));
        for (MacroMeasurement m : measurements) {
            if (only.isEmpty() || only.contains(m.name)) {
                measure(m);
            }
        }
        run.cleanUp();
    }

    private void measure(MacroMeasurement m) {
        long t0 = System.nanoTime();
        System.out.println("  " + m.name + " ...");
        try {
            m.measure();
            System.out.printf(Locale.ROOT, "  %s done in %.1f s%n", m.name, (System.nanoTime() - t0) / 1e9);
        } catch (RuntimeException | Error e) {
            run.report().failed(m.name, e);
            System.err.println("  " + m.name + " FAILED on " + run.target().name());
            e.printStackTrace();
        }
    }

    /** The backend's part of the report; {@code took} is the time {@link #run} took. */
    String markdown(Duration took) {
        return run.report().markdown(took);
    }
}
