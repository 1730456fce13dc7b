package dev.profileservice.testkit;

import dev.profileservice.internal.memory.UpdateInbox;
import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.BackendProvider;
import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.QuarantinedCopy;
import dev.profileservice.spi.RoundTripListener;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.SessionInfo;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A test-only backend that several JVM processes can share: the whole store is one file, and every
 * operation locks the file (an OS lock, plus a JVM-wide monitor), reads it, changes it and writes it
 * back. Slow and simple; it exists so the testkit can run {@link MultiProcessHandOffTest} on its own.
 * URI: {@code testfile:/absolute/path}. No message bus (the engine polls).
 */
final class FileBackend implements Backend, BackendAdmin {

    /** {@code testfile:} provider, registered for the tests. */
    public static final class Provider implements BackendProvider {
        @Override
        public Set<String> schemes() {
            return Set.of("testfile");
        }

        @Override
        public Backend open(String uri) {
            return new FileBackend(Path.of(uri.substring("testfile:".length())));
        }
    }

    private static final Object JVM_LOCK = new Object();

    /** One record; the inbox is changed in place, the session fields replaced. */
    private record Rec(byte[] payload, long epoch, String[] owner, UpdateInbox inbox) implements Serializable {
        Rec withSession(byte[] newPayload, long newEpoch, String[] newOwner) {
            return new Rec(newPayload, newEpoch, newOwner, inbox);
        }
    }

    /** A quarantined copy as the file keeps it. */
    private record Quarantined(byte[] payload, String reason, long atMillis) implements Serializable {}

    private static final class State implements Serializable {
        final Map<String, TreeMap<String, Rec>> stores = new HashMap<>();
        final Map<String, String[]> servers = new HashMap<>();
        final Map<String, ArrayList<Quarantined>> quarantine = new HashMap<>();

        TreeMap<String, Rec> store(String s) {
            return stores.computeIfAbsent(s, k -> new TreeMap<>());
        }

        Rec rec(String s, String key) {
            Rec r = store(s).get(key);
            return r != null ? r : new Rec(null, 0, null, new UpdateInbox());
        }
    }

    private final Path file;
    private volatile RoundTripListener roundTrips = RoundTripListener.NONE;

    FileBackend(Path file) {
        this.file = file;
    }

