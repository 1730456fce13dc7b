package dev.profileservice.testkit.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The guarantees, checked against what the store really did (the {@link SimStore}s report every
 * write before a fault hides it from the caller):
 * <ul>
 *   <li>one writer: a save the store accepts comes from the session that acquired the key last;</li>
 *   <li>a profile is taken from another server only when that server's lease has run out (now,
 *       or for a while since it took the profile), a load asked for it (FORCE_LOAD, STEAL) or an
 *       operator released it;</li>
 *   <li>stored data never goes back: every write extends the items the last write stored;</li>
 *   <li>a gift the store accepted is applied exactly once (never twice, and once everything heals
 *       and drains, not zero times; a gift accepted before an operator's rollback may have been
 *       rolled back with the data: at most once);</li>
 *   <li>a release the engine acknowledged left its data in the store.</li>
 * </ul>
 * The first violation is kept (a callback inside an engine task must not throw into the engine,
 * which would take it for a store failure); the simulation stops at it.
 */
final class SimOracle {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SimWorld world;
    private final Backend shared;
    private final String storeName;
    private final long leaseMillis;
    private String violation;

    private final Map<String, KeyState> keys = new HashMap<>();
    /** Per server id: when its lease runs out by the store's clock, and the process that runs it. */
    private final Map<String, Long> leaseEnds = new HashMap<>();

    private final Map<String, SimProcess> processOf = new HashMap<>();
    /** Per server id: when a late heartbeat last renewed a lease that had run out. */
    private final Map<String, Long> lapses = new HashMap<>();

    SimOracle(SimWorld world, Backend shared, String storeName, long leaseMillis) {
        this.world = world;
        this.shared = shared;
        this.storeName = storeName;
        this.leaseMillis = leaseMillis;
    }

    private static final class KeyState {
        long epoch;
        String owner;
        long acquiredAt;
        boolean forceAsked;
        /** The epoch an operator ended, if one did since the last acquire. */
        long releasedByAdmin = -1;

        List<String> items = List.of();
        final Map<String, Long> sessionEpochs = new HashMap<>();
        final Set<String> giftsAccepted = new LinkedHashSet<>();
        /** Gifts accepted before the last rollback: the rollback may have taken them out of the data. */
        final Set<String> giftsBeforeRollback = new HashSet<>();
    }

    private KeyState key(String key) {
        return keys.computeIfAbsent(key, k -> new KeyState());
    }

    String violation() {
        return violation;
    }

    private void violated(String what) {
        if (violation == null) {
            violation = what;
            world.trace().add(world.now(), "oracle", "VIOLATION: " + what);
        }
    }

    /** Something that had to finish once the faults healed did not. */
    void liveness(String what) {
        violated(what);
    }

    long skewOf(String serverId) {
        SimProcess p = processOf.get(serverId);
        return p == null ? 0 : p.skewMillis();
    }

    // ---------------------------------------------------------------- what the store did

    void heartbeat(SimProcess process, String serverId) {
        processOf.put(serverId, process);
        Long end = leaseEnds.put(serverId, world.now() + leaseMillis);
        if (end != null && end < world.now()) {
            lapses.put(serverId, world.now()); // it was dead until now: what it held was fair game meanwhile
        }
    }

    void acquired(SimProcess process, String key, StoredProfile before, AcquireResult r, Owner me) {
        if (!r.acquired()) {
            return;
        }
        KeyState k = key(key);
        long epoch = r.record().epoch();
        world.trace().add(world.now(), process.name(), "acquired " + key + " at epoch " + epoch);
        if (epoch <= k.epoch) {
            violated(process + " acquired " + key + " at epoch " + epoch + ", not above the last one, " + k.epoch);
        }
        Owner from = before.owner();
        if (from != null && !from.serverId().equals(me.serverId()) && !k.forceAsked) {
            long left = leaseEnds.getOrDefault(from.serverId(), Long.MIN_VALUE) - world.now();
            boolean lapsedSinceItTookIt = lapses.getOrDefault(from.serverId(), Long.MIN_VALUE) >= k.acquiredAt;
            if (left > 0 && !lapsedSinceItTookIt) {
                violated(process + " took " + key + " from " + processOf.get(from.serverId()) + ", whose lease runs "
                        + left + " ms more, and no load asked for it (FORCE_LOAD)");
            }
        }
        k.epoch = epoch;
        k.owner = me.serverId();
        k.acquiredAt = world.now();
        k.forceAsked = false;
        k.releasedByAdmin = -1;
        k.sessionEpochs.put(me.serverId(), epoch);
        if (before.payload() == null) {
            stored(process, key, r.record().payload());
        }
    }

