package dev.profileservice.cli;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.BackendProvider;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.ForwardingBackend;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.SessionInfo;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.VersionHistory;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Tests only: {@code bare:URI} opens the store at {@code URI} as a store that keeps no version
 * history and no index of user ids (as a new store might start out), so the commands that need
 * them can be checked to refuse it.
 */
public final class BareBackendProvider implements BackendProvider {
    static final String PREFIX = "bare:";

    @Override
    public Set<String> schemes() {
        return Set.of("bare");
    }

    @Override
    public Backend open(String uri) {
        Backend delegate = Backends.open(uri.substring(PREFIX.length()));
        return new ForwardingBackend(delegate) {
            @Override
            public Optional<VersionHistory> history() {
                return Optional.empty();
            }

            @Override
            public Optional<BackendAdmin> admin() {
                return delegate.admin().map(BareAdmin::new);
            }
        };
    }

    /** The admin operations without {@link BackendAdmin#keysOfUser} (its default refuses). */
    private record BareAdmin(BackendAdmin delegate) implements BackendAdmin {
        @Override
        public List<ServerLease> servers() {
            return delegate.servers();
        }

        @Override
        public int quarantineCount(String store, String key) {
            return delegate.quarantineCount(store, key);
        }

        @Override
        public java.util.List<String> stores() {
            return delegate.stores();
        }

        @Override
        public java.util.List<dev.profileservice.spi.QuarantinedCopy> quarantined(String store, String key) {
            return delegate.quarantined(store, key);
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
    }
}