    private <R> R op(String name, Function<State, R> body) {
        roundTrips.roundTrip(name);
        synchronized (JVM_LOCK) {
            try (FileChannel ch = FileChannel.open(
                            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    FileLock ignored = ch.lock()) {
                ByteBuffer buf = ByteBuffer.allocate((int) ch.size());
                while (buf.hasRemaining() && ch.read(buf) >= 0) {
                    // read all
                }
                State state;
                if (buf.capacity() == 0) {
                    state = new State();
                } else {
                    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(buf.array()))) {
                        state = (State) in.readObject();
                    }
                }
                R result = body.apply(state);
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                    out.writeObject(state);
                }
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(bytes.toByteArray()), 0);
                ch.force(false);
                return result;
            } catch (IOException | ClassNotFoundException e) {
                throw new BackendException("testfile:" + file + " " + name + " failed: " + e, true, e);
            }
        }
    }

    private static StoredProfile view(Rec r) {
        return r == null
                ? StoredProfile.ABSENT
                : new StoredProfile(
                        r.payload(),
                        r.epoch(),
                        owner(r.owner()),
                        r.inbox().updates(),
                        r.inbox().seq());
    }

    private static Owner owner(String[] o) {
        return o == null ? null : new Owner(o[0], o[1], o[2]);
    }

    private static String[] owner(Owner o) {
        return o == null ? null : new String[] {o.serverId(), o.placeId(), o.jobId()};
    }

    @Override
    public String describe() {
        return "testfile:" + file;
    }

    /** The built-in stores offer every administrative operation themselves. */
    @Override
    public Optional<BackendAdmin> admin() {
        return Optional.of(this);
    }

    @Override
    public StoredProfile read(String store, String key) {
        return op("read", s -> view(s.store(store).get(key)));
    }

    @Override
    public AcquireResult acquire(String store, String key, Owner me, long expectedEpoch, byte[] initialPayload) {
        return op("acquire", s -> {
            Rec r = s.rec(store, key);
            boolean ok = expectedEpoch == -1 ? r.owner() == null : r.epoch() == expectedEpoch;
            if (!ok) {
                return new AcquireResult(false, view(r));
            }
            Rec after = r.withSession(r.payload() != null ? r.payload() : initialPayload, r.epoch() + 1, owner(me));
            s.store(store).put(key, after);
            return new AcquireResult(true, view(after));
        });
    }

    @Override
    public SaveResult save(String store, String key, SaveRequest w) {
        return op("save", s -> {
            Rec r = s.rec(store, key);
            if (r.epoch() != w.epoch() || r.owner() == null || !r.owner()[0].equals(w.serverId())) {
                return new SaveResult(SaveResult.Status.LOST_SESSION, view(r).withoutUpdates());
            }
            if (!r.inbox().canConsume(w.consume())) {
                return new SaveResult(SaveResult.Status.UPDATES_CHANGED, view(r).withoutUpdates());
            }
            r.inbox().consume(w.consume(), System.currentTimeMillis());
            Rec after = r.withSession(w.payload(), r.epoch(), w.release() ? null : r.owner());
            s.store(store).put(key, after);
            return new SaveResult(SaveResult.Status.SAVED, view(after).withoutUpdates());
        });
    }

    @Override
    public SendResult sendUpdates(String store, String key, List<UpdateOp> ops, int maxPending) {
        return op("sendUpdates", s -> {
            Rec r = s.rec(store, key);
            List<Long> added = new ArrayList<>();
            SendResult.Status status = r.inbox().send(ops, maxPending, System.currentTimeMillis(), added);
            if (status == SendResult.Status.APPLIED) {
                s.store(store).put(key, r);
            }
            return new SendResult(status, added, owner(r.owner()));
        });
    }

    @Override
    public StoredProfile readUpdates(String store, String key) {
        return op("readUpdates", s -> {
            StoredProfile r = view(s.rec(store, key));
            return new StoredProfile(null, r.epoch(), r.owner(), r.updates(), r.updateSeq());
        });
    }

    @Override
    public void heartbeat(Owner server, Duration lease) {
        op(
                "heartbeat",
                s -> s.servers.put(server.serverId(), new String[] {
                    server.serverId(),
                    server.placeId(),
                    server.jobId(),
                    Long.toString(System.currentTimeMillis() + lease.toMillis())
                }));
    }

    /** The processes sharing the file share this host's clock. */
    @Override
    public LeaseClock leaseClock() {
        return LeaseClock.HOST;
    }

    private static ServerLease lease(String[] row) {
        return new ServerLease(row[0], row[1], row[2], Long.parseLong(row[3]) - System.currentTimeMillis());
    }

    @Override
    public Optional<ServerLease> server(String serverId) {
        return op("server", s -> Optional.ofNullable(s.servers.get(serverId)).map(FileBackend::lease));
    }

    @Override
    public void removeServer(String serverId) {
        op("removeServer", s -> s.servers.remove(serverId));
    }

    @Override
    public List<ServerLease> servers() {
        return op(
                "servers",
                s -> s.servers.values().stream().map(FileBackend::lease).toList());
    }

    @Override
    public void quarantine(String store, String key, byte[] payload, String reason, long atMillis) {
        op(
                "quarantine",
                s -> s.quarantine
                        .computeIfAbsent(store + "\u0000" + key, k -> new ArrayList<>())
                        .add(new Quarantined(payload.clone(), reason, atMillis)));
    }

    @Override
    public int quarantineCount(String store, String key) {
        return op(
                "quarantineCount",
                s -> s.quarantine
                        .getOrDefault(store + "\u0000" + key, new ArrayList<>())
                        .size());
    }

    @Override
    public List<QuarantinedCopy> quarantined(String store, String key) {
        return op(
                "quarantined",
                s -> s.quarantine.getOrDefault(store + "\u0000" + key, new ArrayList<>()).stream()
                        .map(q -> new QuarantinedCopy(q.payload(), q.reason(), q.atMillis()))
                        .toList());
    }

    @Override
    public StoredProfile forceRelease(String store, String key) {
        return op("forceRelease", s -> {
            Rec r = s.store(store).get(key);
            if (r == null) {
                return StoredProfile.ABSENT;
            }
            Rec after = r.withSession(r.payload(), r.epoch() + 1, null);
            s.store(store).put(key, after);
            return view(after);
        });
    }

    @Override
    public boolean delete(String store, String key) {
        return op("delete", s -> {
            s.quarantine.remove(store + "\u0000" + key);
            return s.store(store).remove(key) != null;
        });
    }

    @Override
    public List<String> stores() {
        return op(
                "stores",
                s -> s.stores.entrySet().stream()
                        .filter(e -> !e.getValue().isEmpty())
                        .map(Map.Entry::getKey)
                        .sorted()
                        .toList());
    }

    @Override
    public List<String> keys(String store, String afterKey, int limit) {
        return op("keys", s -> {
            var view = afterKey == null ? s.store(store) : s.store(store).tailMap(afterKey, false);
            return new ArrayList<>(view.keySet()).subList(0, Math.min(limit, view.size()));
        });
    }

    @Override
    public List<SessionInfo> sessions(String store) {
        return op("sessions", s -> {
            List<SessionInfo> out = new ArrayList<>();
            s.store(store).forEach((k, r) -> {
                if (r.owner() != null) {
                    out.add(new SessionInfo(k, r.epoch(), owner(r.owner())));
                }
            });
            return out;
        });
    }

    @Override
    public void setRoundTripListener(RoundTripListener listener) {
        roundTrips = listener == null ? RoundTripListener.NONE : listener;
    }

    @Override
    public void close() {
        // nothing held between operations
    }
}
