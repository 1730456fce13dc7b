package dev.profileservice.cli.internal;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code profiles sessions}: which server holds which profile, and how fresh each server's lease is ({@link SessionLister}). */
@Command(
        name = "sessions",
        mixinStandardHelpOptions = true,
        description =
                "List held sessions (key, epoch, server, place, job) with the holder's lease from its heartbeat row.")
public final class SessionsCommand extends StoreCommand {

    @Override
    public Integer call() {
        try (AdminSession session = store.openExisting()) {
            List<SessionLister.Held> sessions = SessionLister.list(session);
            store.print(() -> json(sessions), w -> printTable(w, sessions, session.maskedUri()));
            return 0;
        }
    }

    private static List<Map<String, Object>> json(List<SessionLister.Held> sessions) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (SessionLister.Held s : sessions) {
            out.add(s.json());
        }
        return out;
    }

    private void printTable(PrintWriter w, List<SessionLister.Held> sessions, String maskedUri) {
        if (sessions.isEmpty()) {
            w.println("no sessions held in " + store.profileStore() + " (" + maskedUri + ")");
            return;
        }
        w.printf(Locale.ROOT, "%-24s %6s  %-38s %-14s %-24s %s%n", "KEY", "EPOCH", "SERVER", "PLACE", "JOB", "LEASE");
        for (SessionLister.Held held : sessions) {
            var s = held.session();
            w.printf(
                    Locale.ROOT,
                    "%-24s %6d  %-38s %-14s %-24s %s%n",
                    s.key(),
                    s.epoch(),
                    s.owner().serverId(),
                    s.owner().placeId(),
                    s.owner().jobId(),
                    held.leaseText());
        }
        w.println(sessions.size() + " session(s) held in " + store.profileStore());
    }
}
