package dev.profileservice.bench;

import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import java.util.List;
import java.util.Map;

/**
 * One macro measurement of one backend: it drives the library (and, where there is one, the raw
 * baseline) and adds its rows and notes to the backend's report. {@link BackendBench} runs them in
 * turn on one thread; one that throws becomes a FAILED row and the others still run.
 */
abstract class MacroMeasurement {

    /** What it measures, for the progress lines and a FAILED row. */
    final String name;

    final BackendRun run;
    final MacroBench.Settings settings;
    final BackendReport report;

    MacroMeasurement(String name, BackendRun run) {
        this.name = name;
        this.run = run;
        this.settings = run.settings();
        this.report = run.report();
    }

    /** Takes the figures and adds them to {@link #report}; throws if the measurement could not be taken. */
    abstract void measure();

    /** Loads every key, the settings' {@code loadParallelism} loads in flight at once. */
    List<Profile<Map<String, Object>>> loadAll(ProfileStore<Map<String, Object>> store, List<String> keys) {
        return Profiles.loadAll(store, keys, settings.loadParallelism());
    }
}
