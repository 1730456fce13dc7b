package dev.profileservice.internal;

import dev.profileservice.ActiveSession;
import dev.profileservice.Profile;
import dev.profileservice.ProfileVersionQuery;
import dev.profileservice.SortDirection;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.VersionCause;
import dev.profileservice.spi.VersionHistory;
import dev.profileservice.spi.VersionPage;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The version history of one store's profiles, as the API offers it: views of versions, the version
 * query, the rollback ({@link Profile#overwrite()}) and pruning after a release. The store keeps the
 * versions ({@link VersionHistory}); which saves are kept is the save cycle's choice
 * ({@link SaveCycle}).
 *
 * <p>Threads: every store call runs on the engine's I/O pool through {@link Engine#call}; the
 * blocking forms wait on the caller's thread.
 */
final class ProfileHistory<T> {
    private static final Logger LOG = LoggerFactory.getLogger(ProfileHistory.class);
    /** Versions read per store call of a query. */
    static final int PAGE = 16;

    private final StoreImpl<T> store;
    private final Engine engine;

    ProfileHistory(StoreImpl<T> store) {
        this.store = store;
        this.engine = store.engine;
    }

    private Optional<VersionHistory> history() {
        return engine.backend.history();
    }

    private String what(String action, String key) {
        return action + " of " + store.name + "/" + key;
    }

    /** A version id as the API spells it: the revision in decimal. */
    static long revision(String version) {
        if (version == null || !version.matches("[0-9]{1,18}")) {
            throw new IllegalArgumentException("'" + version + "' is not a version id (a whole number, as"
                    + " Profile.getKeyInfo().version() gives)");
        }
        return Long.parseLong(version);
    }

    /** {@code viewProfile(key, version)}: a kept version, or the latest data when it is that version. */
    Optional<Profile<T>> view(String key, String version) {
        Names.key(key);
        long revision = revision(version);
        if (engine.isLocked()) {
            return Optional.empty();
        }
        Optional<StoredVersion> kept = history().isEmpty()
                ? Optional.empty()
                : Engine.join(engine.call(
                        what("view of version " + revision, key),
                        () -> history().get().version(store.name, key, revision),
                        Engine.CALL_ATTEMPTS));
        if (kept.isPresent()) {
            return Optional.ofNullable(versionView(key, kept.get()));
        }
        StoredProfile record = Engine.join(
                engine.call(what("view", key), () -> engine.backend.read(store.name, key), Engine.CALL_ATTEMPTS));
        if (record.payload() == null || record.revision() != revision) {
            return Optional.empty();
        }
        return Optional.of(store.view(key, record, null));
    }

    /** A view of a kept version (no Active updates, no session), or null if its payload does not decode. */
    private ProfileView<T> versionView(String key, StoredVersion v) {
        StoredProfile asRecord = new StoredProfile(v.payload(), 0, null, List.of(), 0, v.revision());
        return store.view(key, asRecord, v.savedAtMillis());
    }

    ProfileVersionQuery<T> query(String key, SortDirection direction, Instant minDate, Instant maxDate) {
        Names.key(key);
        if (direction == null) {
            throw new IllegalArgumentException("profileVersionQuery of '" + key + "': direction must not be null");
        }
        if (minDate != null && maxDate != null && minDate.isAfter(maxDate)) {
            throw new IllegalArgumentException(
                    "profileVersionQuery of '" + key + "': minDate " + minDate + " is after maxDate " + maxDate);
        }
        return new Query(
                key,
                new VersionPage(
                        direction == SortDirection.DESCENDING,
                        minDate == null ? Long.MIN_VALUE : minDate.toEpochMilli(),
                        maxDate == null ? Long.MAX_VALUE : maxDate.toEpochMilli(),
                        -1,
                        PAGE));
    }

    /** Pages through the store's versions; one caller at a time, guarded by its monitor. */
    private final class Query implements ProfileVersionQuery<T> {
        private final String key;
        private final ArrayDeque<StoredVersion> buffer = new ArrayDeque<>();
        /** The page to read next: the first, then each after the last version read. */
        private VersionPage next;

        private boolean exhausted;

        Query(String key, VersionPage first) {
            this.key = key;
            this.next = first;
        }

        @Override
        public Optional<Profile<T>> next() {
            return Engine.join(nextAsync());
        }

        @Override
        public CompletableFuture<Optional<Profile<T>>> nextAsync() {
            VersionPage toRead;
            synchronized (this) {
                Optional<Profile<T>> ready = takeBuffered();
                if (ready.isPresent() || exhausted || history().isEmpty()) {
                    return CompletableFuture.completedFuture(ready);
                }
                toRead = next;
            }
            return engine.call(
                            what("version query", key),
                            () -> history().get().versions(store.name, key, toRead),
                            Engine.CALL_ATTEMPTS)
                    .thenCompose(page -> {
                        synchronized (this) {
                            buffer.addAll(page);
                            exhausted = page.size() < PAGE;
                            if (!page.isEmpty()) {
                                next = next.after(page.get(page.size() - 1).revision());
                            }
                        }
                        return nextAsync();
                    });
        }

        /** The next decodable version read already; one that does not decode is reported and skipped. */
        private Optional<Profile<T>> takeBuffered() {
            for (StoredVersion v; (v = buffer.poll()) != null; ) {
                ProfileView<T> view = versionView(key, v);
                if (view != null) {
                    return Optional.of(view);
                }
                engine.issue("version " + v.revision() + " of " + store.name + "/" + key
                        + " does not decode; the version query skips it");
            }
            return Optional.empty();
        }
    }

    /**
     * The rollback of a view: writes its payload as the newest version and ends any session on the
     * key (see {@link VersionHistory#overwrite}); this service's own session on the key syncs at once
     * and ends.
     */
    void overwrite(String key, byte[] payload, boolean clearUpdates, List<Long> userIds) {
        VersionHistory h = history()
                .orElseThrow(() -> new UnsupportedOperationException(what("overwrite", key) + ": the store "
                        + engine.backend.describe() + " keeps no version history"));
        if (engine.isLocked()) {
            throw new IllegalStateException(what("overwrite", key) + ": the service is closed");
        }
        if (payload.length > engine.settings().maxDataBytes()) {
            throw new IllegalArgumentException(
                    what("overwrite", key) + ": the profile is " + payload.length + " bytes encoded, over the limit of "
                            + engine.settings().maxDataBytes() + "; nothing was written");
        }
        StoredProfile after = Engine.join(engine.call(
                what("overwrite", key),
                () -> h.overwrite(store.name, key, payload, clearUpdates, VersionCause.OVERWRITE, userIds),
                Engine.CALL_ATTEMPTS));
        if (after.payload() == null) {
            throw new IllegalStateException(
                    what("overwrite", key) + ": the profile no longer exists (wiped); nothing was written");
        }
        engine.observe.versionWritten(store.name, VersionCause.OVERWRITE);
        if (engine.slots.get(Engine.slot(store.name, key)) instanceof ActiveProfile<?> p) {
            p.cycle().request(false); // its next write is refused: the session ends now, not at the next auto-save
        }
    }

    /** After a release: prunes the key's versions on an I/O thread, off the save path; a failure is only logged. */
    void pruneLater(String key) {
        Optional<VersionHistory> h = history();
        if (h.isEmpty()) {
            return;
        }
        var settings = engine.settings();
        engine.io.execute(() -> {
            try {
                int deleted = h.get().prune(store.name, key, settings.versionsKept(), settings.versionMaxAge());
                LOG.trace("pruned {} versions of {}/{}", deleted, store.name, key);
            } catch (RuntimeException e) {
                LOG.debug("pruning the versions of {}/{} failed; the next release tries again", store.name, key, e);
            }
        });
    }

    /** The session a record names, for a view. */
    static ActiveSession session(StoredProfile record) {
        return record.owner() == null
                ? null
                : new ActiveSession(record.owner().placeId(), record.owner().jobId());
    }
}
