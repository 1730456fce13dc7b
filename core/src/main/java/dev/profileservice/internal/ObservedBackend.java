package dev.profileservice.internal;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.ForwardingBackend;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The backend as the engine sees it: every store call the engine makes reports its outcome to the
 * {@link StoreRecovery} (a transient failure: the store is down; a success: it is up), so the
 * engine notices the store's return from whichever call gets through first. A refused save or a
 * lost compare-and-set is an answer from the store, so it counts as a success. Runs on the
 * calling thread.
 */
final class ObservedBackend extends ForwardingBackend {
    private final StoreRecovery recovery;

    ObservedBackend(Backend delegate, StoreRecovery recovery) {
        super(delegate);
        this.recovery = recovery;
    }

    private <R> R observe(Supplier<R> call) {
        R result;
        try {
            result = call.get();
        } catch (BackendException e) {
            if (e.isTransient()) {
                recovery.failed();
            }
            throw e;
        }
        recovery.succeeded();
        return result;
    }

    @Override
    public StoredProfile read(String store, String key) {
        return observe(() -> super.read(store, key));
    }

    @Override
    public AcquireResult acquire(String store, String key, Owner me, long expectedEpoch, byte[] initialPayload) {
        return observe(() -> super.acquire(store, key, me, expectedEpoch, initialPayload));
    }

    @Override
    public SaveResult save(String store, String key, SaveRequest request) {
        return observe(() -> super.save(store, key, request));
    }

    @Override
    public List<SaveResult> saveBatch(List<SaveItem> items) {
        return observe(() -> super.saveBatch(items));
    }

    @Override
    public SendResult sendUpdates(String store, String key, List<UpdateOp> ops, int maxPending) {
        return observe(() -> super.sendUpdates(store, key, ops, maxPending));
    }

    @Override
    public StoredProfile readUpdates(String store, String key) {
        return observe(() -> super.readUpdates(store, key));
    }

    @Override
    public void heartbeat(Owner server, Duration lease) {
        observe(() -> {
            super.heartbeat(server, lease);
            return null;
        });
    }

    @Override
    public Optional<ServerLease> server(String serverId) {
        return observe(() -> super.server(serverId));
    }

    @Override
    public void quarantine(String store, String key, byte[] payload, String reason, long atMillis) {
        observe(() -> {
            super.quarantine(store, key, payload, reason, atMillis);
            return null;
        });
    }
}
