package dev.profileservice.cli.internal;

import dev.profileservice.cli.Main;
import dev.profileservice.spi.StoredProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code profiles wipe KEY}: deletes a profile record with its inbox and quarantined copies
 * ({@code Backend.delete}). Asks for confirmation on standard input unless {@code --yes}; exit code 1
 * when not confirmed (nothing deleted).
 */
@Command(name = "wipe", mixinStandardHelpOptions = true,
        description = "Delete a profile (data, pending global updates, quarantined copies). Asks for confirmation unless --yes.")
public final class WipeCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Parameters(index = "0", paramLabel = "KEY", description = "The profile key")
    String key;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation")
    boolean yes;

    @ParentCommand
    Main main;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter w = spec.commandLine().getOut();
        try (AdminSession session = AdminSession.open(store)) {
            session.requireStoreExists();
            StoredProfile record = session.requireKey(key);
            if (!yes) {
                w.print("Delete profile '" + key + "' from " + store.profileStore + " at " + session.maskedUri()
                        + (record.owner() != null ? " (held by job " + record.owner().jobId() + ")" : "")
                        + "? This cannot be undone. Type 'yes' to confirm: ");
                w.flush();
                String answer = readLine();
                if (answer == null || !answer.strip().toLowerCase(Locale.ROOT).matches("y|yes")) {
                    spec.commandLine().getErr().println("wipe: not confirmed; nothing deleted");
                    spec.commandLine().getErr().flush();
                    return 1;
                }
            }
            boolean deleted = session.admin().delete(store.profileStore, key);
            if (store.json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("key", key);
                out.put("deleted", deleted);
                out.put("wasHeldBy", record.owner() == null ? null : record.owner().jobId());
                w.println(Json.write(out));
            } else {
                w.println((deleted ? "deleted " : "nothing to delete for ") + key + " in " + store.profileStore
                        + (record.owner() != null ? "; its holder (job " + record.owner().jobId() + ") will have its next save refused" : ""));
            }
            w.flush();
            return 0;
        }
    }

    private String readLine() {
        try {
            return new BufferedReader(new InputStreamReader(main.stdin(), StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
