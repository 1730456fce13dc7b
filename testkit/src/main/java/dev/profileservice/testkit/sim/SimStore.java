package dev.profileservice.testkit.sim;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.ForwardingBackend;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The store as one simulated process sees it: the shared store behind faults drawn from the
 * world's random source (a call fails before it applies, or applies and loses its reply, or takes
 * a while), the simulated message bus, and the {@link SimOracle} told what the store really did
 * (before any fault hides it from the caller). It also plants the known bugs a test switches on,
 * to show the oracle catches them.
 */
final class SimStore extends ForwardingBackend {
    private final SimProcess process;
    private final SimContext ctx;
    private volatile String serverId;

    SimStore(Backend shared, SimProcess process, SimContext ctx) {
        super(shared);
        this.process = process;
        this.ctx = ctx;
    }

    /** The id of the server this process runs, once it has written its first heartbeat. */
    String serverId() {
        return serverId;
    }

    private <R> R call(String what, Supplier<R> body) {
        if (ctx.world().random.nextDouble() < ctx.faults().failBefore) {
            ctx.world().trace().add(ctx.world().now(), process.name(), what + " failed before it applied");
            throw new BackendException("simulated failure of " + what, true);
        }
        if (ctx.faults().slowMillis > 0 && ctx.world().random.nextDouble() < ctx.faults().slow) {
            ctx.world().sleep(1 + ctx.world().random.nextLong(ctx.faults().slowMillis));
        }
        R result = body.get();
        if (ctx.world().random.nextDouble() < ctx.faults().lostReply) {
            ctx.world().trace().add(ctx.world().now(), process.name(), what + " applied, reply lost");
            throw new BackendException("simulated lost reply of " + what, true);
        }
        return result;
    }

    @Override
    public StoredProfile read(String store, String key) {
        return call("read " + key, () -> super.read(store, key));
    }

    @Override
    public AcquireResult acquire(String store, String key, Owner me, long expectedEpoch, byte[] initialPayload) {
        return call("acquire " + key, () -> {
            StoredProfile before = super.read(store, key);
            AcquireResult r = super.acquire(store, key, me, expectedEpoch, initialPayload);
            ctx.oracle().acquired(process, key, before, r, me);
            return r;
        });
    }

    @Override
    public SaveResult save(String store, String key, SaveRequest request) {
        return call("save " + key, () -> saveOne(store, key, request));
    }

    @Override
    public List<SaveResult> saveBatch(List<SaveItem> items) {
        return call("saveBatch of " + items.size(), () -> {
            List<SaveResult> results = new ArrayList<>(items.size());
            for (SaveItem i : items) {
                results.add(saveOne(i.store(), i.key(), i.request()));
            }
            return results;
        });
    }

    private SaveResult saveOne(String store, String key, SaveRequest asked) {
        SaveRequest request = asked;
        if (ctx.bugs().contains(PlantedBug.UNFENCED_SAVES)) {
            StoredProfile now = super.read(store, key);
            if (now.owner() != null) { // last writer wins: the store no longer checks who writes
                request = new SaveRequest(
                        now.owner().serverId(),
                        now.epoch(),
                        asked.payload(),
                        asked.release(),
                        asked.consume(),
                        asked.keepAs(),
                        asked.userIds());
            }
        }
        if (ctx.bugs().contains(PlantedBug.GIFT_LOCKED_OUTSIDE_SAVE)
                && !request.consume().isEmpty()) {
            // the gift leaves the inbox in a call of its own, whether or not the save then lands
            List<UpdateOp> clears = new ArrayList<>();
            for (SaveRequest.Consume c : request.consume()) {
                clears.add(new UpdateOp.Clear(c.id(), c.version()));
            }
            super.sendUpdates(store, key, clears, Integer.MAX_VALUE);
            request = new SaveRequest(
                    request.serverId(),
                    request.epoch(),
                    request.payload(),
                    request.release(),
                    List.of(),
                    request.keepAs(),
                    request.userIds());
        }
        SaveResult r = super.save(store, key, request);
        ctx.oracle().saved(process, key, asked, r);
        return r;
    }

    @Override
    public SendResult sendUpdates(String store, String key, List<UpdateOp> ops, int maxPending) {
        return call("send to " + key, () -> {
            SendResult r = super.sendUpdates(store, key, ops, maxPending);
            ctx.oracle().sent(process, key, ops, r);
            return r;
        });
    }

    @Override
    public StoredProfile readUpdates(String store, String key) {
        return call("readUpdates " + key, () -> super.readUpdates(store, key));
    }

    @Override
    public void heartbeat(Owner server, Duration lease) {
        call("heartbeat", () -> {
            super.heartbeat(server, lease);
            serverId = server.serverId();
            ctx.oracle().heartbeat(process, server.serverId());
            return null;
        });
    }

    @Override
    public Optional<ServerLease> server(String id) {
        return call("server lease", () -> {
            Optional<ServerLease> lease = super.server(id);
            if (ctx.bugs().contains(PlantedBug.LEASE_BY_LOCAL_CLOCK) && lease.isPresent()) {
                // as if the writer stored an expiry by its clock and this process compared it with its own
                long off = ctx.oracle().skewOf(id) - process.skewMillis();
                ServerLease l = lease.get();
                lease = Optional.of(new ServerLease(l.serverId(), l.placeId(), l.jobId(), l.expiresInMillis() + off));
            }
            return lease;
        });
    }

    @Override
    public void removeServer(String id) {
        call("removeServer", () -> {
            super.removeServer(id);
            return null;
        });
    }

    @Override
    public Optional<MessageBus> messageBus() {
        return Optional.of(ctx.bus().endpoint(process));
    }

    @Override
    public int maxConcurrentCalls() {
        return 4;
    }

    /** The shared store outlives every process: closing one process's view closes nothing. */
    @Override
    public void close() {}
}
