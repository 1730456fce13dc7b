package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileServiceException;
import dev.profileservice.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite every backend runs through the public API: every method of ProfileService's API,
 * every guarantee of the design (one writer, nothing acknowledged lost, exactly-once global
 * updates, bad data kept aside, bounded waits, clear errors) and the races between servers.
 *
 * <pre>{@code
 * class SqliteConformanceTest extends ProfileServiceConformanceTest {
 *     protected Backend openBackend() { return Backends.open("sqlite:" + file); }
 * }
 * }</pre>
 *
 * <p>How it runs, the servers of a test and the waits in virtual time: {@link ConformanceHarness}.
 *
 * <p>The suite is a chain of abstract classes, one topic each: {@link ConformanceProfileTests} (the
 * profile API on one server), {@link ConformanceSessionTests} (who holds a profile: concurrent loads,
 * hand-over, steals, leases), {@link ConformanceGiftTests} (global updates), {@link
 * ConformanceBadDataTests} (corrupt records, bad input), {@link ConformanceLaterApiTests}
 * (ProfileService's later API: STEAL, hop-ready, meta tags updated, identify, wipe) and this class
 * (outages, retries, critical state, signals). Extend this class: the layers below it are not meant to be run alone.
 */
public abstract class ProfileServiceConformanceTest extends ConformanceDataModelTests {

    // ================================================================ failures, retries, critical state

    @Test
    @DisplayName(
            "store down: an issue per failed call, critical state after 5, cleared after the cooldown; edits made meanwhile are saved")
    void storeDownAndRecovery() {
        LoadedOnA t = loadedOnA("down");
        Server a = t.a();
        Profile<PlayerData> p = t.profile();
        saveCoins(p, 1, t.b());
        assertThat(a.issues).isEmpty();

        a.backend.failAll(true);
        p.edit(d -> d.coins = 42);
        p.save();
        advanceUntil("critical state", () -> a.critical.contains(true));
        assertThat(a.critical).containsExactly(true);
        assertThat(a.issues.size()).isGreaterThanOrEqualTo(5);
        assertThat(p.isActive()).as("a failing store does not end the session").isTrue();
        p.edit(d -> d.items.add("during-outage"));
        vt.advance(Duration.ofSeconds(20));

        a.backend.failAll(false);
        advanceUntil("saved after recovery", () -> {
            Optional<Profile<PlayerData>> v = t.b().view(t.key());
            return v.isPresent()
                    && v.get().getData().coins == 42
                    && v.get().getData().items.contains("during-outage");
        });
        advanceUntil("critical state cleared", Duration.ofSeconds(1), () -> a.critical.size() == 2);
        assertThat(a.critical).containsExactly(true, false);
        // the recovery's probes (reads of the server row) are the engine's own checks, not issues
        int injected = FaultInjectingBackend.OPERATIONS.stream()
                        .mapToInt(a.backend::injectedFailures)
                        .sum()
                - a.backend.injectedFailures("server");
        awaitReal("one issue per failed call", () -> failures(a).size() == injected);
        assertThat(a.issues)
                .as("and one notice that the store is back")
                .anyMatch(m -> m.startsWith("the store is back"));
        assertThat(p.isActive()).isTrue();
    }

    /** The issues of {@code s} that report a failure (not the notice that the store is back). */
    protected static List<String> failures(Server s) {
        return s.issues.stream().filter(m -> !m.startsWith("the store is back")).toList();
    }

    /**
     * Ten busy profiles of A, one of them releasing, while A's store is down for 30 s of virtual
     * time (their saves back off up to 8 s); the store is then healed. Returns the profiles, the
     * releasing one last, and the release in progress.
     */
    private List<Profile<PlayerData>> busyThroughAnOutage(
            Server a, Server b, String name, List<CompletableFuture<Void>> release) {
        List<Profile<PlayerData>> profiles = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Profile<PlayerData> p = a.load(key(name + i));
            p.edit(d -> d.coins = 1);
            profiles.add(p);
        }
        advanceUntil("first saves", () -> profiles.stream().allMatch(p -> viewedCoins(b, p.getKey()) == 1));
        a.backend.failAll(true);
        profiles.forEach(p -> p.edit(d -> d.coins = 2));
        release.add(CompletableFuture.runAsync(profiles.get(9)::release, callers));
        Instant downUntil = vt.now().plusSeconds(30);
        advanceUntil("30 s with the store down", () -> !vt.now().isBefore(downUntil));
        assertThat(release.get(0))
                .as("a release cannot complete while the store is down")
                .isNotDone();
        a.backend.resetCounts();
        a.backend.failAll(false);
        return profiles;
    }

    @Test
    @DisplayName("after an outage the first call that gets through wakes every save waiting in backoff, releases first")
    void theFirstSuccessfulCallWakesEveryWaitingSave() {
        Server a = server("A", x -> x.autoSavePeriod(Duration.ofSeconds(2)));
        Server b = server("B");
        List<CompletableFuture<Void>> release = new ArrayList<>();
        List<Profile<PlayerData>> profiles = busyThroughAnOutage(a, b, "wake", release);
        Profile<PlayerData> leaving = profiles.get(9);

        a.view(key("anything")); // a call of A's that gets through: the store is back
        awaitReal(
                "every profile saved and the release done, with no more virtual time",
                () -> release.get(0).isDone() && profiles.stream().allMatch(p -> viewedCoins(b, p.getKey()) == 2));
        List<String> sent = a.backend.savesSent();
        int releaseAt = sent.indexOf(leaving.getKey() + " (release)");
        assertThat(releaseAt).as("the release was written: %s", sent).isNotNegative();
        if (raw().maxBatchSize() > 1) {
            // the woken release goes to the head of the batcher's queue; a save already on its way
            // (an auto-save tick that met the store's return) may still go out before it
            assertThat(releaseAt)
                    .as("the waiting release goes out ahead of the saves that waited: %s", sent)
                    .isLessThan(sent.size() / 2);
        }
        // without batches every waiting write goes out at once, each on a flusher of its own: the
        // release is taken first, but the order the threads reach the store is the scheduler's
        assertThat(a.issues)
                .as("the notice of the return, with what waited")
                .anyMatch(m -> m.startsWith("the store is back") && m.contains("release(s)"));
        assertThat(profiles.subList(0, 9)).allMatch(Profile::isActive);
    }

    @Test
    @DisplayName(
            "after a 30 s outage with nothing else to call the store, every waiting save completes within one auto-save period")
    void savesResumeWithinOneAutoSavePeriodOfTheStoresReturn() {
        Duration autoSave = Duration.ofSeconds(2);
        Server a = server("A", x -> x.autoSavePeriod(autoSave));
        Server b = server("B");
        List<CompletableFuture<Void>> release = new ArrayList<>();
        List<Profile<PlayerData>> profiles = busyThroughAnOutage(a, b, "probe", release);

        vt.advance(autoSave); // one auto-save period of virtual time (the backoffs reached 8 s), then no more
        awaitReal(
                "every profile saved and the release done",
                () -> release.get(0).isDone() && profiles.stream().allMatch(p -> viewedCoins(b, p.getKey()) == 2));
    }

    @Test
    @DisplayName(
            "a load against a store that stays down is retried with backoff and gives up after 8 attempts with ProfileServiceException")
    void loadGivesUpAfterEightAttempts() {
        Server a = server("A");
        a.backend.failAll(true);
        String k = key("giveup");
        Instant start = vt.now();
        assertThatThrownBy(() -> drive(a.store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD)))
                .isInstanceOf(ProfileServiceException.class);
        assertThat(a.backend.calls("acquire")).isEqualTo(8);
        // backoff 100, 200, 400, 800, 1600, 3200, 6400 ms between the 8 attempts
        assertThat(Duration.between(start, vt.now())).isGreaterThanOrEqualTo(Duration.ofMillis(12_700));
        awaitReal(
                "an issue per failure",
                () -> failures(a).stream().filter(m -> m.contains("load of")).count() == 8);
        a.backend.failAll(false);
        assertThat(raw().read(STORE, k).owner()).isNull();

        a.backend.resetCounts();
        a.backend.failNext("acquire", 7);
        Profile<PlayerData> p = a.load(k);
        assertThat(p.isActive()).isTrue();
        assertThat(a.backend.calls("acquire")).isEqualTo(8);
    }

    @Test
    @DisplayName("while the store stays down, retry backoff doubles from 100 ms and is capped by retryBackoffMax")
    void retryBackoffIsCapped() {
        Server a = server("A", b -> b.retryBackoffMax(Duration.ofSeconds(1)));
        a.backend.failAll(true);
        Instant start = vt.now();
        CompletableFuture<Optional<Profile<PlayerData>>> load =
                a.store().loadProfileAsync(key("cap"), NotReleasedHandler.FORCE_LOAD);
        advanceUntil("seven attempts", Duration.ofMillis(10), () -> a.backend.calls("acquire") == 7);
        Duration took = Duration.between(start, vt.now());
        // 100 + 200 + 400 + 800 + 1000 + 1000 ms between them; uncapped it would be 6.3 s
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(3_500)).isLessThan(Duration.ofMillis(4_000));
        a.backend.failAll(false);
        Profile<PlayerData> p = drive(load, Duration.ofMillis(10)).orElseThrow();
        assertThat(Duration.between(start, vt.now()))
                .as("the 8th attempt as soon as the store is back, not a whole backoff later")
                .isLessThan(Duration.ofMillis(4_500));
        assertThat(p.isActive()).isTrue();
        assertThat(a.backend.calls("acquire")).isEqualTo(8);
    }

    @Test
    @DisplayName("release retries a failing save until it succeeds")
    void releaseRetries() {
        LoadedOnA t = loadedOnA("relretry", 8);
        t.a().backend.resetCounts();
        t.a().backend.failNext("save", 3);
        driveRun(t.profile()::release);
        assertThat(t.a().backend.calls("save")).isEqualTo(4);
        assertThat(viewedCoins(t.b(), t.key())).isEqualTo(8);
        assertThat(raw().read(STORE, t.key()).owner()).isNull();
        awaitReal("issues", () -> failures(t.a()).size() == 3);
    }

    // ================================================================ signals

    @Test
    @DisplayName("signal connections: disconnect stops delivery, isConnected tells")
    void signalConnections() {
        Server a = server("A");
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        List<String> third = new CopyOnWriteArrayList<>();
        Subscription c1 = a.service.issueSignal().connect(first::add);
        Subscription c2 = a.service.issueSignal().connect(second::add);
        Subscription c3 = a.service.issueSignal().connect(third::add);
        assertThat(c2.isConnected()).isTrue();
        c2.disconnect();
        c2.disconnect();
        assertThat(c2.isConnected()).isFalse();
        a.backend.failNext("read", 1);
        drive(() -> a.store().viewProfile(key("x")));
        awaitReal("delivered to the last listener", () -> !third.isEmpty());
        assertThat(first).isNotEmpty();
        assertThat(second).isEmpty();
        assertThat(c1.isConnected()).isTrue();
        assertThat(c3.isConnected()).isTrue();
        assertThat(first.get(0)).contains("read").isNotBlank();
    }

    /** The virtual time's task failures, for subclasses that want to assert none happened. */
    protected List<Throwable> schedulerTaskFailures() {
        return Collections.unmodifiableList(vt.taskFailures());
    }
}
