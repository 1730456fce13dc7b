package dev.profileservice.spi;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Backend} that passes every call on to another backend, as the base of decorators
 * (fault injection, counting, auditing): a subclass overrides only the methods it intercepts.
 *
 * <p>Every method of {@link Backend} is forwarded, the ones with a default body too:
 * {@link #saveBatch}, {@link #maxBatchSize()}, {@link #messageBus()}, {@link #maxConcurrentCalls()},
 * {@link #setRoundTripListener}, {@link #admin()}, {@link #history()} and {@link #close()} all reach the delegate, so wrapping a backend
 * changes neither how the engine batches and sizes its I/O threads, nor whether it has a message
 * bus, nor who counts round trips.
 *
 * <p><b>A decorator that intercepts {@link #save} must also intercept {@link #saveBatch}.</b>
 * The forwarded {@code saveBatch} calls the delegate's {@code saveBatch} directly, not
 * {@code this.save} for each item, so a decorator that overrides only {@code save} never sees the
 * saves the engine sends in batches (which, with a delegate whose {@link #maxBatchSize()} is above
 * 1, is most of them).
 *
 * <h2>Threads</h2>
 * Each call is forwarded on the thread that made it (an engine I/O thread for store calls); this
 * class adds no locking and no state besides the final reference to its delegate.
 */
public abstract class ForwardingBackend implements Backend {

    private final Backend delegate;

    /**
     * @param delegate the backend every call goes to; never null
     * @throws NullPointerException if {@code delegate} is null
     */
    protected ForwardingBackend(Backend delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The wrapped backend, the target of every forwarded call. */
    protected Backend delegate() {
        return delegate;
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
    public AcquireResult acquire(String store, String key, Owner me, long expectedEpoch, byte[] initialPayload) {
        return delegate.acquire(store, key, me, expectedEpoch, initialPayload);
    }

    @Override
    public SaveResult save(String store, String key, SaveRequest request) {
        return delegate.save(store, key, request);
    }

    /**
     * Forwards to the delegate's {@code saveBatch} (not to {@link #save} item by item): a subclass
     * that intercepts {@code save} must override this too.
     */
    @Override
    public List<SaveResult> saveBatch(List<SaveItem> items) {
        return delegate.saveBatch(items);
    }

    @Override
    public int maxBatchSize() {
        return delegate.maxBatchSize();
    }

    @Override
    public SendResult sendUpdates(String store, String key, List<UpdateOp> ops, int maxPending) {
        return delegate.sendUpdates(store, key, ops, maxPending);
    }

    @Override
    public StoredProfile readUpdates(String store, String key) {
        return delegate.readUpdates(store, key);
    }

    @Override
    public void heartbeat(Owner server, Duration lease) {
        delegate.heartbeat(server, lease);
    }

    @Override
    public Optional<ServerLease> server(String serverId) {
        return delegate.server(serverId);
    }

    @Override
    public LeaseClock leaseClock() {
        return delegate.leaseClock();
    }

    @Override
    public void removeServer(String serverId) {
        delegate.removeServer(serverId);
    }

    @Override
    public void quarantine(String store, String key, byte[] payload, String reason, long atMillis) {
        delegate.quarantine(store, key, payload, reason, atMillis);
    }

    @Override
    public Optional<MessageBus> messageBus() {
        return delegate.messageBus();
    }

    /** The wrapped store's administration, untouched by this wrapper (override to intercept it). */
    @Override
    public Optional<BackendAdmin> admin() {
        return delegate.admin();
    }

    /** The wrapped store's version history, untouched by this wrapper (override to intercept it). */
    @Override
    public Optional<VersionHistory> history() {
        return delegate.history();
    }

    @Override
    public int maxConcurrentCalls() {
        return delegate.maxConcurrentCalls();
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
