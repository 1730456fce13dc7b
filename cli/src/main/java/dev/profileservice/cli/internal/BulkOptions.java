package dev.profileservice.cli.internal;

import picocli.CommandLine.Option;

/**
 * What the bulk commands ({@code migrate}, {@code edit}) share besides the {@link StoreOptions}, as a
 * picocli {@code @Mixin}: {@code --dry-run} and {@code --parallel}. Read by the command's thread.
 */
final class BulkOptions {
    /** The most profiles worked on at once that {@code --parallel} accepts. */
    static final int MAX_PARALLEL = 64;

    @Option(
            names = "--dry-run",
            description = "Take no lock and write nothing: read each profile and print what would change"
                    + " (one line per change, as 'profiles diff' prints them)")
    boolean dryRun;

    @Option(
            names = "--parallel",
            paramLabel = "N",
            defaultValue = "4",
            description = "How many profiles to work on at once (1 to " + MAX_PARALLEL
                    + ", at most the store's connections; default: ${DEFAULT-VALUE})")
    int parallel;

    /**
     * Checks the options.
     *
     * @throws BadInputException for a {@code --parallel} out of range
     */
    void check() {
        if (parallel < 1 || parallel > MAX_PARALLEL) {
            throw new BadInputException("--parallel must be from 1 to " + MAX_PARALLEL + ", was " + parallel);
        }
    }
}
