package dev.profileservice.cli.internal;

import dev.profileservice.DataModel;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.BackendUris;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.VersionHistory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The store as one admin action sees it: the backend (for SPI-level operations) and, opened only
 * when needed, a {@link ProfileService} on the same backend (for view, gift, export, import), for
 * one profile store. All validation methods throw {@link BadInputException} before anything is
 * written.
 *
 * <p>Threads: a command uses its session from its own thread; the web console shares one opened
 * session between its handler threads and derives one per profile store with {@link #forStore}.
 * The backend's operations may be called from any thread, and the service is opened under a lock,
 * so both uses are safe.
 */
public final class AdminSession implements AutoCloseable {
    private static final Pattern STORE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,50}");

    /** What every session derived from one {@link #open} shares: the URI, the backend, the service. */
    private static final class Connection {
        final String uri;
        final Backend backend;
        private ProfileService service;

        Connection(String uri, Backend backend) {
            this.uri = uri;
            this.backend = backend;
        }

        synchronized ProfileService service() {
            if (service == null) {
                service = ProfileService.builder()
                        .backend(backend)
                        .placeId("profiles-cli")
                        .jobId("profiles-cli-" + ProcessHandle.current().pid() + "-"
                                + Long.toHexString(System.nanoTime()))
                        .build();
            }
            return service;
        }

        synchronized void close() {
            if (service != null) {
                service.close();
            } else {
                backend.close();
            }
        }
    }

    private final Connection connection;
    private final String storeName;
    private final boolean owner;

    private AdminSession(Connection connection, String storeName, boolean owner) {
        this.connection = connection;
        this.storeName = storeName;
        this.owner = owner;
    }

    /**
     * Validates the profile store name, then opens the backend.
     *
     * @throws BadInputException for a bad store name or an unknown URI scheme
     */
    public static AdminSession open(StoreOptions options) {
        return open(options.uri, options.profileStore);
    }

    /**
     * Validates the profile store name, then opens the backend of {@code uri}.
     *
     * @throws BadInputException for a bad store name or an unknown URI scheme
     */
    public static AdminSession open(String uri, String profileStore) {
        checkStoreName(profileStore);
        Backend backend;
        try {
            backend = Backends.open(uri);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        return new AdminSession(new Connection(uri, backend), profileStore, true);
    }

    /**
     * A session on the same backend (and service) for profile store {@code name}. Closing it does
     * nothing: the backend closes with the session it was derived from.
     *
     * @throws BadInputException for a bad store name
     */
    public AdminSession forStore(String name) {
        checkStoreName(name);
        return new AdminSession(connection, name, false);
    }

    private static void checkStoreName(String name) {
        if (name == null || !STORE_NAME.matcher(name).matches()) {
            throw new BadInputException(
                    "profile store name '" + name + "' is invalid: use 1 to 50 of A-Z a-z 0-9 _ . -");
        }
    }

    /** The backend. */
    public Backend backend() {
        return connection.backend;
    }

    /** The store's administrative operations; a store without them is bad input for these commands. */
    public BackendAdmin admin() {
        return connection
                .backend
                .admin()
                .orElseThrow(() ->
                        new BadInputException("the store " + maskedUri() + " offers no administrative operations"));
    }

    /**
     * The versions the store keeps; a store that keeps none is bad input for the commands about
     * versions ({@code history}, {@code diff}, {@code restore}, {@code pin}, {@code unpin},
     * {@code view --version}).
     */
    public VersionHistory history() {
        return connection
                .backend
                .history()
                .orElseThrow(() -> new BadInputException("the store " + maskedUri()
                        + " keeps no version history (Backend.history() is empty), so it has no versions to show"));
    }

    /** The profile store name. */
    public String storeName() {
        return storeName;
    }

    /** The URI with any password masked. */
    public String maskedUri() {
        return BackendUris.mask(connection.uri);
    }

    /** Fails unless the profile store has at least one key (catches typos in the name). */
    public void requireStoreExists() {
        if (admin().keys(storeName, null, 1).isEmpty()) {
            throw new BadInputException("profile store '" + storeName + "' has no profiles in " + maskedUri()
                    + " (names are case-sensitive; check --profile-store)");
        }
    }

    /** Reads the record of {@code key}, failing if it does not exist. */
    public StoredProfile requireKey(String key) {
        StoredProfile record = connection.backend.read(storeName, key);
        if (!exists(record)) {
            throw new BadInputException(
                    "no profile '" + key + "' in profile store '" + storeName + "' at " + maskedUri());
        }
        return record;
    }

    /** Whether a record read from the backend exists at all. */
    public static boolean exists(StoredProfile record) {
        return record != null
                && (record.payload() != null || record.updateSeq() > 0 || record.epoch() > 0 || record.owner() != null);
    }

    /** A session holder as the commands show it in JSON (server, place and job ids), or null for none. */
    public static Map<String, Object> ownerJson(Owner owner) {
        if (owner == null) {
            return null;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("serverId", owner.serverId());
        json.put("placeId", owner.placeId());
        json.put("jobId", owner.jobId());
        return json;
    }

    /** A profile service on this backend (opened on first call), with a data type of plain maps. */
    public ProfileStore<Map<String, Object>> profileStore() {
        return profileStore(DataModel.none());
    }

    /**
     * {@link #profileStore()} whose data is at {@code model}'s version: it writes that version, and
     * loads only data stored at it (older data has no steps here, newer is refused). Once per session.
     */
    public ProfileStore<Map<String, Object>> profileStore(DataModel<Map<String, Object>> model) {
        return connection.service().getProfileStore(storeName, new LinkedHashMap<String, Object>(), model);
    }

    @Override
    public void close() {
        if (owner) {
            connection.close();
        }
    }
}
