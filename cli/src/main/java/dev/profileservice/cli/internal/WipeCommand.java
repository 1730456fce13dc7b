package dev.profileservice.cli.internal;

import dev.profileservice.spi.StoredProfile;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code profiles wipe KEY} or {@code profiles wipe --user-id ID}: deletes one profile record, or
 * every profile of the profile store that holds a user id (an erasure request; the keys come from
 * the store's index of user ids, {@code BackendAdmin.keysOfUser}), each with its inbox, kept
 * versions and quarantined copies ({@code BackendAdmin.delete}). Asks once for confirmation on
 * standard input unless {@code --yes}; exit code 1 when not confirmed (nothing deleted).
 */
@Command(
        name = "wipe",
        mixinStandardHelpOptions = true,
        description = {
            "Delete a profile (data, pending global updates, kept versions, quarantined copies), or with"
                    + " --user-id every profile that holds that user id (an erasure request).",
            "Lists what it will delete and asks for confirmation once unless --yes."
        })
public final class WipeCommand extends StoreCommand {

    /** One profile by key, or every profile of a user id: exactly one of them. */
    static final class Target {
        @Parameters(index = "0", paramLabel = "KEY", description = "The profile key")
        String key;

        @Option(
                names = "--user-id",
                paramLabel = "ID",
                description = "Delete every profile holding this user id (Profile.addUserId), found through the"
                        + " store's index of user ids")
        Long userId;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(
            names = {"-y", "--yes"},
            description = "Do not ask for confirmation")
    boolean yes;

    @Override
    public Integer call() {
        try (AdminSession session = store.openExisting()) {
            return target.key != null ? wipeKey(session, target.key) : wipeUser(session, target.userId);
        }
    }

    private int wipeKey(AdminSession session, String key) {
        StoredProfile record = session.requireKey(key);
        String holder = record.owner() == null ? null : record.owner().jobId();
        if (!yes
                && !store.confirmed("Delete profile '" + key + "' from " + store.profileStore() + " at "
                        + session.maskedUri()
                        + (holder != null ? " (held by job " + holder + ")" : "")
                        + "? This cannot be undone. Type 'yes' to confirm: ")) {
            return notConfirmed();
        }
        boolean deleted = Eraser.wipe(session, key);
        store.print(
                () -> Json.object("key", key, "deleted", deleted, "wasHeldBy", holder),
                w -> w.println((deleted ? "deleted " : "nothing to delete for ") + key + " in " + store.profileStore()
                        + (holder != null ? "; its holder (job " + holder + ") will have its next save refused" : "")));
        return 0;
    }

    private int wipeUser(AdminSession session, long userId) {
        List<String> keys = KeyFinder.ofUser(session, userId);
        if (keys.isEmpty()) {
            store.print(
                    () -> Json.object("userId", userId, "keys", keys, "deleted", keys),
                    w -> w.println("no profile in " + store.profileStore() + " holds user id " + userId
                            + "; nothing to delete"));
            return 0;
        }
        if (!yes) {
            PrintWriter w = store.out();
            w.println(keys.size() + " profile(s) in " + store.profileStore() + " at " + session.maskedUri()
                    + " hold user id " + userId + ":");
            for (String key : keys) {
                StoredProfile record = session.backend().read(store.profileStore(), key);
                w.println("  " + key
                        + (record.owner() != null
                                ? "  (held by job " + record.owner().jobId() + ")"
                                : ""));
            }
            if (!store.confirmed("Delete these " + keys.size()
                    + " profile(s) with their kept versions? This cannot be undone. Type 'yes' to confirm: ")) {
                return notConfirmed();
            }
        }
        List<String> deleted = Eraser.wipeAll(session, keys);
        store.print(() -> Json.object("userId", userId, "keys", keys, "deleted", deleted), w -> {
            for (String key : keys) {
                w.println((deleted.contains(key) ? "deleted " : "nothing to delete for ") + key);
            }
            w.println("deleted " + deleted.size() + " profile(s) of user id " + userId + " in " + store.profileStore()
                    + "; a session holding one of them has its next save refused");
        });
        return 0;
    }

    private int notConfirmed() {
        store.err().println("wipe: not confirmed; nothing deleted");
        store.err().flush();
        return 1;
    }
}
