package dev.profileservice.cli.internal;

import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.VersionCause;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code profiles restore KEY --version V}: the rollback. Shows the diff from the latest data to the
 * kept version, asks for confirmation unless {@code --yes}, then writes the version's payload as the
 * newest version ({@link dev.profileservice.spi.VersionHistory#overwrite}, kept with cause
 * {@code admin}, its user ids replacing the record's in the index). The same write bumps the epoch
 * and clears the owner, so a live session ends: its holder's next save is refused. Exit code 1 when
 * not confirmed (nothing written).
 */
@Command(
        name = "restore",
        description = {
            "Roll a profile back to a kept version: shows what will change (the diff from the latest data),"
                    + " asks for confirmation unless --yes, then writes that version as the newest one (kept"
                    + " with cause admin).",
            "Ends any live session on the profile (the epoch is bumped, so its holder's next save is refused)."
        })
public final class RestoreCommand extends KeptVersionCommand {

    @Option(
            names = "--clear-updates",
            description = "Also clear the profile's pending global updates (gifts not yet taken in) and the"
                    + " version's locked ones, as Profile.clearGlobalUpdates() before an overwrite does")
    boolean clearUpdates;

    @Option(
            names = {"-y", "--yes"},
            description = "Do not ask for confirmation")
    boolean yes;

    @Override
    int run(AdminSession session, StoredProfile record) {
        long revision = revision();
        Restorer.Plan plan = Restorer.plan(session, key, record, revision, clearUpdates);
        StoredVersion kept = plan.kept();
        String what = "version " + revision + " of " + key;
        String holder = plan.holder();
        if (!yes) {
            PrintWriter w = store.out();
            if (plan.diff() == null) {
                w.println("the profile has no saved data yet; restoring writes " + what);
            } else {
                PayloadDiff diff = plan.diff();
                w.println("Restoring " + key + " from the latest data (version " + record.revision() + ") to " + what
                        + " (" + Versions.time(kept.savedAtMillis()) + ", "
                        + kept.cause().label() + ") changes:");
                if (diff.isEmpty()) {
                    w.println("  nothing in data, meta tags, user ids or locked updates");
                }
                diff.lines().forEach(line -> w.println("  " + line));
            }
            if (clearUpdates) {
                w.println("  and clears " + record.updates().size() + " pending global update(s)");
            }
            if (!store.confirmed("Restore " + what + " in " + store.profileStore() + " at " + session.maskedUri()
                    + (holder != null ? "? This ends the live session (held by " + holder + ")." : "?")
                    + " Type 'yes' to confirm: ")) {
                store.err().println("restore: not confirmed; nothing written");
                store.err().flush();
                return 1;
            }
        }
        StoredProfile after = Restorer.apply(session, key, plan);
        store.print(
                () -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("key", key);
                    out.put("restoredVersion", String.valueOf(revision));
                    out.put("newVersion", String.valueOf(after.revision()));
                    out.put("cause", VersionCause.ADMIN.label());
                    out.put("epochBefore", record.epoch());
                    out.put("epochAfter", after.epoch());
                    out.put("endedSession", AdminSession.ownerJson(record.owner()));
                    out.put("clearedUpdates", clearUpdates);
                    return out;
                },
                w -> w.println(
                        "restored " + key + " to version " + revision + " as version " + after.revision()
                                + " (cause admin)" + (clearUpdates ? ", pending global updates cleared" : "")
                                + "; epoch "
                                + record.epoch() + " -> " + after.epoch()
                                + (holder != null
                                        ? ", which ends the live session of " + holder
                                                + ": its next save will be refused"
                                        : " (no session held it; any session that held it now would have its next save refused)")));
        return 0;
    }
}
