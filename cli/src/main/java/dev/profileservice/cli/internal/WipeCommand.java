package dev.profileservice.cli.internal;

import dev.profileservice.cli.Main;
import dev.profileservice.spi.StoredProfile;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

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

    @ParentCommand
    Main main;

    @Override
    int run(AdminSession session, StoredProfile record) {
        String holder = record.owner() == null ? null : record.owner().jobId();
        if (!yes
                && !confirmed("Delete profile '" + key + "' from " + store.profileStore() + " at " + session.maskedUri()
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

    /** Asks {@code question} on standard output; true if the answer on standard input is y or yes. */
    private boolean confirmed(String question) {
        PrintWriter w = store.out();
        w.print(question);
        w.flush();
        String answer = readLine();
        return answer != null && answer.strip().toLowerCase(Locale.ROOT).matches("y|yes");
    }

    private String readLine() {
        try {
            return new BufferedReader(new InputStreamReader(main.stdin(), StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
