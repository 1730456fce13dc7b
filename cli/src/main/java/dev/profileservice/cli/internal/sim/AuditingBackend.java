package dev.profileservice.cli.internal.sim;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.ForwardingBackend;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Backend} decorator that reports every successful {@link #acquire} and every
 * {@link #save} outcome, and every successful {@link #heartbeat}, with wall-clock times (microseconds) taken just before and just after the
 * call, to an {@link AuditSink}. The simulation's parent process uses these records to check fencing
 * across processes: a save accepted with epoch {@code e} that started after an acquire with a higher
 * epoch had completed is a violation. Thread-safe; the sink is called on the calling thread.
 *
 * <p>Each item of a {@link #saveBatch} is reported exactly like a single save, with the times taken
 * around the whole batch (every item's write happens between them): its status, or
 * {@code ERROR} for every item when the batch throws. Everything else goes straight to the wrapped
 * backend, {@link #maxBatchSize()} included, so the engine batches as it would without the audit.
 */
public final class AuditingBackend extends ForwardingBackend {

    /** Receives the audit records. Must be thread-safe and quick. */
    public interface AuditSink {
        /**
         * A successful acquire of {@code key} under the new {@code epoch}; {@code expectedEpoch} is -1
         * for taking a free record and the previous epoch for a steal.
         */
        void acquired(String key, long epoch, long expectedEpoch, long startMicros, long endMicros);

        /**
         * A successful heartbeat. The store extended this server's lease to its own clock plus the
         * lease, read between the two times: so {@code expiresAtMillis} (start plus the lease, by this
         * host's wall clock) is the earliest the lease can end when the store shares the host's clock.
         */
        void heartbeat(long expiresAtMillis, long startMicros, long endMicros);

        /**
         * A save of {@code key} by the session of {@code epoch}: status is SAVED, LOST_SESSION,
         * UPDATES_CHANGED, or ERROR (an exception: it may or may not have been applied). Called once
         * per item for a batch.
         */
        void saved(String key, long epoch, boolean release, String status, long startMicros, long endMicros);
    }

    private final AuditSink sink;
    private final Map<String, Long> lastAcquired = new ConcurrentHashMap<>();

    public AuditingBackend(Backend delegate, AuditSink sink) {
        super(delegate);
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** Wall-clock microseconds since the epoch (comparable between processes of one host). */
    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** The epoch of this process's latest successful acquire of {@code key} (in any store), or -1. */
    public long lastAcquiredEpoch(String key) {
        return lastAcquired.getOrDefault(key, -1L);
    }

    @Override
    public AcquireResult acquire(String store, String key, Owner me, long expectedEpoch, byte[] initialPayload) {
        long t0 = nowMicros();
        AcquireResult result = delegate().acquire(store, key, me, expectedEpoch, initialPayload);
        long t1 = nowMicros();
        if (result.acquired()) {
            lastAcquired.put(key, result.record().epoch());
            sink.acquired(key, result.record().epoch(), expectedEpoch, t0, t1);
        }
        return result;
    }

    @Override
    public SaveResult save(String store, String key, SaveRequest request) {
        long t0 = nowMicros();
        SaveResult result;
        try {
            result = delegate().save(store, key, request);
        } catch (RuntimeException e) {
            sink.saved(key, request.epoch(), request.release(), "ERROR", t0, nowMicros());
            throw e;
        }
        sink.saved(key, request.epoch(), request.release(), result.status().name(), t0, nowMicros());
        return result;
    }

    /** Reports each item as {@link #save} would report it alone; see the class comment. */
    @Override
    public List<SaveResult> saveBatch(List<SaveItem> items) {
        long t0 = nowMicros();
        List<SaveResult> results;
        try {
            results = delegate().saveBatch(items);
            if (results.size() != items.size()) {
                throw new IllegalStateException(describe() + " returned " + results.size()
                        + " result(s) for a saveBatch of " + items.size() + " item(s)");
            }
        } catch (RuntimeException e) {
            long t1 = nowMicros();
            for (SaveItem item : items) {
                sink.saved(item.key(), item.request().epoch(), item.request().release(), "ERROR", t0, t1);
            }
            throw e;
        }
        long t1 = nowMicros();
        for (int i = 0; i < items.size(); i++) {
            SaveItem item = items.get(i);
            sink.saved(
                    item.key(),
                    item.request().epoch(),
                    item.request().release(),
                    results.get(i).status().name(),
                    t0,
                    t1);
        }
        return results;
    }

    @Override
    public void heartbeat(Owner server, Duration lease) {
        long t0 = nowMicros();
        delegate().heartbeat(server, lease);
        sink.heartbeat(t0 / 1000 + lease.toMillis(), t0, nowMicros());
    }
}
