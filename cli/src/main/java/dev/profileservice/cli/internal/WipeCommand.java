package dev.profileservice.cli.internal;

import dev.profileservice.spi.StoredProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code profiles wipe KEY}: deletes a profile record with its inbox and quarantined copies
 * ({@code Backend.delete}). Asks for confirmation on standard input unless {@code --yes}; exit code 1
 * when not confirmed (nothing deleted).
 */
@Command(
        name = "wipe",
        mixinStandardHelpOptions = true,
        description =
                "Delete a profile (data, pending global updates, quarantined copies). Asks for confirmation unless --yes.")
public final class WipeCommand extends OneProfileCommand {

    @Option(
            names = {"-y", "--yes"},
            description = "Do not ask for confirmation")
    boolean yes;

    @Override
    int run(AdminSession session, StoredProfile record) {
        String holder = record.owner() == null ? null : record.owner().jobId();
        if (!yes
                && !store.confirmed(
                        "Delete profile '" + key + "' from " + store.profileStore() + " at " + session.maskedUri()
                                + (holder != null ? " (held by job " + holder + ")" : "")
                                + "? This cannot be undone. Type 'yes' to confirm: ")) {
            store.err().println("wipe: not confirmed; nothing deleted");
            store.err().flush();
            return 1;
        }
        boolean deleted = session.admin().delete(store.profileStore(), key);
        store.print(
                () -> Json.object("key", key, "deleted", deleted, "wasHeldBy", holder),
                w -> w.println((deleted ? "deleted " : "nothing to delete for ") + key + " in " + store.profileStore()
                        + (holder != null ? "; its holder (job " + holder + ") will have its next save refused" : "")));
        return 0;
    }
}
