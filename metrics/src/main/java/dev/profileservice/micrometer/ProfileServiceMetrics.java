package dev.profileservice.micrometer;

import dev.profileservice.ProfileServiceObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Records what a {@link dev.profileservice.ProfileService} does as Micrometer meters named
 * {@code profileservice.*}, tagged with the profile store's name ({@code store}), the kind of
 * backend ({@code backend}: sqlite, postgresql, mariadb, redis, memory or other) and, where it
 * applies, the {@code outcome}. The Metrics section of the project README lists every meter.
 *
 * <pre>{@code
 * MeterRegistry registry = ...; // Prometheus, Datadog, OTLP, or a SimpleMeterRegistry
 * ProfileService service = ProfileService.builder()
 *         .backend("sqlite:profiles.db")
 *         .observer(new ProfileServiceMetrics(registry))
 *         .build();
 * }</pre>
 *
 * <p>One instance per service: it registers the service's gauges when the service starts and
 * removes them when it closes (the counters and timers stay, so a last scrape sees the final
 * counts). Tags given to the constructor (say, the server's place id) go on every meter.
 *
 * <p>Thread-safe; each event costs a map lookup and a meter update (the meters of a store are made
 * once, on its first event). Meters are looked up on the engine's threads and never block.
 */
public final class ProfileServiceMetrics implements ProfileServiceObserver {
    /** The prefix of every meter's name. */
    public static final String PREFIX = "profileservice";

    private static final LoadOutcome[] LOAD_OUTCOMES = LoadOutcome.values();
    private static final SaveOutcome[] SAVE_OUTCOMES = SaveOutcome.values();

    private final MeterRegistry registry;
    private final Tags extraTags;
    private final Map<String, StoreMeters> stores = new ConcurrentHashMap<>();
    private final List<Meter> gauges = new CopyOnWriteArrayList<>();
    /** The extra tags and {@code backend} (known once {@link #started} ran). */
    private volatile Tags serviceTags;

    private volatile ServiceState state;
    private volatile DistributionSummary batchSizes;
    private volatile Counter issues;

    /** Meters in {@code registry}, tagged with the store, the backend and the outcome only. */
    public ProfileServiceMetrics(MeterRegistry registry) {
        this(registry, Tags.empty());
    }

    /** Meters in {@code registry}, each also tagged with {@code tags} (e.g. {@code Tags.of("place", "lobby")}). */
    public ProfileServiceMetrics(MeterRegistry registry, Iterable<Tag> tags) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.extraTags = Tags.of(Objects.requireNonNull(tags, "tags"));
        this.serviceTags = extraTags.and("backend", "unknown");
    }

    @Override
    public void started(ServiceState state) {
        this.state = state;
        this.serviceTags = extraTags.and("backend", state.backendKind());
        this.batchSizes = DistributionSummary.builder(PREFIX + ".save.batch.size")
                .description("Saves written to the store in one round trip")
                .baseUnit("saves")
                .tags(serviceTags)
                .register(registry);
        this.issues = Counter.builder(PREFIX + ".issues")
                .description("Issues reported on the issue signal (failed store calls, unsaveable data)")
                .tags(serviceTags)
                .register(registry);
        gauge("critical", "1 while the service is in the critical state, else 0", s -> s.isCritical() ? 1 : 0);
        gauge("saves.queued", "Saves waiting to go to the store", ServiceState::savesQueued);
        gauge("saves.in.flight", "Saves sent to the store whose answer has not come yet", ServiceState::savesInFlight);
        stores.keySet().forEach(this::storeOpened); // none in practice: stores open after the service starts
    }

    private void gauge(String name, String description, java.util.function.ToDoubleFunction<ServiceState> f) {
        gauges.add(Gauge.builder(PREFIX + "." + name, state, f)
                .description(description)
                .tags(serviceTags)
                .strongReference(true)
                .register(registry));
    }

    @Override
    public void storeOpened(String store) {
        StoreMeters m = meters(store);
        ServiceState s = state;
        if (s != null && m.active == null) {
            synchronized (m) {
                if (m.active == null) {
                    m.active = Gauge.builder(PREFIX + ".profiles.active", s, st -> st.activeProfiles(store))
                            .description("Profiles of the store whose session this server holds")
                            .tags(m.tags)
                            .strongReference(true)
                            .register(registry);
                    gauges.add(m.active);
                }
            }
        }
    }

    @Override
    public void loadFinished(String store, LoadOutcome outcome, long nanos) {
        meters(store).loads[outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handOverWaited(String store, long nanos) {
        meters(store).handOver.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void saveFinished(String store, SaveOutcome outcome, long nanos) {
        meters(store).saves[outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void batchWritten(int size) {
        DistributionSummary s = batchSizes;
        if (s != null) {
            s.record(size);
        }
    }

    @Override
    public void sessionEnded(String store, boolean lost) {
        StoreMeters m = meters(store);
        (lost ? m.lost : m.released).increment();
    }

    @Override
    public void giftsSent(String store, int count) {
        meters(store).giftsSent.increment(count);
    }

    @Override
    public void giftLocked(String store, long deliveryNanos) {
        StoreMeters m = meters(store);
        m.giftsLocked.increment();
        m.delivery.record(deliveryNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void giftCleared(String store) {
        meters(store).giftsCleared.increment();
    }

    @Override
    public void issue() {
        Counter c = issues;
        if (c != null) {
            c.increment();
        }
    }

    @Override
    public void corruption(String store) {
        meters(store).corruptions.increment();
    }

    @Override
    public void versionWritten(String store, String cause) {
        StoreMeters m = meters(store);
        m.versions
                .computeIfAbsent(
                        cause,
                        c -> Counter.builder(PREFIX + ".versions.written")
                                .description("Versions kept in the store's history, by why they were kept")
                                .tags(m.tags.and("cause", c))
                                .register(registry))
                .increment();
    }

    /** Removes this service's gauges (they would read a closed service); counters and timers stay. */
    @Override
    public void closed() {
        for (Meter g : gauges) {
            registry.remove(g);
        }
        gauges.clear();
    }

    private StoreMeters meters(String store) {
        StoreMeters m = stores.get(store);
        return m != null ? m : stores.computeIfAbsent(store, s -> new StoreMeters(s, serviceTags));
    }

    private static String tagValue(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** The meters of one profile store, made on its first event. */
    private final class StoreMeters {
        final Tags tags;
        final Timer[] loads = new Timer[LOAD_OUTCOMES.length];
        final Timer[] saves = new Timer[SAVE_OUTCOMES.length];
        final Timer handOver;
        final Counter released;
        final Counter lost;
        final Counter giftsSent;
        final Counter giftsLocked;
        final Counter giftsCleared;
        final Timer delivery;
        final Counter corruptions;
        final Map<String, Counter> versions = new ConcurrentHashMap<>();
        volatile Gauge active;

        StoreMeters(String store, Tags serviceTags) {
            this.tags = serviceTags.and("store", store);
            for (LoadOutcome o : LOAD_OUTCOMES) {
                loads[o.ordinal()] = Timer.builder(PREFIX + ".loads")
                        .description(
                                "Loads, by how they ended, and how long they took (waits for other servers included)")
                        .tags(tags.and("outcome", tagValue(o)))
                        .register(registry);
            }
            for (SaveOutcome o : SAVE_OUTCOMES) {
                saves[o.ordinal()] = Timer.builder(PREFIX + ".saves")
                        .description("Saves of active profiles, by how they ended, and their latency")
                        .tags(tags.and("outcome", tagValue(o)))
                        .register(registry);
            }
            handOver = Timer.builder(PREFIX + ".handover.wait")
                    .description("How long loads that found the profile held by another server waited to get it")
                    .tags(tags)
                    .register(registry);
            String ended = "Sessions of this server that ended: released, or lost to another server";
            released = counter("releases", ended, tags.and("outcome", "released"));
            lost = counter("releases", ended, tags.and("outcome", "lost"));
            giftsSent = counter("gifts.sent", "Global updates this server added to profiles' inboxes", tags);
            giftsLocked = counter("gifts.locked", "Global updates locked (taken in) by this server's saves", tags);
            giftsCleared = counter("gifts.cleared", "Locked global updates cleared by the game", tags);
            delivery = Timer.builder(PREFIX + ".gifts.delivery")
                    .description("From when the owner first saw a global update to the durable save that locked it")
                    .tags(tags)
                    .register(registry);
            corruptions = counter("corruptions", "Records or gifts that could not be decoded and were set aside", tags);
        }

        private Counter counter(String name, String description, Tags tags) {
            return Counter.builder(PREFIX + "." + name)
                    .description(description)
                    .tags(tags)
                    .register(registry);
        }
    }
}
