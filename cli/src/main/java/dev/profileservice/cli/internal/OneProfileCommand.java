package dev.profileservice.cli.internal;

import dev.profileservice.spi.StoredProfile;
import picocli.CommandLine.Parameters;

/**
 * What the admin commands about one existing profile ({@code view}, {@code release}, {@code history},
 * {@code diff}, {@code restore}, {@code pin}, {@code unpin}) share, besides the {@link StoreOptions}
 * of every {@link StoreCommand}: the {@code KEY} parameter; the store opened and checked, and the
 * profile's record read, before {@link #run} does the command's own work. Runs on the command's
 * thread.
 */
abstract class OneProfileCommand extends StoreCommand {

    @Parameters(index = "0", paramLabel = "KEY", description = "The profile key")
    String key;

    @Override
    public final Integer call() {
        try (AdminSession session = store.open()) {
            checkStore(session);
            session.requireStoreExists();
            return run(session, session.requireKey(key));
        }
    }

    /**
     * Checks what the command needs of the store before the profile store and the key are looked up
     * (e.g. a version history), so that a store lacking it gets that one line whatever the key.
     * Default: nothing.
     */
    void checkStore(AdminSession session) {}

    /**
     * The command's own work on profile {@link #key}, whose stored record is {@code record}.
     *
     * @return the exit code
     */
    abstract int run(AdminSession session, StoredProfile record);
}
