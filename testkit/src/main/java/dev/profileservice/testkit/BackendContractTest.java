package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.SessionInfo;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The executable contract of {@link Backend}: every method checked against its javadoc, with the
 * reference semantics of the built-in {@code memory:} backend. A backend module subclasses it:
 *
 * <pre>{@code
 * class PostgresBackendContractTest extends BackendContractTest {
 *     protected Backend openBackend() { return PostgresBackends.open(uri()); }
 * }
 * }</pre>
 *
 * <p>{@link #openBackend()} must return a new backend object on the same shared store each time
 * it is called (two objects play two servers). A backend whose {@link Backend#leaseClock()} is
 * {@link LeaseClock#SERVICE} must be opened on {@link #serviceClock}'s clock, which the lease tests
 * move; the others are checked against real time. Every backend opened is closed after each test.
 * Tests use keys unique to the test (a random prefix) on a store name unique to this JVM run, plus
 * a few extra unique store names for the tests that list a whole store, so several runs may share
 * one database.
 *
 * <p>Tests run on the JUnit thread, except {@link #concurrentFuzzKeepsTheCounterExact()} which uses
 * a pool of {@link #fuzzThreadsPerBackend()} threads per backend object.
 *
 * <p>The contract is a chain of abstract classes, one topic each: {@link BackendContractHarness} (the
 * fixtures: backends, owners, keys, the settings a subclass may override), {@link
 * BackendRecordContractTests} (read, acquire, fenced saves), {@link BackendBatchAndInboxContractTests}
 * (saveBatch, sendUpdates, readUpdates), {@link BackendLeaseAndAdminContractTests} (heartbeats, leases,
 * the administrative operations) and this class (awkward keys and payloads, round trips, the message
 * bus, close, the concurrent fuzz). Extend this class: the layers below it are not meant to be run alone.
 */
public abstract class BackendContractTest extends BackendHistoryContractTests {

    // ---------------------------------------------------------------- awkward keys and payloads

    @Test
    @DisplayName("keys with unicode, spaces, quotes and SQL/Lua metacharacters round-trip, and case matters")
    void awkwardKeys() {
        List<String> keys = List.of(
                prefix + "Player 2312310",
                prefix + "плеер-ünïcødé-😀-玩家",
                prefix + "it's \"quoted\" `back` \\slash",
                prefix + "'; DROP TABLE profiles; --",
                prefix + "{hash}:tag*?[x]%_",
                prefix + "CaseKey",
                prefix + "casekey",
                prefix + "x".repeat(200 - prefix.length()));
        for (String k : keys) {
            AcquireResult a = backend.acquire(store, k, alice, -1, INITIAL);
            assertThat(a.acquired()).as("acquire %s", k).isTrue();
            assertThat(backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("data:" + k), false))
                            .status())
                    .as("save %s", k)
                    .isEqualTo(SaveResult.Status.SAVED);
            add(backend, store, k, "inbox:" + k);
            backend.quarantine(store, k, bytes("q"), "test", 1L);
        }
        Backend other = open();
        for (String k : keys) {
            StoredProfile r = other.read(store, k);
            assertThat(text(r.payload())).as("payload of %s", k).isEqualTo("data:" + k);
            assertThat(r.updates())
                    .as("updates of %s", k)
                    .extracting(u -> text(u.data()))
                    .containsExactly("inbox:" + k);
            assertThat(r.epoch()).as("epoch of %s (distinct records)", k).isEqualTo(1);
            assertThat(admin(other).quarantineCount(store, k)).isEqualTo(1);
        }
        assertThat(admin(other).sessions(store)).extracting(SessionInfo::key).containsAll(keys);
        List<String> listed = new ArrayList<>();
        String after = null;
        for (List<String> page;
                !(page = admin(other).keys(store, after, 500)).isEmpty();
                after = page.get(page.size() - 1)) {
            listed.addAll(page);
        }
        assertThat(listed).containsAll(keys);
        for (String k : keys) {
            assertThat(admin(other).delete(store, k)).as("delete %s", k).isTrue();
        }
    }

    @Test
    @DisplayName("a 1 MB payload and a 256 KB update round-trip byte for byte")
    void largePayload() {
        String k = key("big");
        byte[] payload = new byte[1024 * 1024];
        new Random(42).nextBytes(payload);
        byte[] update = new byte[256 * 1024];
        new Random(43).nextBytes(update);
        backend.acquire(store, k, alice, -1, INITIAL);
        assertThat(backend.save(store, k, SaveRequest.of(alice.serverId(), 1, payload, false))
                        .status())
                .isEqualTo(SaveResult.Status.SAVED);
        assertThat(open().sendUpdates(store, k, List.of(new UpdateOp.Add(token("big"), update)), 1000)
                        .status())
                .isEqualTo(SendResult.Status.APPLIED);
        StoredProfile r = open().read(store, k);
        assertThat(r.payload()).isEqualTo(payload);
        assertThat(r.updates().get(0).data()).isEqualTo(update);
        AcquireResult a = open().acquire(store, k, bob, 1, INITIAL);
        assertThat(a.record().payload()).isEqualTo(payload);
    }

    @Test
    @DisplayName("an empty payload is not the same as no payload")
    void emptyPayload() {
        String k = key("empty");
        backend.acquire(store, k, alice, -1, INITIAL);
        backend.save(store, k, SaveRequest.of(alice.serverId(), 1, new byte[0], false));
        StoredProfile r = open().read(store, k);
        assertThat(r.payload()).isNotNull().isEmpty();
        assertThat(r.isEmpty()).isFalse();
    }

    // ---------------------------------------------------------------- round trips

    @Test
    @DisplayName("read, acquire of a free record, save (plain, releasing) and readUpdates are one round trip each")
    void roundTrips() {
        org.junit.jupiter.api.Assumptions.assumeTrue(countsRoundTrips(), "backend does not count round trips");
        Backend b = open();
        List<String> trips = new CopyOnWriteArrayList<>();
        // warm up: schema creation, prepared statements, script loading may cost extra the first time
        b.read(store, key("warm"));
        b.acquire(store, key("warm"), alice, -1, INITIAL);
        b.save(store, key("warm"), SaveRequest.of(alice.serverId(), 1, bytes("w"), true));
        b.sendUpdates(store, key("warm"), List.of(new UpdateOp.Add(token("w"), bytes("w"))), 1000);
        b.readUpdates(store, key("warm"));
        b.setRoundTripListener(trips::add);

        String k = key("rt");
        assertThat(count(trips, () -> b.read(store, k))).as("read (absent)").isEqualTo(1);
        assertThat(count(trips, () -> b.acquire(store, k, alice, -1, INITIAL)))
                .as("acquire of a missing record")
                .isEqualTo(1);
        assertThat(count(trips, () -> b.read(store, k))).as("read").isEqualTo(1);
        assertThat(count(trips, () -> b.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("v1"), false))))
                .as("save")
                .isEqualTo(1);
        assertThat(count(trips, () -> b.readUpdates(store, k)))
                .as("readUpdates")
                .isEqualTo(1);
        assertThat(count(trips, () -> b.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("v3"), true))))
                .as("save with release")
                .isEqualTo(1);
        assertThat(count(trips, () -> b.acquire(store, k, bob, -1, INITIAL)))
                .as("acquire of a released record")
                .isEqualTo(1);
        assertThat(text(b.read(store, k).payload())).isEqualTo("v3");

        b.setRoundTripListener(null);
        trips.clear();
        b.read(store, k);
        assertThat(trips).as("listener removed by setRoundTripListener(null)").isEmpty();
    }

    // ---------------------------------------------------------------- message bus

    @Test
    @DisplayName(
            "when the store has a message bus, a message published through one backend reaches a subscriber on another")
    @Timeout(30)
    void messageBus() {
        Optional<MessageBus> busA = open().messageBus();
        org.junit.jupiter.api.Assumptions.assumeTrue(busA.isPresent(), "backend has no message bus");
        Backend bBackend = open();
        MessageBus busB = bBackend.messageBus()
                .orElseThrow(() -> new AssertionError(
                        "messageBus() must be present on every backend object of a store that has one"));
        String serverA = "bus-a-" + prefix;
        String serverB = "bus-b-" + prefix;
        List<String> toA = new CopyOnWriteArrayList<>();
        List<String> toB = new CopyOnWriteArrayList<>();
        busA.get().subscribe(serverA, toA::add);
        busB.subscribe(serverB, toB::add);
        String message = "release " + prefix + " ünï \"q\" {x}";
        // subscriptions may become effective asynchronously (Redis, LISTEN): publish until delivered
        awaitDelivery(() -> busB.publish(serverA, message), toA, message);
        awaitDelivery(() -> busA.get().publish(serverB, "reply"), toB, "reply");
        assertThat(toA).allMatch(message::equals);
        assertThat(toB).allMatch("reply"::equals);
        busB.publish("nobody-listens-" + prefix, "lost"); // must not throw
        busA.get().close();
        busB.close();
    }

    private static void awaitDelivery(Runnable publish, List<String> inbox, String expected) {
        await("delivery of '" + expected + "'")
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (inbox.contains(expected)) {
                        return true;
                    }
                    publish.run();
                    return false;
                });
    }

    // ---------------------------------------------------------------- close

    @Test
    @DisplayName("close() is idempotent and does not disturb other backend objects on the store")
    void closeIsIdempotent() {
        String k = key("close");
        Backend b = openBackend();
        b.acquire(store, k, alice, -1, INITIAL);
        b.close();
        b.close();
        assertThat(backend.read(store, k).owner()).isEqualTo(alice);
    }

    // ---------------------------------------------------------------- concurrent fuzz

    @Test
    @DisplayName(
            "concurrent fuzz: threads on two backend objects acquire, steal, save and release; the counter ends exact")
    @Timeout(120)
    void concurrentFuzzKeepsTheCounterExact() throws Exception {
        String k = key("fuzz");
        Backend[] backends = {open(), open()};
        int threadsPer = fuzzThreadsPerBackend();
        int threads = threadsPer * backends.length;
        int iterations = fuzzIterations();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger staleAccepted = new AtomicInteger();
        AtomicInteger steals = new AtomicInteger();
        AtomicLong maxEpoch = new AtomicLong();
        Set<Long> acquiredEpochs = ConcurrentHashMap.newKeySet();
        List<String> violations = new CopyOnWriteArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Backend b = backends[t % backends.length];
                // one server id per backend object: a stale session of the same server (it lost the
                // key and took it again) must be fenced by the epoch alone
                Owner me = new Owner(
                        "fuzz-" + (t % backends.length) + "-" + prefix, "place", "job-" + (t % backends.length));
                Random random = new Random(1000L + t);
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < iterations; i++) {
                        StoredProfile seen = b.read(store, k);
                        AcquireResult a;
                        if (seen.owner() == null) {
                            a = b.acquire(store, k, me, -1, INITIAL);
                        } else if (random.nextInt(6) == 0) {
                            a = b.acquire(store, k, me, seen.epoch(), INITIAL);
                            if (a.acquired()) {
                                steals.incrementAndGet();
                            }
                        } else {
                            continue;
                        }
                        if (!a.acquired()) {
                            continue;
                        }
                        long epoch = a.record().epoch();
                        if (!acquiredEpochs.add(epoch)) {
                            violations.add("epoch " + epoch + " acquired twice");
                        }
                        maxEpoch.accumulateAndGet(epoch, Math::max);
                        if (!me.equals(a.record().owner())) {
                            violations.add("acquired record names " + a.record().owner() + " instead of " + me);
                        }
                        long[] state = decode(a.record().payload());
                        if (state[0] >= epoch) {
                            violations.add(
                                    "payload written under epoch " + state[0] + " seen by acquirer of epoch " + epoch);
                        }
                        byte[] next = encode(epoch, state[1] + 1);
                        for (int spin = random.nextInt(5000); spin > 0; spin--) {
                            Thread.onSpinWait(); // widen the window in which others may steal
                        }
                        SaveResult s = b.save(store, k, SaveRequest.of(me.serverId(), epoch, next, false));
                        if (s.status() == SaveResult.Status.SAVED) {
                            accepted.incrementAndGet();
                            if (s.record().epoch() != epoch) {
                                violations.add(
                                        "SAVED record has epoch " + s.record().epoch() + " for a save under " + epoch);
                            }
                        } else if (s.status() != SaveResult.Status.LOST_SESSION) {
                            violations.add("plain save returned " + s.status());
                            continue;
                        } else {
                            continue;
                        }
                        SaveResult r = b.save(store, k, SaveRequest.of(me.serverId(), epoch, next, true));
                        if (r.status() == SaveResult.Status.SAVED && random.nextInt(5) == 0) {
                            // a late write from the session just ended must always be refused
                            SaveResult late =
                                    b.save(store, k, SaveRequest.of(me.serverId(), epoch, encode(epoch, -999), false));
                            if (late.status() == SaveResult.Status.SAVED) {
                                staleAccepted.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(110, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        StoredProfile end = open().read(store, k);
        long[] state = decode(end.payload());
        assertThat(violations).isEmpty();
        assertThat(staleAccepted).as("saves accepted after release").hasValue(0);
        assertThat(accepted.get()).as("some increments were accepted").isPositive();
        assertThat(steals.get()).as("some steals happened").isPositive();
        assertThat(state[1])
                .as("counter == accepted increments (no lost or stale write)")
                .isEqualTo(accepted.get());
        assertThat(end.epoch()).isEqualTo(maxEpoch.get());
        assertThat(end.owner()).as("everyone released in the end").isNull();
        assertThat(acquiredEpochs).hasSize((int) maxEpoch.get());
    }

    private static byte[] encode(long epoch, long counter) {
        return bytes(epoch + ":" + counter);
    }

    private static long[] decode(byte[] payload) {
        if (payload == null || Arrays.equals(payload, INITIAL)) {
            return new long[] {0, 0};
        }
        String[] parts = text(payload).split(":");
        return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
    }
}
