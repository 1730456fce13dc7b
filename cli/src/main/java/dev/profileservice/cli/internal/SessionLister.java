package dev.profileservice.cli.internal;

import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.SessionInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The admin action "sessions": who holds which profile of a profile store, each with its holder's
 * lease as the store's clock judged it at the read (never this machine's clock). Used by
 * {@code profiles sessions} and the web console's sessions page and its JSON endpoint. Stateless;
 * callable from any thread.
 */
public final class SessionLister {
    private SessionLister() {}

    /**
     * One held session.
     *
     * @param session the key, epoch and holder
     * @param lease   the holder's heartbeat row, or null when it has none (the server is gone)
     */
    public record Held(SessionInfo session, ServerLease lease) {

        /** {@code live}, {@code expired} or {@code no-heartbeat}. */
        public String leaseState() {
            if (lease == null) {
                return "no-heartbeat";
            }
            return lease.expiresInMillis() > 0 ? "live" : "expired";
        }

        /** The lease in words: "live, expires in 12.5 s", "EXPIRED 3.0 s ago (...)", "no heartbeat row (...)". */
        public String leaseText() {
            if (lease == null) {
                return "no heartbeat row (server gone; the lock can be taken)";
            }
            long left = lease.expiresInMillis();
            if (left > 0) {
                return String.format(Locale.ROOT, "live, expires in %.1f s", left / 1000.0);
            }
            return String.format(Locale.ROOT, "EXPIRED %.1f s ago (the lock can be taken)", -left / 1000.0);
        }

        /** As JSON: key, epoch, serverId, placeId, jobId, leaseExpiresInMillis, leaseState. */
        public Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", session.key());
            m.put("epoch", session.epoch());
            m.put("serverId", session.owner().serverId());
            m.put("placeId", session.owner().placeId());
            m.put("jobId", session.owner().jobId());
            m.put("leaseExpiresInMillis", lease == null ? null : lease.expiresInMillis());
            m.put("leaseState", leaseState());
            return m;
        }
    }

    /** The held sessions of the session's profile store, by key. */
    public static List<Held> list(AdminSession session) {
        List<SessionInfo> sessions = new ArrayList<>(session.admin().sessions(session.storeName()));
        sessions.sort(Comparator.comparing(SessionInfo::key));
        Map<String, ServerLease> leases = leases(session);
        List<Held> out = new ArrayList<>();
        for (SessionInfo s : sessions) {
            out.add(new Held(s, leases.get(s.owner().serverId())));
        }
        return out;
    }

    /** Every server's heartbeat row, by server id. */
    public static Map<String, ServerLease> leases(AdminSession session) {
        Map<String, ServerLease> leases = new HashMap<>();
        for (ServerLease lease : session.admin().servers()) {
            leases.put(lease.serverId(), lease);
        }
        return leases;
    }
}
