package dev.profileservice.bench;

import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.micrometer.ProfileServiceMetrics;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.Backends;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * What every macro measurement of one backend shares: the target and settings, the report its rows
 * go to, the profile data template, and a run id that keeps this run's stores, servers and raw
 * owners apart from any other run's on the same server. It opens the library's services and
 * stores, remembers the stores it opened, and deletes their records at the end ({@link #cleanUp}).
 * Not thread-safe: only the thread running the measurements uses it.
 */
final class BackendRun {

    /** Size of the profile data used throughout (plain JSON of the data alone). */
    private static final int PROFILE_BYTES = 2_048;

    private final MacroBench.Target target;
    private final MacroBench.Settings settings;
    private final BackendReport report;
    private final String runId = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private final Map<String, Object> template = Payloads.profile(PROFILE_BYTES);
    private final Set<String> storesUsed = new LinkedHashSet<>();
    /** A payload exactly as the library saved it, for the raw baseline to write; null until one was seen. */
    private byte[] libraryPayload;

    BackendRun(MacroBench.Target target, MacroBench.Settings settings) {
        this.target = target;
        this.settings = settings;
        this.report = new BackendReport(target);
    }

    MacroBench.Target target() {
        return target;
    }

    MacroBench.Settings settings() {
        return settings;
    }

    BackendReport report() {
        return report;
    }

    /** The profile data every store of this run starts new profiles with. */
    Map<String, Object> template() {
        return template;
    }

    /** A service with the default settings over a counting decorator of a freshly opened backend. */
    CountedService open(String role) {
        return open(role, builder -> {});
    }

    /** As {@link #open(String)}, with the settings {@code configure} adds. */
    CountedService open(String role, Consumer<ProfileService.Builder> configure) {
        CountingBackend backend = new CountingBackend(Backends.open(target.libraryUri()));
        ProfileService.Builder builder =
                ProfileService.builder().backend(backend).placeId("bench").jobId(jobId(role));
        if (settings.metrics()) {
            builder.observer(new ProfileServiceMetrics(new SimpleMeterRegistry()));
        }
        configure.accept(builder);
        return new CountedService(builder.build(), backend);
    }

    /** The job id of the server {@link #open} opens for {@code role}. */
    String jobId(String role) {
        return "bench-" + runId + "-" + role;
    }

    /** This run's store {@code name} on {@code service}; the same name on two services is the same store. */
    ProfileStore<Map<String, Object>> store(CountedService service, String name) {
        String full = "B" + runId + "_" + name;
        storesUsed.add(full);
        return service.service().getProfileStore(full, template);
    }

    /** The owner the raw baseline takes its sessions as. */
    String rawOwner() {
        return "raw-" + runId;
    }

    /** Keeps a payload the library saved, so the raw baseline writes the same bytes (see {@link #rawPayload}). */
    void rememberLibraryPayload(byte[] payload) {
        libraryPayload = payload;
    }

    /**
     * A copy of a payload as the library saved it, for the raw baseline to write (same size, same
     * kind of bytes); before the library saved one, the template's plain JSON.
     */
    byte[] rawPayload() {
        return (libraryPayload != null ? libraryPayload : Payloads.json(template)).clone();
    }

    /** Deletes the records this run made (the SQLite file goes with the temporary folder). */
    void cleanUp() {
        if (target.libraryUri().startsWith("sqlite:")) {
            return;
        }
        try (Backend backend = Backends.open(target.libraryUri())) {
            for (String store : storesUsed) {
                List<String> page;
                while (!(page = BackendAdmin.of(backend).keys(store, null, 500)).isEmpty()) {
                    for (String key : page) {
                        BackendAdmin.of(backend).delete(store, key);
                    }
                }
            }
        } catch (RuntimeException e) {
            System.err.println("  clean-up of " + target.name() + " failed (harmless): " + e);
        }
    }
}