    void saved(SimProcess process, String key, SaveRequest asked, SaveResult r) {
        if (r.status() != SaveResult.Status.SAVED) {
            return;
        }
        KeyState k = key(key);
        if (asked.epoch() != k.epoch || !asked.serverId().equals(k.owner) || k.releasedByAdmin == k.epoch) {
            violated("the store accepted " + process + "'s " + (asked.release() ? "release" : "save") + " of " + key
                    + " at epoch " + asked.epoch() + ", but the key's session is epoch " + k.epoch
                    + (k.releasedByAdmin == k.epoch ? ", ended by an operator" : "") + ": two writers");
        }
        stored(process, key, asked.payload());
    }

    private void stored(SimProcess process, String key, byte[] payload) {
        KeyState k = key(key);
        List<String> items = items(payload);
        if (items.size() < k.items.size() || !items.subList(0, k.items.size()).equals(k.items)) {
            violated("stored data of " + key + " went back: " + process + " wrote " + items + " over " + k.items);
        }
        Set<String> seen = new HashSet<>();
        for (String item : items) {
            if (item.startsWith("g:") && !seen.add(item)) {
                violated("gift " + item + " applied twice to " + key + ": " + items);
            }
        }
        k.items = items;
    }

    void sent(SimProcess process, String key, List<UpdateOp> ops, SendResult r) {
        if (r.status() != SendResult.Status.APPLIED) {
            return;
        }
        for (UpdateOp op : ops) {
            if (op instanceof UpdateOp.Add add) {
                key(key).giftsAccepted.add(giftId(add.data()));
            }
        }
    }

    // ---------------------------------------------------------------- what the drivers saw

    void forceAsked(String key) {
        key(key).forceAsked = true;
    }

    /**
     * An operator wrote a kept version back: the data may go back to it (and only by this), the
     * session it ended may not write any more, and gifts accepted so far may be rolled back.
     */
    void overwritten(String key, StoredProfile after) {
        KeyState k = key(key);
        if (after.epoch() <= k.epoch) {
            violated("the rollback of " + key + " left the epoch at " + after.epoch() + ", not above " + k.epoch
                    + ": the session it ended could still write");
        }
        k.epoch = after.epoch();
        k.owner = null;
        k.forceAsked = false;
        k.releasedByAdmin = -1;
        k.items = items(after.payload());
        k.giftsBeforeRollback.addAll(k.giftsAccepted);
    }

    void releasedByAdmin(String key) {
        KeyState k = key(key);
        k.releasedByAdmin = k.epoch;
    }

    /** The engine acknowledged the release of {@code key} by {@code serverId}, whose data then held {@code items}. */
    void releaseAcknowledged(SimProcess process, String serverId, String key, List<String> items) {
        KeyState k = key(key);
        Long epoch = k.sessionEpochs.get(serverId);
        if (epoch == null || epoch != k.epoch || k.releasedByAdmin == epoch) {
            return; // the session was taken before its release could save: nothing was promised
        }
        StoredProfile now = shared.read(storeName, key);
        if (now.owner() != null && now.owner().serverId().equals(serverId) && now.epoch() == epoch) {
            violated(process + "'s release of " + key + " was acknowledged but the store still holds its session");
        }
        List<String> stored = items(now.payload());
        if (stored.size() < items.size() || !stored.subList(0, items.size()).equals(items)) {
            violated(process + "'s release of " + key + " was acknowledged with " + items + " but the store holds "
                    + stored);
        }
    }

    // ---------------------------------------------------------------- after everything healed

    /** Every accepted gift applied exactly once, none pending, none made up. */
    void drained(List<String> allKeys) {
        for (String key : allKeys) {
            StoredProfile now = shared.read(storeName, key);
            KeyState k = key(key);
            List<String> items = items(now.payload());
            if (!shared.readUpdates(storeName, key).updates().isEmpty()
                    || !lockedIn(now.payload()).isEmpty()) {
                violated(key + " still has gifts waiting after the drain");
            }
            for (String gift : k.giftsAccepted) {
                long n = items.stream().filter(gift::equals).count();
                if (n != 1 && !(n == 0 && k.giftsBeforeRollback.contains(gift))) {
                    violated("gift " + gift + " accepted by the store for " + key + " was applied " + n + " times: "
                            + items);
                }
            }
            for (String item : items) {
                if (item.startsWith("g:") && !k.giftsAccepted.contains(item)) {
                    violated(key + " holds gift " + item + ", which the store never accepted");
                }
            }
        }
    }

    /** The items of the stored data, in order (edits {@code e:..} and gifts {@code g:..}). */
    static List<String> items(byte[] payload) {
        List<String> items = new ArrayList<>();
        if (payload == null) {
            return items;
        }
        JsonNode data = parse(payload).path("data").path("items");
        data.forEach(n -> items.add(n.asText()));
        return items;
    }

    /** The ids of the gifts the owner locked and saved but has not cleared yet. */
    static List<String> lockedIn(byte[] payload) {
        List<String> ids = new ArrayList<>();
        if (payload != null) {
            parse(payload).path("locked").forEach(n -> ids.add(n.path("id").asText()));
        }
        return ids;
    }

    static String giftId(byte[] updateData) {
        return parse(updateData).path("gift").asText();
    }

    private static JsonNode parse(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
