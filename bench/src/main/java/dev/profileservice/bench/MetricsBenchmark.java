package dev.profileservice.bench;

import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileServiceObserver;
import dev.profileservice.ProfileStore;
import dev.profileservice.micrometer.ProfileServiceMetrics;
import dev.profileservice.spi.Backends;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the Micrometer meters cost ({@code profileservice-micrometer}): a whole session (load, edit,
 * release) on the in-memory backend with {@code metrics} off (no observer) and on
 * ({@code ProfileServiceMetrics} over a {@code SimpleMeterRegistry}); and, alone, the meter updates
 * such a session causes (a load, a save, a batch, a session end, a kept version: five events).
 */
public class MetricsBenchmark extends MicroBenchmark {

    /** Whether the service records meters. */
    @Param({"false", "true"})
    public boolean metrics;

    private ProfileService service;
    private ProfileStore<Map<String, Object>> store;
    private ProfileServiceMetrics observer;
    private long n;

    @Setup(Level.Trial)
    public void setUp() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        observer = new ProfileServiceMetrics(registry);
        ProfileService.Builder b =
                ProfileService.builder().backend(Backends.open("memory:")).placeId("jmh");
        if (metrics) {
            b.observer(observer);
        } else {
            // the events-only benchmark below still needs a started observer with meters
            ProfileService.builder()
                    .backend(Backends.open("memory:"))
                    .observer(observer)
                    .build()
                    .close();
        }
        service = b.build();
        store = service.getProfileStore("Jmh", Payloads.profile(2048));
        observer.storeOpened("Jmh");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        service.close();
    }

    /** Load an unowned profile, edit it, release it (final save + unlock), with or without meters. */
    @Benchmark
    public long loadEditRelease() {
        Profile<Map<String, Object>> p = store.loadProfile("session").orElseThrow();
        long v = ++n;
        p.edit(d -> d.put("coins", v));
        p.release();
        return v;
    }

    /** The five meter updates of one session, without the session (the same on both params). */
    @Benchmark
    public long sessionEventsOnly() {
        observer.loadFinished("Jmh", ProfileServiceObserver.LoadOutcome.LOADED, 120_000);
        observer.batchWritten(1);
        observer.saveFinished("Jmh", ProfileServiceObserver.SaveOutcome.SAVED, 80_000);
        observer.versionWritten("Jmh", "release");
        observer.sessionEnded("Jmh", false);
        return ++n;
    }
}
