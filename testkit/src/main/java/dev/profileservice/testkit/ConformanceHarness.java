package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.profileservice.ActiveSession;
import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What {@link ProfileServiceConformanceTest} runs on: servers on one store under test, virtual
 * time, and the waits that move it.
 *
 * <h2>How it runs</h2>
 * {@link #openBackend()} must return a new backend object on one shared store each time; each
 * "server" in a test is a {@link ProfileService} on its own backend object, wrapped in a
 * {@link FaultInjectingBackend}, with a {@link VirtualTime} clock and scheduler shared by all
 * servers of the test. Leases (on a store whose lease clock is the service's), auto-saves,
 * retries and force-load timeouts therefore run in virtual time: the helpers {@link #drive},
 * {@link #advanceUntil} move it forward while the real I/O threads of the engine work, and
 * {@link #awaitReal} waits in real time without moving it (for the tests where the exact virtual
 * instant matters). Every test uses its own key prefix on two store names unique to the JVM run,
 * so runs can share a database.
 *
 * <p>Engine settings used by default: lease {@value #LEASE_S} s, auto-save {@value #AUTO_SAVE_S} s,
 * force-load timeout {@value #FORCE_LOAD_TIMEOUT_S} s, poll interval 1 s, critical state 5 issues
 * within 120 s, cleared after 120 s; listeners on the service's own listener thread.
 *
 * <h2>Threads</h2>
 * Test methods run on the JUnit thread; blocking API calls that need virtual time to pass run on a
 * helper pool ({@link #callers}) while the JUnit thread (or Awaitility's) advances the clock.
 */
public abstract class ConformanceHarness {

    /** Lease of every server, in seconds (virtual). */
    protected static final int LEASE_S = 30;
    /** Auto-save period of every server, in seconds (virtual). */
    protected static final int AUTO_SAVE_S = 30;
    /** Force-load timeout, in seconds (virtual). */
    protected static final int FORCE_LOAD_TIMEOUT_S = 10;

    protected static final Duration LEASE = Duration.ofSeconds(LEASE_S);
    protected static final Duration AUTO_SAVE = Duration.ofSeconds(AUTO_SAVE_S);
    protected static final Duration FORCE_LOAD_TIMEOUT = Duration.ofSeconds(FORCE_LOAD_TIMEOUT_S);
    protected static final Duration POLL = Duration.ofSeconds(1);
    /** Virtual time moved per poll by {@link #drive} and {@link #advanceUntil}. */
    protected static final Duration STEP = Duration.ofMillis(100);
    /** Real time any single wait may take before the test fails. */
    protected static final Duration REAL_TIMEOUT = Duration.ofSeconds(30);

    private static final String RUN =
            UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    /** The store of {@link PlayerData} profiles used by most tests (unique to this JVM run). */
    protected static final String STORE = "cf_" + RUN;
    /** The store of {@code Map<String,Object>} profiles (unique to this JVM run). */
    protected static final String MAP_STORE = "cfm_" + RUN;

    /** The data class of the tests: public mutable fields. */
    public static class PlayerData {
        public int coins;
        public int a;
        public int b;
        public List<String> items = new ArrayList<>();
        public Map<String, Object> stats = new LinkedHashMap<>();
    }

    /** A class that refers to itself: cannot be encoded. */
    public static class SelfReferencing {
        public SelfReferencing self;

        public SelfReferencing() {
            self = this;
        }
    }

    /** A class with a field that cannot be encoded. */
    public static class HoldsAThread {
        public Thread thread = Thread.currentThread();
    }

    protected VirtualTime vt;
    protected String prefix;
    private final List<Server> servers = new CopyOnWriteArrayList<>();
    private final List<Backend> rawBackends = new CopyOnWriteArrayList<>();
    /** A pool for blocking calls that need virtual time to pass meanwhile. */
    protected ExecutorService callers;

    /** A new backend object on the shared store under test (the service closes it). */
    protected abstract Backend openBackend();

    // ================================================================ harness

    /**
     * One game server in a test: a {@link ProfileService} on its own backend object, with the
     * fault injector in front of it and everything its signals reported.
     */
    protected final class Server {
        public final String name;
        public final ProfileService service;
        public final FaultInjectingBackend backend;
        public final String placeId;
        public final String jobId;
        /** Every issueSignal message, in order. */
        public final List<String> issues = new CopyOnWriteArrayList<>();
        /** Every criticalStateSignal value, in order. */
        public final List<Boolean> critical = new CopyOnWriteArrayList<>();
        /** Every corruptionSignal as "store/key", in order. */
        public final List<String> corruptions = new CopyOnWriteArrayList<>();

        Server(String name, ProfileService service, FaultInjectingBackend backend, String placeId, String jobId) {
            this.name = name;
            this.service = service;
            this.backend = backend;
            this.placeId = placeId;
            this.jobId = jobId;
            service.issueSignal().connect(issues::add);
            service.criticalStateSignal().connect(critical::add);
            service.corruptionSignal().connect((s, k) -> corruptions.add(s + "/" + k));
        }

        /** The {@link PlayerData} store. */
        public ProfileStore<PlayerData> store() {
            return service.getProfileStore(STORE, new PlayerData());
        }

        /** The map store, template {@code {"Coins": 0}}. */
        public ProfileStore<Map<String, Object>> mapStore() {
            return service.getProfileStore(MAP_STORE, Map.of("Coins", 0));
        }

        /** Loads {@code key} with FORCE_LOAD, driving virtual time; fails the test if empty. */
        public Profile<PlayerData> load(String key) {
            return drive(store().loadProfileAsync(key, NotReleasedHandler.FORCE_LOAD))
                    .orElseThrow(() -> new AssertionError(name + " could not load " + key));
        }

        /** Views {@code key} (blocking; needs no virtual time unless the store fails). */
        public Optional<Profile<PlayerData>> view(String key) {
            return store().viewProfile(key);
        }

        /** The session this server's profiles show. */
        public ActiveSession session() {
            return new ActiveSession(placeId, jobId);
        }

        @Override
        public String toString() {
            return "Server " + name;
        }
    }

    /** A server with the default settings. */
    protected Server server(String name) {
        return server(name, b -> b);
    }

    /** A server whose builder {@code customize} may change (after the defaults are set). */
    protected Server server(String name, UnaryOperator<ProfileService.Builder> customize) {
        FaultInjectingBackend backend = new FaultInjectingBackend(openBackend());
        String placeId = "place-" + name;
        String jobId = "job-" + name + "-" + prefix;
        ProfileService.Builder builder = ProfileService.builder()
                .backend(backend)
                .placeId(placeId)
                .jobId(jobId)
                .autoSavePeriod(AUTO_SAVE)
                .lease(LEASE)
                .forceLoadTimeout(FORCE_LOAD_TIMEOUT)
                .pollInterval(POLL)
                .clock(vt.clock())
                .scheduler(vt.scheduler());
        ProfileService service = customize.apply(builder).build();
        Server s = new Server(name, service, backend, placeId, jobId);
        servers.add(s);
        return s;
    }

    /** Two servers on the one store: "A" and "B". */
    protected Server[] twoServers() {
        return new Server[] {server("A"), server("B")};
    }

    /** A backend object for reading and writing the store directly (closed after the test). */
    protected Backend raw() {
        if (rawBackends.isEmpty()) {
            rawBackends.add(openBackend());
        }
        return rawBackends.get(0);
    }

    /** The administrative operations of {@code b} (the tests that use them need a store that has them). */
    protected static BackendAdmin admin(Backend b) {
        return BackendAdmin.of(b);
    }

    /** A key unique to this test. */
    protected String key(String name) {
        return prefix + name;
    }

    @BeforeEach
    void startHarness() {
        vt = VirtualTime.startingAt(Instant.parse("2030-01-01T00:00:00Z"));
        prefix = UUID.randomUUID().toString().substring(0, 8) + "-";
        AtomicInteger n = new AtomicInteger();
        callers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "conformance-caller-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @AfterEach
    void stopHarness() {
        try {
            for (Server s : servers) {
                s.backend.heal();
            }
            List<CompletableFuture<Void>> closing = new ArrayList<>();
            for (Server s : servers) {
                closing.add(CompletableFuture.runAsync(s.service::close, callers));
            }
            drive(CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)), Duration.ofSeconds(1));
            for (Backend b : rawBackends) {
                b.close();
            }
            assertThat(vt.taskFailures())
                    .as("exceptions thrown by the engine's timer tasks")
                    .isEmpty();
        } finally {
            servers.clear();
            rawBackends.clear();
            callers.shutdownNow();
        }
    }

    /** Waits (real time) until {@code f} completes, moving virtual time by {@link #STEP} per poll; returns its value or rethrows its failure. */
    protected <R> R drive(CompletableFuture<R> f) {
        return drive(f, STEP);
    }

    /** Like {@link #drive(CompletableFuture)} with a chosen virtual step per poll. */
    protected <R> R drive(CompletableFuture<R> f, Duration step) {
        try {
            f.get(20, TimeUnit.MILLISECONDS); // most calls need no virtual time: don't move the clock for them
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException ignored) {
            // failed (reported below) or needs time to pass
        }
        try {
            await("completion while advancing virtual time")
                    .atMost(REAL_TIMEOUT)
                    .dontCatchUncaughtExceptions()
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(2))
                    .until(() -> {
                        if (!f.isDone()) {
                            vt.advance(step);
                        }
                        return f.isDone();
                    });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not done after " + REAL_TIMEOUT + " real time (virtual now " + vt.now() + ")", e);
        }
        return join(f);
    }

    /** Runs a blocking call on a helper thread while moving virtual time; returns its value or rethrows. */
    protected <R> R drive(Callable<R> blocking) {
        CompletableFuture<R> f = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return blocking.call();
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                callers);
        return drive(f);
    }

    /** {@link #drive(Callable)} for a call without a result. */
    protected void driveRun(Runnable blocking) {
        drive(() -> {
            blocking.run();
            return null;
        });
    }

    /** Moves virtual time by {@code step} per poll until {@code condition} holds (fails after {@link #REAL_TIMEOUT}). */
    protected void advanceUntil(String what, Duration step, BooleanSupplier condition) {
        await(what)
                .atMost(REAL_TIMEOUT)
                .dontCatchUncaughtExceptions()
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(2))
                .until(() -> {
                    if (condition.getAsBoolean()) {
                        return true;
                    }
                    vt.advance(step);
                    return condition.getAsBoolean();
                });
    }

    /** {@link #advanceUntil(String, Duration, BooleanSupplier)} with {@link #STEP}. */
    protected void advanceUntil(String what, BooleanSupplier condition) {
        advanceUntil(what, STEP, condition);
    }

    /** Waits in real time, without moving virtual time, until {@code condition} holds. */
    protected void awaitReal(String what, BooleanSupplier condition) {
        await(what)
                .atMost(REAL_TIMEOUT)
                .dontCatchUncaughtExceptions()
                .pollInterval(Duration.ofMillis(2))
                .until(condition::getAsBoolean);
    }

    /** Waits in real time, without moving virtual time, for {@code f}. */
    protected <R> R awaitReal(CompletableFuture<R> f) {
        try {
            return f.get(REAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(
                    "not done after " + REAL_TIMEOUT + " real time without moving virtual time (now " + vt.now() + ")",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    private static <R> R join(CompletableFuture<R> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    private static RuntimeException rethrow(Throwable cause) {
        if (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RuntimeException re) {
            throw re;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        throw new IllegalStateException(cause);
    }

    /** A view's coins, or -1 if the key has no saved data. */
    protected int viewedCoins(Server s, String key) {
        return s.view(key).map(p -> p.getData().coins).orElse(-1);
    }
}
