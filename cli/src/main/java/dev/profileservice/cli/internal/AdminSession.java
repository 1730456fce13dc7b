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
 * The store as one admin command sees it: the backend (for SPI-level operations) and, opened only
 * when needed, a {@link ProfileService} on the same backend (for view, gift, export, import).
 * All validation methods throw {@link BadInputException} before anything is written. Used by one
 * thread (the command's).
 */
public final class AdminSession implements AutoCloseable {
    private static final Pattern STORE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,50}");

    private final StoreOptions options;
    private final Backend backend;
    private ProfileService service;

    private AdminSession(StoreOptions options, Backend backend) {
        this.options = options;
        this.backend = backend;
    }

    /**
     * Validates the profile store name, then opens the backend.
     *
     * @throws BadInputException for a bad store name or an unknown URI scheme
     */
    public static AdminSession open(StoreOptions options) {
        if (!STORE_NAME.matcher(options.profileStore).matches()) {
            throw new BadInputException(
                    "profile store name '" + options.profileStore + "' is invalid: use 1 to 50 of A-Z a-z 0-9 _ . -");
        }
        Backend backend;
        try {
            backend = Backends.open(options.uri);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
        return new AdminSession(options, backend);
    }

    /** The backend. */
    public Backend backend() {
        return backend;
    }

    /** The store's administrative operations; a store without them is bad input for these commands. */
    public BackendAdmin admin() {
        return backend.admin()
                .orElseThrow(() ->
                        new BadInputException("the store " + maskedUri() + " offers no administrative operations"));
    }

    /**
     * The versions the store keeps; a store that keeps none is bad input for the commands about
     * versions ({@code history}, {@code diff}, {@code restore}, {@code pin}, {@code unpin},
     * {@code view --version}).
     */
    public VersionHistory history() {
        return backend.history()
                .orElseThrow(() -> new BadInputException("the store " + maskedUri()
                        + " keeps no version history (Backend.history() is empty), so it has no versions to show"));
    }

    /** The profile store name. */
    public String storeName() {
        return options.profileStore;
    }

    /** The URI with any password masked. */
    public String maskedUri() {
        return BackendUris.mask(options.uri);
    }

    /** Fails unless the profile store has at least one key (catches typos in the name). */
    public void requireStoreExists() {
        if (admin().keys(options.profileStore, null, 1).isEmpty()) {
            throw new BadInputException("profile store '" + options.profileStore + "' has no profiles in " + maskedUri()
                    + " (names are case-sensitive; check --profile-store)");
        }
    }

    /** Reads the record of {@code key}, failing if it does not exist. */
    public StoredProfile requireKey(String key) {
        StoredProfile record = backend.read(options.profileStore, key);
        if (!exists(record)) {
            throw new BadInputException(
                    "no profile '" + key + "' in profile store '" + options.profileStore + "' at " + maskedUri());
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
        if (service == null) {
            service = ProfileService.builder()
                    .backend(backend)
                    .placeId("profiles-cli")
                    .jobId("profiles-cli-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()))
                    .build();
        }
        return service.getProfileStore(options.profileStore, new LinkedHashMap<String, Object>(), model);
    }

    @Override
    public void close() {
        if (service != null) {
            service.close();
        } else {
            backend.close();
        }
    }
}
