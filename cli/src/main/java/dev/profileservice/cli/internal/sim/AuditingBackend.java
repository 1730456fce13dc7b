package dev.profileservice.cli.internal.sim;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.RoundTripListener;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.SessionInfo;
import dev.profileservice.spi.StoredProfile;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Backend} decorator that reports every successful {@link #acquire} and every
 * {@link #save} outcome, and every successful {@link #heartbeat}, with wall-clock times (microseconds) taken just before and just after the
 * call, to an {@link AuditSink}. The simulation's parent process uses these records to check fencing
 * across processes: a save accepted with epoch {@code e} that started after an acquire with a higher
 * epoch had completed is a violation. Thread-safe; the sink is called on the calling thread.
 */
public final class AuditingBackend implements Backend {

    /** Receives the audit records. Must be thread-safe and quick. */
    public interface AuditSink {
        /**
         * A successful acquire of {@code key} under the new {@code epoch}; {@code expectedEpoch} is -1
         * for taking a free record and the previous epoch for a steal.
         */
        void acquired(String key, long epoch, long expectedEpoch, long startMicros, long endMicros);

        /** A successful heartbeat that extended this server's lease to {@code expiresAtMillis}. */
        void heartbeat(long expiresAtMillis, long startMicros, long endMicros);

        /**
         * A save of {@code key} by the session of {@code epoch}: status is SAVED, LOST_SESSION,
         * INBOX_CHANGED, or ERROR (an exception: it may or may not have been applied).
         */
        void saved(String key, long epoch, boolean release, String status, long startMicros, long endMicros);
    }

    private final Backend delegate;
    private final AuditSink sink;
    private final Map<String, Long> lastAcquired = new ConcurrentHashMap<>();

    public AuditingBackend(Backend delegate, AuditSink sink) {
        this.delegate = delegate;
        this.sink = sink;
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
    public AcquireResult acquire(String store, String key, Owner me, long expectedEpoch) {
        long t0 = nowMicros();
        AcquireResult result = delegate.acquire(store, key, me, expectedEpoch);
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
            result = delegate.save(store, key, request);
        } catch (RuntimeException e) {
            sink.saved(key, request.epoch(), request.release(), "ERROR", t0, nowMicros());
            throw e;
        }
        sink.saved(key, request.epoch(), request.release(), result.status().name(), t0, nowMicros());
        return result;
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public StoredProfile read(String store, String key) {
        return delegate.read(store, key);
    }

    @Override
    public Optional<StoredProfile> writeInbox(String store, String key, long expectedVersion, byte[] inbox) {
        return delegate.writeInbox(store, key, expectedVersion, inbox);
    }

    @Override
    public void heartbeat(ServerLease lease) {
        long t0 = nowMicros();
        delegate.heartbeat(lease);
        sink.heartbeat(lease.expiresAtMillis(), t0, nowMicros());
    }

    @Override
    public Optional<ServerLease> server(String serverId) {
        return delegate.server(serverId);
    }

    @Override
    public void removeServer(String serverId) {
        delegate.removeServer(serverId);
    }

    @Override
    public List<ServerLease> servers() {
        return delegate.servers();
    }

    @Override
    public void quarantine(String store, String key, byte[] payload, String reason, long atMillis) {
        delegate.quarantine(store, key, payload, reason, atMillis);
    }

    @Override
    public int quarantineCount(String store, String key) {
        return delegate.quarantineCount(store, key);
    }

    @Override
    public StoredProfile forceRelease(String store, String key) {
        return delegate.forceRelease(store, key);
    }

    @Override
    public boolean delete(String store, String key) {
        return delegate.delete(store, key);
    }

    @Override
    public List<String> keys(String store, String afterKey, int limit) {
        return delegate.keys(store, afterKey, limit);
    }

    @Override
    public List<SessionInfo> sessions(String store) {
        return delegate.sessions(store);
    }

    @Override
    public Optional<MessageBus> messageBus() {
        return delegate.messageBus();
    }

    @Override
    public void setRoundTripListener(RoundTripListener listener) {
        delegate.setRoundTripListener(listener);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
