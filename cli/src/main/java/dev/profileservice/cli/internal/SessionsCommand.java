package dev.profileservice.cli.internal;

import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.SessionInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code profiles sessions}: which server holds which profile, and how fresh each server's lease is. */
@Command(
        name = "sessions",
        mixinStandardHelpOptions = true,
        description =
                "List held sessions (key, epoch, server, place, job) with the holder's lease from its heartbeat row.")
public final class SessionsCommand extends StoreCommand {

    @Override
    public Integer call() {
        try (AdminSession session = store.openExisting()) {
            List<SessionInfo> sessions = new ArrayList<>(session.admin().sessions(store.profileStore()));
            sessions.sort(Comparator.comparing(SessionInfo::key));
            Map<String, ServerLease> leases = new HashMap<>();
            for (ServerLease lease : session.admin().servers()) {
                leases.put(lease.serverId(), lease);
            }
            store.print(() -> json(sessions, leases), w -> printTable(w, sessions, leases, session.maskedUri()));
            return 0;
        }
    }

    private static List<Map<String, Object>> json(List<SessionInfo> sessions, Map<String, ServerLease> leases) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (SessionInfo s : sessions) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", s.key());
            m.put("epoch", s.epoch());
            m.put("serverId", s.owner().serverId());
            m.put("placeId", s.owner().placeId());
            m.put("jobId", s.owner().jobId());
            ServerLease lease = leases.get(s.owner().serverId());
            m.put("leaseExpiresInMillis", lease == null ? null : lease.expiresInMillis());
            m.put("leaseState", leaseState(lease));
            out.add(m);
        }
        return out;
    }

    private void printTable(
            PrintWriter w, List<SessionInfo> sessions, Map<String, ServerLease> leases, String maskedUri) {
        if (sessions.isEmpty()) {
            w.println("no sessions held in " + store.profileStore() + " (" + maskedUri + ")");
            return;
        }
        w.printf(Locale.ROOT, "%-24s %6s  %-38s %-14s %-24s %s%n", "KEY", "EPOCH", "SERVER", "PLACE", "JOB", "LEASE");
        for (SessionInfo s : sessions) {
            ServerLease lease = leases.get(s.owner().serverId());
            w.printf(
                    Locale.ROOT,
                    "%-24s %6d  %-38s %-14s %-24s %s%n",
                    s.key(),
                    s.epoch(),
                    s.owner().serverId(),
                    s.owner().placeId(),
                    s.owner().jobId(),
                    leaseText(lease));
        }
        w.println(sessions.size() + " session(s) held in " + store.profileStore());
    }

    /** The lease as the store's clock judged it when the row was read (never this machine's clock). */
    static String leaseState(ServerLease lease) {
        if (lease == null) {
            return "no-heartbeat";
        }
        return lease.expiresInMillis() > 0 ? "live" : "expired";
    }

    static String leaseText(ServerLease lease) {
        if (lease == null) {
            return "no heartbeat row (server gone; the lock can be taken)";
        }
        long left = lease.expiresInMillis();
        if (left > 0) {
            return String.format(Locale.ROOT, "live, expires in %.1f s", left / 1000.0);
        }
        return String.format(Locale.ROOT, "EXPIRED %.1f s ago (the lock can be taken)", -left / 1000.0);
    }
}
