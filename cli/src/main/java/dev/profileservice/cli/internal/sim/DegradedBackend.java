package dev.profileservice.cli.internal.sim;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.ForwardingBackend;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import dev.profileservice.testkit.FaultInjectingBackend;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The store as a degraded network shows it to one game server (a child of {@code profiles
 * simulate}): every store call waits the link's latency, give or take its jitter, before it goes
 * out; for a while ({@link #slow}) far longer, slower than the lease; and the message channel can
 * be cut alone ({@link #cutBus}) while data calls go through.
 *
 * <p>Threads: the waits hold the engine's I/O threads, as a slow network does; {@link #slow} and
 * {@link #cutBus} come from the node's command thread.
 */
final class DegradedBackend extends ForwardingBackend {
    private final long latencyMillis;
    private final long jitterMillis;
    private volatile long slowUntil;
    private volatile long slowMillis;
    /** The message channel's switch (the testkit's wrapper silences a bus both ways). */
    private final FaultInjectingBackend bus;
    /** While the bus is cut: when it comes back (millis), else 0. */
    private volatile long busCutUntil;

    DegradedBackend(Backend delegate, Duration latency, Duration jitter) {
        super(new FaultInjectingBackend(delegate));
        this.bus = (FaultInjectingBackend) delegate();
        this.latencyMillis = latency.toMillis();
        this.jitterMillis = jitter.toMillis();
    }

    /** For {@code period}, every call takes {@code extra} longer. */
    void slow(Duration period, Duration extra) {
        slowMillis = extra.toMillis();
        slowUntil = System.currentTimeMillis() + period.toMillis();
    }

    /**
     * For {@code period}, messages neither go out nor come in. The channel comes back at the first
     * store call after the period (heartbeats make one every third of a lease).
     */
    void cutBus(Duration period) {
        busCutUntil = System.currentTimeMillis() + period.toMillis();
        bus.disableBus(true);
    }

    private void delay() {
        long cutUntil = busCutUntil;
        if (cutUntil != 0 && System.currentTimeMillis() >= cutUntil) {
            busCutUntil = 0;
            bus.disableBus(false);
        }
        long millis = latencyMillis;
        if (jitterMillis > 0) {
            millis += ThreadLocalRandom.current().nextLong(-jitterMillis, jitterMillis + 1);
        }
        if (System.currentTimeMillis() < slowUntil) {
            millis += slowMillis;
        }
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the engine is closing: let the call go out now
        }
    }

    @Override
    public StoredProfile read(String store, String key) {
        delay();
        return super.read(store, key);
    }

    @Override
    public AcquireResult acquire(String store, String key, Owner me, long expectedEpoch, byte[] initialPayload) {
        delay();
        return super.acquire(store, key, me, expectedEpoch, initialPayload);
    }

    @Override
    public SaveResult save(String store, String key, SaveRequest request) {
        delay();
        return super.save(store, key, request);
    }

    @Override
    public List<SaveResult> saveBatch(List<SaveItem> items) {
        delay();
        return super.saveBatch(items);
    }

    @Override
    public SendResult sendUpdates(String store, String key, List<UpdateOp> ops, int maxPending) {
        delay();
        return super.sendUpdates(store, key, ops, maxPending);
    }

    @Override
    public StoredProfile readUpdates(String store, String key) {
        delay();
        return super.readUpdates(store, key);
    }

    @Override
    public void heartbeat(Owner server, Duration lease) {
        delay();
        super.heartbeat(server, lease);
    }

    @Override
    public Optional<ServerLease> server(String serverId) {
        delay();
        return super.server(serverId);
    }
}
