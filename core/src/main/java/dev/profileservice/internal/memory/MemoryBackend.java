package dev.profileservice.internal.memory;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.QuarantinedCopy;
import dev.profileservice.spi.RoundTripListener;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.SessionInfo;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.UpdateOp;
import dev.profileservice.spi.VersionCause;
import dev.profileservice.spi.VersionHistory;
import dev.profileservice.spi.VersionPage;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-process backend: {@code memory:} (private to one service) or {@code memory:NAME} (shared
 * by every service in this JVM that names it, so tests can run several "servers" in one process).
 * Every operation holds one lock, which makes each trivially atomic. One round trip per call.
 *
 * <p>Leases are judged by one clock per store ({@link LeaseClock#SERVICE}): the clock given when
 * the store was created, which for a URI opened by a service is that service's injected clock (so
 * tests run leases in virtual time). A shared {@code memory:NAME} store keeps the clock of the
 * first opener: services with skewed clocks on it still agree on whose lease ran out.
 */
public final class MemoryBackend implements Backend, BackendAdmin {

    private static final Map<String, Shared> NAMED = new ConcurrentHashMap<>();

    private final Shared shared;
    private final String description;
    private volatile RoundTripListener roundTrips = RoundTripListener.NONE;
    private volatile boolean closed;
    private final VersionHistory history = new History();

    /** A private store on the system clock. */
    public MemoryBackend() {
        this(Clock.systemUTC());
    }

    /** A private store whose leases are judged by {@code clock}. */
    public MemoryBackend(Clock clock) {
        this(new Shared(clock), "memory:");
    }

    private MemoryBackend(Shared shared, String description) {
        this.shared = shared;
        this.description = description;
    }

    /** The store shared under {@code name} in this JVM (created on first use, on the system clock). */
    public static MemoryBackend named(String name) {
        return named(name, Clock.systemUTC());
    }

    /**
     * The store shared under {@code name} in this JVM; created on first use with {@code clock} as
     * its lease clock (a later opener's clock is ignored: one store, one clock).
     */
    public static MemoryBackend named(String name, Clock clock) {
        return new MemoryBackend(NAMED.computeIfAbsent(name, n -> new Shared(clock)), "memory:" + name);
    }

    /** A heartbeat row: who, and when its lease runs out by the store's clock. */
    private record Heartbeat(Owner server, long expiresAtMillis) {}

    /** One record: the session fields and revision, replaced on each write, and its inbox. */
    private record Rec(byte[] payload, long epoch, Owner owner, long revision, UpdateInbox inbox) {
        Rec withSession(byte[] newPayload, long newEpoch, Owner newOwner) {
            return new Rec(newPayload, newEpoch, newOwner, revision, inbox);
        }

        /** A payload write: the next revision. */
        Rec written(byte[] newPayload, long newEpoch, Owner newOwner) {
            return new Rec(newPayload, newEpoch, newOwner, revision + 1, inbox);
        }

        StoredProfile view() {
            return new StoredProfile(payload, epoch, owner, inbox.updates(), inbox.seq(), revision);
        }

        /** What a save answers: no updates, only whether new ones arrived. */
        StoredProfile sessionView() {
            return new StoredProfile(payload, epoch, owner, List.of(), inbox.seq(), revision);
        }
    }

    /** Store state shared by every backend object opened on one name. */
    private static final class Shared {
        final Clock clock;
        final Map<String, TreeMap<String, Rec>> stores = new HashMap<>();
        final Map<String, Heartbeat> servers = new HashMap<>();
        final Map<String, List<QuarantinedCopy>> quarantine = new HashMap<>();
        /** The user ids of each record by {@code store NUL key}, and the index: store to user id to keys. */
        final Map<String, List<Long>> userIdsOf = new HashMap<>();

        final Map<String, Map<Long, java.util.TreeSet<String>>> keysOfUser = new HashMap<>();
        /** Kept versions by {@code store NUL key}, by revision. */
        final Map<String, TreeMap<Long, StoredVersion>> versions = new HashMap<>();

        final MemoryMessageBus bus = new MemoryMessageBus();

        Shared(Clock clock) {
            this.clock = clock;
        }

        ServerLease lease(Heartbeat h) {
            return new ServerLease(
                    h.server().serverId(),
                    h.server().placeId(),
                    h.server().jobId(),
                    h.expiresAtMillis() - clock.millis());
        }
    }

    private TreeMap<String, Rec> store(String store) {
        return shared.stores.computeIfAbsent(store, s -> new TreeMap<>());
    }

    /** The record, or a new empty one (not yet stored) if there is none. */
    private Rec rec(String store, String key) {
        Rec r = store(store).get(key);
        return r != null ? r : new Rec(null, 0, null, 0, new UpdateInbox());
    }

    private void call(String operation) {
        if (closed) {
            throw new BackendException(description + " is closed", false);
        }
        roundTrips.roundTrip(operation);
    }

    @Override
    public String describe() {
        return description;
    }

    /** The built-in stores offer every administrative operation themselves. */
    @Override
    public Optional<BackendAdmin> admin() {
        return Optional.of(this);
    }

    @Override
    public Optional<VersionHistory> history() {
        return Optional.of(history);
    }

    @Override
    public StoredProfile read(String store, String key) {
        call("read");
        synchronized (shared) {
            Rec r = store(store).get(key);
            return r == null ? StoredProfile.ABSENT : r.view();
        }
    }

    @Override
    public AcquireResult acquire(String store, String key, Owner me, long expectedEpoch, byte[] initialPayload) {
        call("acquire");
        synchronized (shared) {
            Rec r = rec(store, key);
            boolean ok = expectedEpoch == -1 ? r.owner() == null : r.epoch() == expectedEpoch;
            if (!ok) {
                return new AcquireResult(false, r.view());
            }
            byte[] payload = r.payload() != null ? r.payload() : initialPayload;
            Rec after = r.withSession(payload, r.epoch() + 1, me);
            store(store).put(key, after);
            return new AcquireResult(true, after.view());
        }
    }

    @Override
    public SaveResult save(String store, String key, SaveRequest w) {
        call("save");
        synchronized (shared) {
            return saveLocked(store, key, w);
        }
    }

    /** One call for the whole batch, so the engine's batching is exercised on {@code memory:} too. */
    @Override
    public List<SaveResult> saveBatch(List<SaveItem> items) {
        call("saveBatch");
        List<SaveResult> results = new ArrayList<>(items.size());
        synchronized (shared) {
            for (SaveItem item : items) {
                results.add(saveLocked(item.store(), item.key(), item.request()));
            }
        }
        return results;
    }

    @Override
    public int maxBatchSize() {
        return 64;
    }

    private SaveResult saveLocked(String store, String key, SaveRequest w) {
        Rec r = rec(store, key);
        if (r.epoch() != w.epoch() || r.owner() == null || !r.owner().serverId().equals(w.serverId())) {
            return new SaveResult(SaveResult.Status.LOST_SESSION, r.sessionView());
        }
        if (!r.inbox().canConsume(w.consume())) {
            return new SaveResult(SaveResult.Status.UPDATES_CHANGED, r.sessionView());
        }
        r.inbox().consume(w.consume(), shared.clock.millis());
        Rec after = r.written(w.payload(), r.epoch(), w.release() ? null : r.owner());
        store(store).put(key, after);
        if (w.keepAs() != null) {
            keep(store, key, after, w.keepAs(), r.owner());
        }
        if (w.userIds() != null) {
            index(store, key, w.userIds());
        }
        return new SaveResult(SaveResult.Status.SAVED, after.sessionView());
    }

    @Override
    public SendResult sendUpdates(String store, String key, List<UpdateOp> ops, int maxPending) {
        call("sendUpdates");
        synchronized (shared) {
            Rec r = rec(store, key);
            List<Long> added = new ArrayList<>();
            SendResult.Status status = r.inbox().send(ops, maxPending, shared.clock.millis(), added);
            if (status == SendResult.Status.APPLIED) {
                store(store).put(key, r);
            }
            return new SendResult(
                    status, status == SendResult.Status.APPLIED ? List.copyOf(added) : List.of(), r.owner());
        }
    }

    @Override
    public StoredProfile readUpdates(String store, String key) {
        call("readUpdates");
        synchronized (shared) {
            Rec r = rec(store, key);
            return new StoredProfile(
                    null, r.epoch(), r.owner(), r.inbox().updates(), r.inbox().seq(), r.revision());
        }
    }

    @Override
    public void heartbeat(Owner server, Duration lease) {
        call("heartbeat");
        synchronized (shared) {
            shared.servers.put(server.serverId(), new Heartbeat(server, shared.clock.millis() + lease.toMillis()));
        }
    }

    @Override
    public Optional<ServerLease> server(String serverId) {
        call("server");
        synchronized (shared) {
            return Optional.ofNullable(shared.servers.get(serverId)).map(shared::lease);
        }
    }

    @Override
    public LeaseClock leaseClock() {
        return LeaseClock.SERVICE;
    }

    @Override
    public void removeServer(String serverId) {
        call("removeServer");
        synchronized (shared) {
            shared.servers.remove(serverId);
        }
    }

    @Override
    public List<ServerLease> servers() {
        call("servers");
        synchronized (shared) {
            return shared.servers.values().stream().map(shared::lease).toList();
        }
    }

    @Override
    public void quarantine(String store, String key, byte[] payload, String reason, long atMillis) {
        call("quarantine");
        synchronized (shared) {
            shared.quarantine
                    .computeIfAbsent(store + "\u0000" + key, k -> new ArrayList<>())
                    .add(new QuarantinedCopy(payload.clone(), reason, atMillis));
        }
    }

    @Override
    public List<QuarantinedCopy> quarantined(String store, String key) {
        call("quarantined");
        synchronized (shared) {
            return List.copyOf(shared.quarantine.getOrDefault(store + "\u0000" + key, List.of()));
        }
    }

    @Override
    public int quarantineCount(String store, String key) {
        call("quarantineCount");
        synchronized (shared) {
            return shared.quarantine
                    .getOrDefault(store + "\u0000" + key, List.of())
                    .size();
        }
    }

    @Override
    public StoredProfile forceRelease(String store, String key) {
        call("forceRelease");
        synchronized (shared) {
            Rec r = store(store).get(key);
            if (r == null) {
                return StoredProfile.ABSENT;
            }
            Rec after = r.withSession(r.payload(), r.epoch() + 1, null);
            store(store).put(key, after);
            return after.view();
        }
    }

    @Override
    public boolean delete(String store, String key) {
        call("delete");
        synchronized (shared) {
            shared.quarantine.remove(store + "\u0000" + key);
            shared.versions.remove(store + "\u0000" + key);
            index(store, key, List.of());
            return store(store).remove(key) != null;
        }
    }

    @Override
    public List<String> stores() {
        call("stores");
        synchronized (shared) {
            return shared.stores.entrySet().stream()
                    .filter(e -> !e.getValue().isEmpty())
                    .map(Map.Entry::getKey)
                    .sorted()
                    .toList();
        }
    }

    @Override
    public List<String> keys(String store, String afterKey, int limit) {
        call("keys");
        synchronized (shared) {
            var view = afterKey == null ? store(store) : store(store).tailMap(afterKey, false);
            List<String> out = new ArrayList<>();
            for (String k : view.keySet()) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(k);
            }
            return out;
        }
    }

    @Override
    public List<SessionInfo> sessions(String store) {
        call("sessions");
        synchronized (shared) {
            List<SessionInfo> out = new ArrayList<>();
            store(store).forEach((k, r) -> {
                if (r.owner() != null) {
                    out.add(new SessionInfo(k, r.epoch(), r.owner()));
                }
            });
            return out;
        }
    }

    @Override
    public Optional<MessageBus> messageBus() {
        return Optional.of(shared.bus.view());
    }

    @Override
    public void setRoundTripListener(RoundTripListener listener) {
        this.roundTrips = listener == null ? RoundTripListener.NONE : listener;
    }

    @Override
    public void close() {
        closed = true;
    }

    // ---------------------------------------------------------------- user ids

    /** Replaces the record's user ids in the index; the caller holds the store's lock. */
    private void index(String store, String key, List<Long> userIds) {
        var byUser = shared.keysOfUser.computeIfAbsent(store, s -> new HashMap<>());
        for (Long old : shared.userIdsOf.getOrDefault(store + "\u0000" + key, List.of())) {
            var keys = byUser.get(old);
            if (keys != null && keys.remove(key) && keys.isEmpty()) {
                byUser.remove(old);
            }
        }
        if (userIds.isEmpty()) {
            shared.userIdsOf.remove(store + "\u0000" + key);
            return;
        }
        shared.userIdsOf.put(store + "\u0000" + key, List.copyOf(userIds));
        userIds.forEach(
                id -> byUser.computeIfAbsent(id, i -> new java.util.TreeSet<>()).add(key));
    }

    @Override
    public List<String> keysOfUser(String store, long userId) {
        call("keysOfUser");
        synchronized (shared) {
            return List.copyOf(
                    shared.keysOfUser.getOrDefault(store, Map.of()).getOrDefault(userId, new java.util.TreeSet<>()));
        }
    }

    // ---------------------------------------------------------------- versions

    /** Keeps {@code after}'s payload as a version; the caller holds the store's lock. */
    private void keep(String store, String key, Rec after, VersionCause cause, Owner writer) {
        shared.versions
                .computeIfAbsent(store + "\u0000" + key, k -> new TreeMap<>())
                .put(
                        after.revision(),
                        new StoredVersion(
                                after.revision(),
                                shared.clock.millis(),
                                cause,
                                writer,
                                after.payload().length,
                                false,
                                after.payload()));
    }

    /** The kept versions of a record, under the store's lock. */
    private TreeMap<Long, StoredVersion> versionsOf(String store, String key) {
        return shared.versions.getOrDefault(store + "\u0000" + key, new TreeMap<>());
    }

    /** {@link VersionHistory} over the same lock as every other operation. */
    private final class History implements VersionHistory {
        @Override
        public List<StoredVersion> versions(String store, String key, VersionPage page) {
            call("versions");
            synchronized (shared) {
                var all = versionsOf(store, key);
                var ordered = page.descending() ? all.descendingMap() : all;
                var from = page.afterRevision() < 0 ? ordered : ordered.tailMap(page.afterRevision(), false);
                List<StoredVersion> out = new ArrayList<>();
                for (StoredVersion v : from.values()) {
                    if (out.size() >= page.limit()) {
                        break;
                    }
                    if (page.includes(v.savedAtMillis())) {
                        out.add(v);
                    }
                }
                return out;
            }
        }

        @Override
        public Optional<StoredVersion> version(String store, String key, long revision) {
            call("version");
            synchronized (shared) {
                return Optional.ofNullable(versionsOf(store, key).get(revision));
            }
        }

        @Override
        public boolean setPinned(String store, String key, long revision, boolean pinned) {
            call("setPinned");
            synchronized (shared) {
                StoredVersion v = versionsOf(store, key).get(revision);
                if (v == null) {
                    return false;
                }
                versionsOf(store, key)
                        .put(
                                revision,
                                new StoredVersion(
                                        v.revision(),
                                        v.savedAtMillis(),
                                        v.cause(),
                                        v.writer(),
                                        v.size(),
                                        pinned,
                                        v.payload()));
                return true;
            }
        }

        @Override
        public int prune(String store, String key, int keepNewest, Duration maxAge) {
            call("prune");
            synchronized (shared) {
                var all = versionsOf(store, key);
                long cutoff = maxAge.isZero() ? Long.MIN_VALUE : shared.clock.millis() - maxAge.toMillis();
                int rank = 0;
                int deleted = 0;
                for (var it = all.descendingMap().values().iterator(); it.hasNext(); ) {
                    StoredVersion v = it.next();
                    rank++;
                    boolean beyondCount = keepNewest > 0 && rank > keepNewest;
                    boolean tooOld = rank > 1 && v.savedAtMillis() < cutoff;
                    if (!v.pinned() && (beyondCount || tooOld)) {
                        it.remove();
                        deleted++;
                    }
                }
                return deleted;
            }
        }

        @Override
        public StoredProfile overwrite(
                String store,
                String key,
                byte[] payload,
                boolean clearUpdates,
                VersionCause cause,
                List<Long> userIds) {
            call("overwrite");
            synchronized (shared) {
                Rec r = store(store).get(key);
                if (r == null || r.payload() == null) {
                    return StoredProfile.ABSENT;
                }
                if (clearUpdates) {
                    r.inbox().clearPending(shared.clock.millis());
                }
                Rec after = r.written(payload, r.epoch() + 1, null);
                store(store).put(key, after);
                keep(store, key, after, cause, null);
                if (userIds != null) {
                    index(store, key, userIds);
                }
                return after.view();
            }
        }
    }
}
