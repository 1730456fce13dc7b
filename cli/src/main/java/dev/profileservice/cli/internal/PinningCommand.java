package dev.profileservice.cli.internal;

import dev.profileservice.spi.StoredProfile;

/**
 * What {@code pin} and {@code unpin} share: {@code --version V} and
 * {@link dev.profileservice.spi.VersionHistory#setPinned}. A pinned version is never pruned.
 */
abstract class PinningCommand extends KeptVersionCommand {
    private final boolean pinned;

    /** {@code pinned}: true for {@code pin}, false for {@code unpin}. */
    PinningCommand(boolean pinned) {
        this.pinned = pinned;
    }

    @Override
    int run(AdminSession session, StoredProfile record) {
        long revision = revision();
        if (!session.history().setPinned(store.profileStore(), key, revision, pinned)) {
            throw new BadInputException("profile '" + key + "' has no kept version " + revision + " in profile store '"
                    + store.profileStore() + "' (see 'profiles history " + key + "')");
        }
        store.print(
                () -> Json.object("key", key, "version", String.valueOf(revision), "pinned", pinned),
                w -> w.println((pinned ? "pinned" : "unpinned") + " version " + revision + " of " + key + " in "
                        + store.profileStore()
                        + (pinned
                                ? ": pruning keeps it whatever its age"
                                : ": pruning may delete it once it is old enough or beyond the count kept")));
        return 0;
    }
}
