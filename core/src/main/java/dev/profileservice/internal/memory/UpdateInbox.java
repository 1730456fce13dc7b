package dev.profileservice.internal.memory;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SendPlan;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.UpdateOp;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The global-update inbox of one record, as the {@link Backend} contract defines it: pending
 * updates numbered by the inbox, add tokens remembered while pending and for
 * {@link Backend#TOKEN_RETENTION} after they are consumed. The reference implementation for stores
 * that keep records in memory (this package's backend, and the testkit's single-file store, which is
 * why it is {@link Serializable}). Not thread-safe: callers hold their store's lock.
 */
public final class UpdateInbox implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    /** A pending update; {@link PendingUpdate} itself is not serializable. */
    private record Entry(long version, byte[] data) implements Serializable {}

    private final TreeMap<Long, Entry> pending = new TreeMap<>();
    private final Map<String, Long> idOfToken = new HashMap<>();
    private final Map<Long, String> tokenOfPending = new HashMap<>();
    private final Map<String, Long> consumedAtMillis = new HashMap<>();
    private long seq;

    /** The pending updates in id order (copies of the data, so callers cannot change the inbox). */
    public List<PendingUpdate> updates() {
        List<PendingUpdate> out = new ArrayList<>(pending.size());
        pending.forEach(
                (id, e) -> out.add(new PendingUpdate(id, e.version(), e.data().clone())));
        return List.copyOf(out);
    }

    /** The last id given to an update, 0 if none ever. */
    public long seq() {
        return seq;
    }

    /**
     * Applies a send all or nothing, as {@link Backend#sendUpdates} does; {@code nowMillis} is the
     * store's time, stamped on tokens of updates a clear removes.
     */
    public SendResult.Status send(List<UpdateOp> ops, int maxPending, long nowMillis, List<Long> addedIds) {
        Map<Long, Long> versions = new HashMap<>();
        pending.forEach((id, e) -> versions.put(id, e.version()));
        SendPlan plan = SendPlan.of(ops, maxPending, seq, pending.size(), idOfToken, versions);
        if (plan.applied()) {
            plan.inserts().forEach(i -> {
                idOfToken.put(i.token(), i.id());
                tokenOfPending.put(i.id(), i.token());
                pending.put(i.id(), new Entry(1, i.data().clone()));
            });
            plan.changes()
                    .forEach(u ->
                            pending.put(u.id(), new Entry(u.version(), u.data().clone())));
            plan.clears().forEach(id -> remove(id, nowMillis));
            seq = plan.seq();
            addedIds.addAll(plan.addedIds());
        }
        return plan.status();
    }

    /** True when every update the save names is pending at the version it names. */
    public boolean canConsume(List<SaveRequest.Consume> consume) {
        return consume.stream().allMatch(c -> isAt(c.id(), c.version()));
    }

    /**
     * Removes the updates a save consumed (checked with {@link #canConsume} first) and forgets
     * tokens consumed longer than the retention ago.
     */
    public void consume(List<SaveRequest.Consume> consume, long nowMillis) {
        consume.forEach(c -> remove(c.id(), nowMillis));
        long before = nowMillis - Backend.TOKEN_RETENTION.toMillis();
        consumedAtMillis.entrySet().removeIf(e -> {
            boolean expired = e.getValue() < before;
            if (expired) {
                idOfToken.remove(e.getKey());
            }
            return expired;
        });
    }

    /** Clears every pending update (an overwrite that clears them); their tokens are remembered as consumed. */
    public void clearPending(long nowMillis) {
        for (Long id : List.copyOf(pending.keySet())) {
            remove(id, nowMillis);
        }
    }

    private boolean isAt(long id, long version) {
        Entry e = pending.get(id);
        return e != null && e.version() == version;
    }

    private void remove(long id, long nowMillis) {
        pending.remove(id);
        String token = tokenOfPending.remove(id);
        if (token != null) {
            consumedAtMillis.put(token, nowMillis);
        }
    }
}
