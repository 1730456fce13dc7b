package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.SessionInfo;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
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
 */
public abstract class BackendContractTest {

    /** One store name per JVM run: tests add unique key prefixes. */
    private static final String RUN =
            UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    private final List<Backend> opened = new CopyOnWriteArrayList<>();

    /** The store most tests use: unique to this run. */
    protected String store;
    /** A unique prefix for this test's keys. */
    protected String prefix;
    /** A first backend object, opened before each test. */
    protected Backend backend;

    /** The clock of backends whose lease clock is {@link LeaseClock#SERVICE} (see the class comment). */
    protected final VirtualTime serviceClock = VirtualTime.startingAt(java.time.Instant.parse("2030-01-01T00:00:00Z"));

    protected final Owner alice = new Owner("srv-alice-" + RUN, "place-a", "job-a");
    protected final Owner bob = new Owner("srv-bob-" + RUN, "place-b", "job-b");

    /** A new backend object on the shared store under test. Called several times per test. */
    protected abstract Backend openBackend();

    /**
     * Whether the backend reports round trips through {@link Backend#setRoundTripListener}; when
     * true the round-trip targets are asserted. Default true.
     */
    protected boolean countsRoundTrips() {
        return true;
    }

    /** Threads per backend object in the concurrent fuzz. Default 4. */
    protected int fuzzThreadsPerBackend() {
        return 4;
    }

    /** Acquire/save/release cycles each fuzz thread attempts. Default 300. */
    protected int fuzzIterations() {
        return 300;
    }

    /**
     * The administrative operations of {@code b}; the tests of them are skipped for a store that
     * offers none ({@link Backend#admin()} empty), as a new store may start without them.
     */
    protected static BackendAdmin admin(Backend b) {
        Assumptions.assumeTrue(b.admin().isPresent(), () -> b.describe() + " offers no administrative operations");
        return b.admin().orElseThrow();
    }

    /** Opens a backend and closes it after the test. */
    protected final Backend open() {
        Backend b = openBackend();
        assertThat(b).as("openBackend()").isNotNull();
        opened.add(b);
        return b;
    }

    /** A store name not used by any other test. */
    protected static String uniqueStore(String hint) {
        String s = "ct_" + hint + "_" + UUID.randomUUID().toString().replace("-", "");
        return s.substring(0, Math.min(50, s.length()));
    }

    /** A key unique to this test. */
    protected String key(String name) {
        return prefix + name;
    }

    @BeforeEach
    void openFirstBackend() {
        store = "ct_" + RUN;
        prefix = UUID.randomUUID().toString().substring(0, 8) + "-";
        backend = open();
    }

    @AfterEach
    void closeBackends() {
        for (Backend b : opened) {
            try {
                b.close();
            } catch (RuntimeException e) {
                fail("close() threw " + e, e);
            }
        }
        opened.clear();
    }

    /** The initial payload every acquire in these tests offers (stored only by a profile's first load). */
    protected static final byte[] INITIAL = "initial".getBytes(StandardCharsets.UTF_8);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- describe / read

    @Test
    @DisplayName("describe() names the store")
    void describeIsNotBlank() {
        assertThat(backend.describe()).isNotBlank();
    }

    @Test
    @DisplayName("read of a record never written is ABSENT")
    void readAbsent() {
        StoredProfile r = backend.read(store, key("nothing"));
        assertThat(r.payload()).isNull();
        assertThat(r.epoch()).isZero();
        assertThat(r.owner()).isNull();
        assertThat(r.updates()).isEmpty();
        assertThat(r.updateSeq()).isZero();
        assertThat(r.isEmpty()).isTrue();
    }

    // ---------------------------------------------------------------- acquire

    @Test
    @DisplayName(
            "acquire(-1) of a missing record creates it with epoch 1, the caller as owner and the initial payload, in one write")
    void acquireFreeCreatesRecord() {
        String k = key("free");
        AcquireResult a = backend.acquire(store, k, alice, -1, INITIAL);
        assertThat(a.acquired()).isTrue();
        assertThat(a.record().epoch()).isEqualTo(1);
        assertThat(a.record().owner()).isEqualTo(alice);
        assertThat(text(a.record().payload())).isEqualTo("initial");
        StoredProfile r = open().read(store, k);
        assertThat(r.epoch()).isEqualTo(1);
        assertThat(r.owner()).isEqualTo(alice);
        assertThat(text(r.payload())).as("a profile exists from its first load").isEqualTo("initial");
        assertThat(r.updates()).isEmpty();
        assertThat(r.updateSeq()).isZero();
    }

    @Test
    @DisplayName("acquire(0) of a missing record succeeds (epoch 0 matches) and creates it")
    void acquireWithEpochZeroOfMissingRecord() {
        String k = key("zero");
        AcquireResult a = backend.acquire(store, k, alice, 0, INITIAL);
        assertThat(a.acquired()).isTrue();
        assertThat(a.record().epoch()).isEqualTo(1);
        assertThat(backend.read(store, k).owner()).isEqualTo(alice);
    }

    @Test
    @DisplayName("acquire(-1) of a held record fails, names the owner, changes nothing")
    void acquireHeldFails() {
        String k = key("held");
        backend.acquire(store, k, alice, -1, INITIAL);
        Backend other = open();
        AcquireResult a = other.acquire(store, k, bob, -1, INITIAL);
        assertThat(a.acquired()).isFalse();
        assertThat(a.record().owner()).isEqualTo(alice);
        assertThat(a.record().epoch()).isEqualTo(1);
        assertThat(other.read(store, k).owner()).isEqualTo(alice);
        assertThat(other.read(store, k).epoch()).isEqualTo(1);
        // even the owner itself cannot acquire(-1) twice
        assertThat(backend.acquire(store, k, alice, -1, INITIAL).acquired()).isFalse();
        assertThat(backend.read(store, k).epoch()).isEqualTo(1);
    }

    @Test
    @DisplayName("acquire(expectedEpoch) steals when the epoch matches and fails (no change) when it does not")
    void stealByExpectedEpoch() {
        String k = key("steal");
        backend.acquire(store, k, alice, -1, INITIAL);
        backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("alice-data"), false));
        Backend other = open();

        AcquireResult wrong = other.acquire(store, k, bob, 7, INITIAL);
        assertThat(wrong.acquired()).isFalse();
        assertThat(wrong.record().owner()).isEqualTo(alice);
        assertThat(other.read(store, k).epoch()).isEqualTo(1);

        AcquireResult steal = other.acquire(store, k, bob, 1, INITIAL);
        assertThat(steal.acquired()).isTrue();
        assertThat(steal.record().epoch()).isEqualTo(2);
        assertThat(steal.record().owner()).isEqualTo(bob);
        assertThat(text(steal.record().payload()))
                .as("payload untouched by acquire")
                .isEqualTo("alice-data");

        AcquireResult stale = backend.acquire(store, k, alice, 1, INITIAL);
        assertThat(stale.acquired()).isFalse();
        assertThat(stale.record().owner()).isEqualTo(bob);
        assertThat(stale.record().epoch()).isEqualTo(2);
        assertThat(backend.read(store, k).owner()).isEqualTo(bob);
    }

    @Test
    @DisplayName(
            "acquire keeps payload and pending updates (a record with only updates gets the initial payload), and increments the epoch")
    void acquireKeepsPayloadAndUpdates() {
        String k = key("keep");
        long g = add(backend, k, "gift");
        AcquireResult a = backend.acquire(store, k, alice, -1, INITIAL);
        assertThat(a.acquired()).isTrue();
        assertThat(a.record().epoch()).isEqualTo(1);
        assertThat(text(a.record().payload()))
                .as("never loaded before: created by this load")
                .isEqualTo("initial");
        assertThat(a.record().updates()).extracting(PendingUpdate::id).containsExactly(g);
        assertThat(text(a.record().updates().get(0).data())).isEqualTo("gift");
        assertThat(a.record().updateSeq()).isEqualTo(g);
        assertThat(backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("p1"), true))
                        .status())
                .isEqualTo(SaveResult.Status.SAVED);

        AcquireResult b = open().acquire(store, k, bob, -1, bytes("other-initial"));
        assertThat(b.acquired()).isTrue();
        assertThat(b.record().epoch()).isEqualTo(2);
        assertThat(text(b.record().payload()))
                .as("an existing payload wins over the initial one")
                .isEqualTo("p1");
        assertThat(b.record().updates()).extracting(PendingUpdate::id).containsExactly(g);
    }

    @Test
    @DisplayName("steal of a released record with its epoch works like acquire(-1)")
    void stealOfReleasedRecord() {
        String k = key("relsteal");
        backend.acquire(store, k, alice, -1, INITIAL);
        backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("x"), true));
        AcquireResult a = open().acquire(store, k, bob, 1, INITIAL);
        assertThat(a.acquired()).isTrue();
        assertThat(a.record().epoch()).isEqualTo(2);
        assertThat(a.record().owner()).isEqualTo(bob);
    }

    // ---------------------------------------------------------------- save

    @Test
    @DisplayName("save by the owner writes the payload; the owner stays")
    void saveByOwner() {
        String k = key("save");
        backend.acquire(store, k, alice, -1, INITIAL);
        SaveResult s = backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("v1"), false));
        assertThat(s.status()).isEqualTo(SaveResult.Status.SAVED);
        assertThat(s.record().epoch()).isEqualTo(1);
        assertThat(s.record().owner()).isEqualTo(alice);
        StoredProfile r = open().read(store, k);
        assertThat(text(r.payload())).isEqualTo("v1");
        assertThat(r.owner()).isEqualTo(alice);
        assertThat(r.epoch()).isEqualTo(1);
        assertThat(backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("v2"), false))
                        .status())
                .isEqualTo(SaveResult.Status.SAVED);
        assertThat(text(backend.read(store, k).payload())).isEqualTo("v2");
    }

    @Test
    @DisplayName("save with a wrong epoch or a wrong server is LOST_SESSION and writes nothing")
    void fencedSave() {
        String k = key("fence");
        backend.acquire(store, k, alice, -1, INITIAL);
        backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("good"), false));

        SaveResult wrongEpoch = backend.save(store, k, SaveRequest.of(alice.serverId(), 2, bytes("bad1"), false));
        assertThat(wrongEpoch.status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        SaveResult olderEpoch = backend.save(store, k, SaveRequest.of(alice.serverId(), 0, bytes("bad2"), false));
        assertThat(olderEpoch.status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        SaveResult wrongServer = open().save(store, k, SaveRequest.of(bob.serverId(), 1, bytes("bad3"), false));
        assertThat(wrongServer.status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(wrongServer.record().owner()).isEqualTo(alice);
        SaveResult wrongServerRelease = open().save(store, k, SaveRequest.of(bob.serverId(), 1, bytes("bad4"), true));
        assertThat(wrongServerRelease.status()).isEqualTo(SaveResult.Status.LOST_SESSION);

        StoredProfile r = backend.read(store, k);
        assertThat(text(r.payload())).isEqualTo("good");
        assertThat(r.owner()).isEqualTo(alice);
        assertThat(r.epoch()).isEqualTo(1);
    }

    @Test
    @DisplayName("after a steal the old owner's save is LOST_SESSION, naming the new owner and epoch")
    void saveAfterStealIsRefused() {
        String k = key("late");
        backend.acquire(store, k, alice, -1, INITIAL);
        Backend other = open();
        other.acquire(store, k, bob, 1, INITIAL);
        other.save(store, k, SaveRequest.of(bob.serverId(), 2, bytes("bob"), false));
        SaveResult late = backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("alice-late"), false));
        assertThat(late.status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(late.record().owner()).isEqualTo(bob);
        assertThat(late.record().epoch()).isEqualTo(2);
        assertThat(text(backend.read(store, k).payload())).isEqualTo("bob");
    }

    @Test
    @DisplayName("save of a record that does not exist is LOST_SESSION and creates nothing")
    void saveOfMissingRecord() {
        String k = key("ghost");
        SaveResult s = backend.save(store, k, SaveRequest.of(alice.serverId(), 0, bytes("x"), false));
        assertThat(s.status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        SaveResult s1 = backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("x"), true));
        assertThat(s1.status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(backend.read(store, k).isEmpty()).isTrue();
        assertThat(backend.read(store, k).owner()).isNull();
    }

    @Test
    @DisplayName("save with release clears the owner, keeps the epoch; later saves are LOST_SESSION")
    void releaseClearsOwnerKeepsEpoch() {
        String k = key("release");
        backend.acquire(store, k, alice, -1, INITIAL);
        SaveResult s = backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("final"), true));
        assertThat(s.status()).isEqualTo(SaveResult.Status.SAVED);
        assertThat(s.record().owner()).isNull();
        assertThat(s.record().epoch()).isEqualTo(1);
        StoredProfile r = open().read(store, k);
        assertThat(r.owner()).isNull();
        assertThat(r.epoch()).isEqualTo(1);
        assertThat(text(r.payload())).isEqualTo("final");

        SaveResult after = backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("after"), false));
        assertThat(after.status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(text(backend.read(store, k).payload())).isEqualTo("final");

        AcquireResult again = open().acquire(store, k, bob, -1, INITIAL);
        assertThat(again.acquired()).isTrue();
        assertThat(again.record().epoch()).isEqualTo(2);
        assertThat(admin(backend).sessions(store)).extracting(SessionInfo::key).contains(k);
    }

    @Test
    @DisplayName(
            "a plain save leaves the pending updates alone; its answer carries the update sequence, not the updates")
    void plainSaveKeepsUpdates() {
        String k = key("plain");
        backend.acquire(store, k, alice, -1, INITIAL);
        long g = add(open(), k, "gift-1");
        SaveResult s = backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("data"), false));
        assertThat(s.status()).isEqualTo(SaveResult.Status.SAVED);
        assertThat(s.record().updates()).isEmpty();
        assertThat(s.record().updateSeq()).isEqualTo(g);
        StoredProfile r = backend.read(store, k);
        assertThat(r.updates()).extracting(u -> text(u.data())).containsExactly("gift-1");
        assertThat(r.updateSeq()).isEqualTo(g);
    }

    @Test
    @DisplayName(
            "a save consumes updates at the versions it names, else UPDATES_CHANGED and nothing written; adds meanwhile never conflict")
    void saveConsumesUpdates() {
        String k = key("consume");
        backend.acquire(store, k, alice, -1, INITIAL);
        Backend sender = open();
        long g1 = add(sender, k, "g1");

        SaveResult ok = backend.save(store, k, consuming(1, "data+g1", false, g1, 1));
        assertThat(ok.status()).isEqualTo(SaveResult.Status.SAVED);
        StoredProfile r = sender.read(store, k);
        assertThat(text(r.payload())).isEqualTo("data+g1");
        assertThat(r.updates()).isEmpty();

        long g2 = add(sender, k, "g2");
        long g3 = add(sender, k, "g3");
        // a sender changes g2 meanwhile: consuming g2 at version 1 is refused, and nothing is written
        assertThat(sender.sendUpdates(store, k, List.of(new UpdateOp.Change(g2, 1, bytes("g2b"))), 1000)
                        .status())
                .isEqualTo(SendResult.Status.APPLIED);
        SaveResult changed = backend.save(store, k, consuming(1, "stale", false, g2, 1, g3, 1));
        assertThat(changed.status()).isEqualTo(SaveResult.Status.UPDATES_CHANGED);
        StoredProfile after = sender.read(store, k);
        assertThat(text(after.payload()))
                .as("nothing written on UPDATES_CHANGED")
                .isEqualTo("data+g1");
        assertThat(after.updates())
                .extracting(PendingUpdate::id, PendingUpdate::version)
                .containsExactly(tuple(g2, 2L), tuple(g3, 1L));
        assertThat(text(after.updates().get(0).data())).isEqualTo("g2b");
        assertThat(after.owner()).isEqualTo(alice);

        // an update added after the owner read does not conflict; a release consumes in the same write
        long g4 = add(sender, k, "g4");
        SaveResult rel = backend.save(store, k, consuming(1, "data+g2+g3", true, g2, 2, g3, 1));
        assertThat(rel.status()).isEqualTo(SaveResult.Status.SAVED);
        StoredProfile fin = sender.read(store, k);
        assertThat(fin.owner()).isNull();
        assertThat(text(fin.payload())).isEqualTo("data+g2+g3");
        assertThat(fin.updates()).extracting(PendingUpdate::id).containsExactly(g4);
        assertThat(fin.updateSeq()).isEqualTo(g4);
    }

    @Test
    @DisplayName("the fence is checked before the consumed updates: a stale session gets LOST_SESSION")
    void fenceBeforeUpdates() {
        String k = key("order");
        backend.acquire(store, k, alice, -1, INITIAL);
        long g = add(open(), k, "x");
        SaveResult s = backend.save(
                store,
                k,
                new SaveRequest(alice.serverId(), 5, bytes("p"), false, List.of(new SaveRequest.Consume(g, 7))));
        assertThat(s.status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        StoredProfile r = backend.read(store, k);
        assertThat(text(r.payload())).isEqualTo("initial");
        assertThat(r.updates()).extracting(PendingUpdate::id).containsExactly(g);
    }

    @Test
    @DisplayName("the token of a consumed update is remembered: a retried add adds nothing and answers the first id")
    void consumedTokensAreRemembered() {
        String k = key("tokens");
        backend.acquire(store, k, alice, -1, INITIAL);
        Backend sender = open();
        List<UpdateOp> send = List.of(new UpdateOp.Add("tok-" + prefix, bytes("x")));
        SendResult first = sender.sendUpdates(store, k, send, 1000);
        long id = first.addedIds().get(0);
        assertThat(backend.save(store, k, consuming(1, "with-x", false, id, 1)).status())
                .isEqualTo(SaveResult.Status.SAVED);
        SendResult retry = sender.sendUpdates(store, k, send, 1000);
        assertThat(retry.status()).isEqualTo(SendResult.Status.APPLIED);
        assertThat(retry.addedIds()).containsExactly(id);
        StoredProfile r = backend.read(store, k);
        assertThat(r.updates()).as("not added again").isEmpty();
        assertThat(r.updateSeq()).isEqualTo(id);
    }

    // ---------------------------------------------------------------- saveBatch

    @Test
    @DisplayName("maxBatchSize is at least 1; an empty saveBatch returns an empty list")
    void batchBasics() {
        assertThat(backend.maxBatchSize()).as("maxBatchSize()").isGreaterThanOrEqualTo(1);
        assertThat(backend.saveBatch(List.of())).isEmpty();
    }

    @Test
    @DisplayName("saveBatch of plain saves writes every payload, keeps the owners and answers each update sequence")
    void batchOfPlainSaves() {
        int n = Math.min(backend.maxBatchSize(), 20) + 3; // over the limit is allowed: it may cost more trips
        List<SaveItem> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String k = key("b" + i);
            backend.acquire(store, k, alice, -1, INITIAL);
            items.add(new SaveItem(store, k, SaveRequest.of(alice.serverId(), 1, bytes("v" + i), false)));
        }
        long g = add(open(), key("b1"), "gift");
        List<SaveResult> results = backend.saveBatch(items);
        assertThat(results).hasSize(n);
        Backend other = open();
        for (int i = 0; i < n; i++) {
            assertThat(results.get(i).status()).as("item " + i).isEqualTo(SaveResult.Status.SAVED);
            assertThat(results.get(i).record().owner()).as("item " + i).isEqualTo(alice);
            assertThat(results.get(i).record().epoch()).as("item " + i).isEqualTo(1);
            StoredProfile r = other.read(store, key("b" + i));
            assertThat(text(r.payload())).as("item " + i).isEqualTo("v" + i);
            assertThat(r.owner()).isEqualTo(alice);
        }
        assertThat(results.get(1).record().updateSeq())
                .as("the update sequence answered with the saved record")
                .isEqualTo(g);
        assertThat(results.get(0).record().updateSeq()).isZero();
    }

    @Test
    @DisplayName(
            "saveBatch judges each item on its own: saved, lost, updates changed, released and consuming, in order")
    void batchOfMixedOutcomes() {
        String ok = key("m-ok");
        String stolen = key("m-stolen");
        String missing = key("m-missing");
        String stale = key("m-stale");
        String release = key("m-release");
        String consume = key("m-consume");
        for (String k : List.of(ok, stolen, stale, release, consume)) {
            backend.acquire(store, k, alice, -1, INITIAL);
        }
        Backend other = open();
        other.acquire(store, stolen, bob, 1, INITIAL);
        long s1 = add(other, stale, "s1");
        other.sendUpdates(store, stale, List.of(new UpdateOp.Clear(s1, 1)), 1000);
        long c1 = add(other, consume, "c1");
        List<SaveResult> results = backend.saveBatch(List.of(
                new SaveItem(store, ok, SaveRequest.of(alice.serverId(), 1, bytes("ok"), false)),
                new SaveItem(store, stolen, SaveRequest.of(alice.serverId(), 1, bytes("late"), false)),
                new SaveItem(store, missing, SaveRequest.of(alice.serverId(), 1, bytes("ghost"), false)),
                new SaveItem(store, stale, consuming(1, "stale", false, s1, 1)),
                new SaveItem(store, release, SaveRequest.of(alice.serverId(), 1, bytes("final"), true)),
                new SaveItem(store, consume, consuming(1, "with-c1", false, c1, 1))));
        assertThat(results)
                .extracting(SaveResult::status)
                .containsExactly(
                        SaveResult.Status.SAVED,
                        SaveResult.Status.LOST_SESSION,
                        SaveResult.Status.LOST_SESSION,
                        SaveResult.Status.UPDATES_CHANGED,
                        SaveResult.Status.SAVED,
                        SaveResult.Status.SAVED);
        assertThat(results.get(1).record().owner()).isEqualTo(bob);
        assertThat(results.get(1).record().epoch()).isEqualTo(2);
        assertThat(results.get(4).record().owner()).isNull();

        assertThat(text(other.read(store, ok).payload())).isEqualTo("ok");
        assertThat(text(other.read(store, stolen).payload()))
                .as("nothing written over the thief's session")
                .isEqualTo("initial");
        assertThat(other.read(store, stolen).owner()).isEqualTo(bob);
        assertThat(other.read(store, missing).isEmpty())
                .as("a refused batch item creates nothing")
                .isTrue();
        StoredProfile st = other.read(store, stale);
        assertThat(text(st.payload())).as("nothing written on UPDATES_CHANGED").isEqualTo("initial");
        assertThat(st.owner()).isEqualTo(alice);
        StoredProfile rel = other.read(store, release);
        assertThat(rel.owner()).isNull();
        assertThat(rel.epoch()).isEqualTo(1);
        assertThat(text(rel.payload())).isEqualTo("final");
        StoredProfile c = other.read(store, consume);
        assertThat(text(c.payload())).isEqualTo("with-c1");
        assertThat(c.updates()).isEmpty();
        assertThat(c.owner()).isEqualTo(alice);
    }

    @Test
    @DisplayName("saveBatch keeps stores apart: the same key in two stores is two records")
    void batchAcrossStores() {
        String other = uniqueStore("batch");
        String k = key("same");
        backend.acquire(store, k, alice, -1, INITIAL);
        backend.acquire(other, k, alice, -1, INITIAL);
        List<SaveResult> results = backend.saveBatch(List.of(
                new SaveItem(store, k, SaveRequest.of(alice.serverId(), 1, bytes("in-main"), false)),
                new SaveItem(other, k, SaveRequest.of(alice.serverId(), 1, bytes("in-other"), true))));
        assertThat(results).extracting(SaveResult::status).containsOnly(SaveResult.Status.SAVED);
        assertThat(text(backend.read(store, k).payload())).isEqualTo("in-main");
        assertThat(backend.read(store, k).owner()).isEqualTo(alice);
        assertThat(text(backend.read(other, k).payload())).isEqualTo("in-other");
        assertThat(backend.read(other, k).owner()).isNull();
    }

    @Test
    @DisplayName("a send and a consuming save cost a few round trips (at most 6), the same for 1 update as for 100")
    void inboxRoundTripsDoNotGrowWithTheUpdates() {
        org.junit.jupiter.api.Assumptions.assumeTrue(countsRoundTrips(), "backend does not count round trips");
        Backend b = open();
        String k = key("rt-inbox");
        b.acquire(store, k, alice, -1, INITIAL);
        add(b, key("rt-warm"), "w");
        List<String> trips = new CopyOnWriteArrayList<>();
        b.setRoundTripListener(trips::add);
        int one =
                count(trips, () -> b.sendUpdates(store, k, List.of(new UpdateOp.Add(token("one"), bytes("g"))), 1000));
        List<UpdateOp> hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hundred.add(new UpdateOp.Add(token("h" + i), bytes("g" + i)));
        }
        int many = count(trips, () -> b.sendUpdates(store, k, hundred, 1000));
        int creating = count(
                trips,
                () -> b.sendUpdates(
                        store, key("rt-inbox-new"), List.of(new UpdateOp.Add(token("n"), bytes("g"))), 1000));
        assertThat(one).as("an add").isBetween(1, 6);
        assertThat(many).as("a send of 100 adds").isEqualTo(one);
        assertThat(creating).as("an add creating the record").isBetween(1, 6);

        List<PendingUpdate> pending = b.readUpdates(store, k).updates();
        int consumeOne = count(
                trips,
                () -> b.save(store, k, consuming(1, "c1", false, pending.get(0).id(), 1)));
        long[] rest = new long[2 * (pending.size() - 1)];
        for (int i = 1; i < pending.size(); i++) {
            rest[2 * (i - 1)] = pending.get(i).id();
            rest[2 * (i - 1) + 1] = 1;
        }
        int consumeMany = count(trips, () -> b.save(store, k, consuming(1, "c100", false, rest)));
        b.setRoundTripListener(null);
        assertThat(consumeOne).as("a save consuming one update").isBetween(1, 6);
        assertThat(consumeMany).as("a save consuming 100 updates").isEqualTo(consumeOne);
        assertThat(b.readUpdates(store, k).updates()).isEmpty();
    }

    @Test
    @DisplayName("a saveBatch of up to maxBatchSize plain saves that are all applied is one round trip")
    void batchRoundTrips() {
        org.junit.jupiter.api.Assumptions.assumeTrue(countsRoundTrips(), "backend does not count round trips");
        int n = Math.min(backend.maxBatchSize(), 50);
        org.junit.jupiter.api.Assumptions.assumeTrue(n > 1, "backend does not batch (maxBatchSize 1)");
        Backend b = open();
        List<String> trips = new CopyOnWriteArrayList<>();
        List<SaveItem> warm = new ArrayList<>();
        List<SaveItem> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            b.acquire(store, key("wb" + i), alice, -1, INITIAL);
            b.acquire(store, key("rb" + i), alice, -1, INITIAL);
            warm.add(new SaveItem(store, key("wb" + i), SaveRequest.of(alice.serverId(), 1, bytes("w"), false)));
            items.add(new SaveItem(
                    store, key("rb" + i), SaveRequest.of(alice.serverId(), 1, bytes("v" + i), i % 2 == 0)));
        }
        b.saveBatch(warm);
        b.setRoundTripListener(trips::add);
        List<SaveResult> results = b.saveBatch(items);
        b.setRoundTripListener(null);
        assertThat(results).extracting(SaveResult::status).containsOnly(SaveResult.Status.SAVED);
        assertThat(trips).as("round trips of a batch of " + n + " saves").hasSize(1);
        assertThat(text(b.read(store, key("rb" + (n - 1))).payload())).isEqualTo("v" + (n - 1));
    }

    // ---------------------------------------------------------------- sendUpdates, readUpdates

    @Test
    @DisplayName(
            "sendUpdates to a missing record creates it with no owner, epoch 0 and no payload; the store numbers adds 1, 2, 3")
    void sendUpdatesCreatesRecordAndNumbersAdds() {
        String k = key("new");
        SendResult r = backend.sendUpdates(
                store,
                k,
                List.of(new UpdateOp.Add(token("a"), bytes("a")), new UpdateOp.Add(token("b"), bytes("b"))),
                1000);
        assertThat(r.status()).isEqualTo(SendResult.Status.APPLIED);
        assertThat(r.addedIds()).containsExactly(1L, 2L);
        assertThat(r.owner()).isNull();
        assertThat(add(open(), k, "c")).isEqualTo(3);
        StoredProfile rec = open().read(store, k);
        assertThat(rec.owner()).isNull();
        assertThat(rec.epoch()).isZero();
        assertThat(rec.payload()).isNull();
        assertThat(rec.updates())
                .extracting(PendingUpdate::id, PendingUpdate::version, u -> text(u.data()))
                .containsExactly(tuple(1L, 1L, "a"), tuple(2L, 1L, "b"), tuple(3L, 1L, "c"));
        assertThat(rec.updateSeq()).isEqualTo(3);
        assertThat(rec.isEmpty()).isFalse();
    }

    @Test
    @DisplayName("an add whose token was seen adds nothing and answers the first id (a retry after a lost reply)")
    void addsAreIdempotentByToken() {
        String k = key("idem");
        List<UpdateOp> send = List.of(new UpdateOp.Add(token("x"), bytes("x")));
        long id = backend.sendUpdates(store, k, send, 1000).addedIds().get(0);
        SendResult again =
                open().sendUpdates(store, k, List.of(new UpdateOp.Add(token("y"), bytes("y")), send.get(0)), 1000);
        assertThat(again.addedIds()).containsExactly(id + 1, id);
        assertThat(backend.read(store, k).updates())
                .extracting(u -> text(u.data()))
                .containsExactly("x", "y");
    }

    @Test
    @DisplayName(
            "a change or clear applies only at the version seen; a send with one that does not applies nothing (CONFLICT)")
    void changesAndClearsAreConditionalAndAllOrNothing() {
        String k = key("cond");
        long a = add(backend, k, "a");
        long b = add(backend, k, "b");
        Backend other = open();
        assertThat(other.sendUpdates(store, k, List.of(new UpdateOp.Change(a, 1, bytes("a2"))), 1000)
                        .status())
                .isEqualTo(SendResult.Status.APPLIED);
        SendResult stale = backend.sendUpdates(
                store,
                k,
                List.of(
                        new UpdateOp.Add(token("c"), bytes("c")),
                        new UpdateOp.Clear(b, 1),
                        new UpdateOp.Change(a, 1, bytes("a-stale"))),
                1000);
        assertThat(stale.status()).isEqualTo(SendResult.Status.CONFLICT);
        assertThat(stale.addedIds()).isEmpty();
        StoredProfile r = other.read(store, k);
        assertThat(r.updates())
                .as("nothing of a conflicting send")
                .extracting(PendingUpdate::id, PendingUpdate::version, u -> text(u.data()))
                .containsExactly(tuple(a, 2L, "a2"), tuple(b, 1L, "b"));
        assertThat(r.updateSeq()).isEqualTo(b);
        assertThat(backend.sendUpdates(
                                store,
                                k,
                                List.of(new UpdateOp.Clear(b, 1), new UpdateOp.Change(a, 2, bytes("a3"))),
                                1000)
                        .status())
                .isEqualTo(SendResult.Status.APPLIED);
        assertThat(other.read(store, k).updates())
                .extracting(PendingUpdate::id, u -> text(u.data()))
                .containsExactly(tuple(a, "a3"));
        assertThat(backend.sendUpdates(store, k, List.of(new UpdateOp.Clear(99, 1)), 1000)
                        .status())
                .as("an update that was never there")
                .isEqualTo(SendResult.Status.CONFLICT);
    }

    @Test
    @DisplayName(
            "FULL: adds over maxPending are refused and nothing applied; tokens seen do not count again; clears make room")
    void pendingUpdatesAreBounded() {
        String k = key("full");
        long first = add(backend, k, "1");
        add(backend, k, "2");
        add(backend, k, "3");
        SendResult full = backend.sendUpdates(store, k, List.of(new UpdateOp.Add(token("4"), bytes("4"))), 3);
        assertThat(full.status()).isEqualTo(SendResult.Status.FULL);
        assertThat(backend.read(store, k).updates()).hasSize(3);
        UpdateOp.Add fifth = new UpdateOp.Add(token("5"), bytes("5"));
        assertThat(backend.sendUpdates(store, k, List.of(new UpdateOp.Clear(first, 1), fifth), 3)
                        .status())
                .as("a clear in the same send makes room")
                .isEqualTo(SendResult.Status.APPLIED);
        SendResult retry = backend.sendUpdates(store, k, List.of(fifth), 3);
        assertThat(retry.status()).as("a token seen is not a new update").isEqualTo(SendResult.Status.APPLIED);
        assertThat(backend.read(store, k).updates()).hasSize(3);
    }

    @Test
    @DisplayName("a FULL answer names the session holding the profile (senders wait for an online owner to catch up)")
    void fullAnswerNamesTheOwner() {
        String k = key("fullowned");
        backend.acquire(store, k, alice, -1, INITIAL);
        add(backend, k, "1");
        SendResult full = backend.sendUpdates(store, k, List.of(new UpdateOp.Add(token("2"), bytes("2"))), 1);
        assertThat(full.status()).isEqualTo(SendResult.Status.FULL);
        assertThat(full.owner()).as("the owner").isNotNull();
        assertThat(full.owner().serverId()).isEqualTo(alice.serverId());
        String free = key("fullfree");
        add(backend, free, "1");
        assertThat(backend.sendUpdates(store, free, List.of(new UpdateOp.Add(token("2"), bytes("2"))), 1)
                        .owner())
                .as("nobody holds it")
                .isNull();
    }

    @Test
    @DisplayName(
            "sendUpdates never touches payload, epoch or owner; it answers the owner, whose save then still succeeds")
    void sendUpdatesLeavesSessionAlone() {
        String k = key("owned");
        backend.acquire(store, k, alice, -1, INITIAL);
        backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("alice"), false));
        SendResult r = open().sendUpdates(store, k, List.of(new UpdateOp.Add(token("g"), bytes("gift"))), 1000);
        assertThat(r.owner()).isEqualTo(alice);
        StoredProfile rec = backend.read(store, k);
        assertThat(text(rec.payload())).isEqualTo("alice");
        assertThat(rec.epoch()).isEqualTo(1);
        assertThat(rec.owner()).isEqualTo(alice);
        assertThat(backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("alice2"), false))
                        .status())
                .isEqualTo(SaveResult.Status.SAVED);
        assertThat(backend.read(store, k).updates())
                .extracting(u -> text(u.data()))
                .containsExactly("gift");
    }

    @Test
    @DisplayName("readUpdates: the record without its payload (owner, epoch, updates in id order, sequence)")
    void readUpdates() {
        String k = key("ru");
        assertThat(backend.readUpdates(store, k).isEmpty()).isTrue();
        backend.acquire(store, k, alice, -1, INITIAL);
        long a = add(open(), k, "a");
        long b = add(open(), k, "b");
        StoredProfile r = backend.readUpdates(store, k);
        assertThat(r.payload()).isNull();
        assertThat(r.owner()).isEqualTo(alice);
        assertThat(r.epoch()).isEqualTo(1);
        assertThat(r.updates()).extracting(PendingUpdate::id).containsExactly(a, b);
        assertThat(r.updateSeq()).isEqualTo(b);
    }

    @Test
    @Timeout(60)
    @DisplayName(
            "concurrent senders on several backend objects: every add gets its own id, none is lost, none is doubled")
    void concurrentSendersNeverConflict() throws Exception {
        String k = key("storm");
        int threads = 4;
        int each = 40;
        List<Backend> senders = List.of(open(), open());
        ExecutorService pool = Executors.newFixedThreadPool(threads * senders.size());
        try {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (Backend b : senders) {
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        List<Long> ids = new ArrayList<>();
                        for (int i = 0; i < each; i++) {
                            SendResult r = b.sendUpdates(
                                    store,
                                    k,
                                    List.of(new UpdateOp.Add(token(thread + "-" + i + "-" + b.hashCode()), bytes("g"))),
                                    100_000);
                            assertThat(r.status()).isEqualTo(SendResult.Status.APPLIED);
                            ids.addAll(r.addedIds());
                        }
                        return ids;
                    }));
                }
            }
            Set<Long> all = new java.util.HashSet<>();
            for (Future<List<Long>> f : futures) {
                all.addAll(f.get());
            }
            int total = threads * senders.size() * each;
            assertThat(all).as("distinct ids").hasSize(total);
            StoredProfile r = backend.read(store, k);
            assertThat(r.updates()).hasSize(total);
            assertThat(r.updates()).extracting(PendingUpdate::id).containsExactlyInAnyOrderElementsOf(all);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("the same add sent twice at once (a retry racing its first try) is added once, and both answer its id")
    void sameTokenRacingItself() throws Exception {
        String k = key("race");
        add(backend, k, "first");
        Backend[] two = {open(), open()};
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                List<UpdateOp> send = List.of(new UpdateOp.Add(token("r" + round), bytes("r" + round)));
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
                List<Future<SendResult>> results = new ArrayList<>();
                for (Backend b : two) {
                    results.add(pool.submit(() -> {
                        start.await();
                        return b.sendUpdates(store, k, send, 1000);
                    }));
                }
                SendResult a = results.get(0).get(30, TimeUnit.SECONDS);
                SendResult b = results.get(1).get(30, TimeUnit.SECONDS);
                assertThat(a.status()).isEqualTo(SendResult.Status.APPLIED);
                assertThat(b.status()).isEqualTo(SendResult.Status.APPLIED);
                assertThat(a.addedIds()).as("round %d", round).isEqualTo(b.addedIds());
            }
            assertThat(backend.read(store, k).updates())
                    .as("first + one per round")
                    .hasSize(21);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName(
            "tokens of consumed updates are forgotten after TOKEN_RETENTION (judged on the store's clock), at a later save")
    void consumedTokensAreForgottenAfterTheRetention() {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                backend.leaseClock() == LeaseClock.SERVICE, "needs a clock the test can move an hour forward");
        String k = key("forget");
        backend.acquire(store, k, alice, -1, INITIAL);
        List<UpdateOp> send = List.of(new UpdateOp.Add(token("old"), bytes("x")));
        long id = backend.sendUpdates(store, k, send, 1000).addedIds().get(0);
        backend.save(store, k, consuming(1, "with-x", false, id, 1));
        serviceClock.advance(Backend.TOKEN_RETENTION.plusMinutes(1));
        backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("later"), false));
        assertThat(backend.sendUpdates(store, k, send, 1000).addedIds())
                .as("a new update now")
                .containsExactly(id + 1);
    }

    /** Adds one update with data {@code data} through {@code b}; returns its id. */
    protected long add(Backend b, String k, String data) {
        return add(b, store, k, data);
    }

    /** Adds one update with data {@code data} to {@code s}/{@code k} through {@code b}; returns its id. */
    protected long add(Backend b, String s, String k, String data) {
        SendResult r = b.sendUpdates(s, k, List.of(new UpdateOp.Add(token(data), bytes(data))), 100_000);
        assertThat(r.status()).as("add of %s", data).isEqualTo(SendResult.Status.APPLIED);
        return r.addedIds().get(0);
    }

    /** A token unique to this test and {@code name}, short enough for any name. */
    protected String token(String name) {
        return prefix + Integer.toHexString(name.hashCode()) + "-" + UUID.randomUUID();
    }

    /** A save by {@code alice} under {@code epoch} consuming {@code (id, version)} pairs. */
    protected SaveRequest consuming(long epoch, String payload, boolean release, long... idVersion) {
        List<SaveRequest.Consume> consume = new ArrayList<>();
        for (int i = 0; i < idVersion.length; i += 2) {
            consume.add(new SaveRequest.Consume(idVersion[i], idVersion[i + 1]));
        }
        return new SaveRequest(alice.serverId(), epoch, bytes(payload), release, consume);
    }

    // ---------------------------------------------------------------- servers

    @Test
    @DisplayName("heartbeat upserts a server row; server/servers read it; removeServer deletes it")
    void heartbeats() {
        String id = "srv-" + prefix + "hb";
        assertThat(backend.server(id)).isEmpty();
        backend.heartbeat(new Owner(id, "place-x", "job-x"), Duration.ofSeconds(60));
        Backend other = open();
        ServerLease first = other.server(id).orElseThrow();
        assertThat(first.serverId()).isEqualTo(id);
        assertThat(first.placeId()).isEqualTo("place-x");
        assertThat(first.jobId()).isEqualTo("job-x");
        assertThat(first.expiresInMillis()).isPositive().isLessThanOrEqualTo(60_000);
        backend.heartbeat(new Owner(id, "place-y", "job-y"), Duration.ofSeconds(120));
        ServerLease renewed = other.server(id).orElseThrow();
        assertThat(renewed.placeId()).as("the upsert replaces the row").isEqualTo("place-y");
        assertThat(renewed.jobId()).isEqualTo("job-y");
        assertThat(renewed.expiresInMillis()).as("renewed from the store's now").isGreaterThan(60_000);
        assertThat(admin(other).servers().stream().filter(l -> l.serverId().equals(id)))
                .hasSize(1);

        String id2 = "srv-" + prefix + "hb2";
        other.heartbeat(new Owner(id2, "p2", "j2"), Duration.ofSeconds(60));
        assertThat(admin(backend).servers()).extracting(ServerLease::serverId).contains(id, id2);

        backend.removeServer(id);
        assertThat(other.server(id)).isEmpty();
        assertThat(admin(other).servers())
                .extracting(ServerLease::serverId)
                .doesNotContain(id)
                .contains(id2);
        backend.removeServer(id); // removing twice is fine
        other.removeServer(id2);
        assertThat(backend.server(id2)).isEmpty();
    }

    @Test
    @DisplayName(
            "a lease is judged by the backend's lease clock alone: now + lease at the heartbeat, expiry - now at the read")
    void leaseJudgedByTheLeaseClock() {
        String id = "srv-" + prefix + "clock";
        Owner server = new Owner(id, "p", "j");
        Backend other = open();
        LeaseClock clock = backend.leaseClock();
        assertThat(clock).as("leaseClock()").isNotNull();
        if (clock == LeaseClock.SERVICE) {
            // the backend's injected clock, and nothing else, moves the lease
            backend.heartbeat(server, Duration.ofSeconds(30));
            assertThat(other.server(id).orElseThrow().expiresInMillis()).isEqualTo(30_000);
            serviceClock.advance(Duration.ofSeconds(31));
            assertThat(other.server(id).orElseThrow().expiresInMillis()).isEqualTo(-1_000);
            assertThat(other.server(id).orElseThrow().expiredFor(1_000)).isTrue();
            backend.heartbeat(server, Duration.ofSeconds(30));
            assertThat(other.server(id).orElseThrow().expiresInMillis()).isEqualTo(30_000);
            return;
        }
        // STORE or HOST: a real clock read inside the operation; the caller's clock plays no part
        long before = System.nanoTime();
        backend.heartbeat(server, Duration.ofSeconds(30));
        long expiresIn = other.server(id).orElseThrow().expiresInMillis();
        long elapsed = (System.nanoTime() - before) / 1_000_000;
        assertThat(expiresIn)
                .as("lease left right after a 30 s heartbeat, %d ms later", elapsed)
                .isBetween(30_000 - elapsed - CLOCK_TOLERANCE_MS, 30_000 + CLOCK_TOLERANCE_MS);

        long shortStart = System.nanoTime();
        backend.heartbeat(server, Duration.ofMillis(300));
        await("a 300 ms lease running out on the store's clock")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> other.server(id).orElseThrow().expiresInMillis() <= 0);
        assertThat((System.nanoTime() - shortStart) / 1_000_000)
                .as("real time until it ran out")
                .isGreaterThanOrEqualTo(300 - CLOCK_TOLERANCE_MS);
        backend.removeServer(id);
    }

    /** How far two readings of real clocks (the store's, this JVM's) may disagree in the lease tests. */
    private static final long CLOCK_TOLERANCE_MS = 50;

    // ---------------------------------------------------------------- quarantine

    @Test
    @DisplayName("quarantine adds a durable copy per call, counted per key, never touching the record")
    void quarantine() {
        String k = key("bad");
        backend.acquire(store, k, alice, -1, INITIAL);
        backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("garbage"), false));
        assertThat(admin(backend).quarantineCount(store, k)).isZero();
        backend.quarantine(store, k, bytes("garbage"), "cannot decode: test", 1_900_000_000_000L);
        assertThat(admin(open()).quarantineCount(store, k)).isEqualTo(1);
        backend.quarantine(store, k, bytes("garbage"), "same bytes again", 1_900_000_000_001L);
        backend.quarantine(store, k, new byte[] {0, (byte) 0xff, 1}, "binary", 1_900_000_000_002L);
        assertThat(admin(open()).quarantineCount(store, k)).isEqualTo(3);
        assertThat(admin(backend).quarantineCount(store, key("other"))).isZero();
        StoredProfile r = backend.read(store, k);
        assertThat(text(r.payload())).isEqualTo("garbage");
        assertThat(r.owner()).isEqualTo(alice);
        assertThat(r.epoch()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- forceRelease

    @Test
    @DisplayName("forceRelease clears the owner and bumps the epoch; the old owner's save is LOST_SESSION")
    void forceRelease() {
        String k = key("force");
        backend.acquire(store, k, alice, -1, INITIAL);
        backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("kept"), false));
        StoredProfile after = admin(open()).forceRelease(store, k);
        assertThat(after.owner()).isNull();
        assertThat(after.epoch()).isEqualTo(2);
        assertThat(text(after.payload())).isEqualTo("kept");
        SaveResult late = backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("late"), false));
        assertThat(late.status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        StoredProfile r = backend.read(store, k);
        assertThat(text(r.payload())).isEqualTo("kept");
        assertThat(r.owner()).isNull();
        assertThat(r.epoch()).isEqualTo(2);
        // a released record can be forced too: the epoch still grows
        assertThat(admin(backend).forceRelease(store, k).epoch()).isEqualTo(3);
        AcquireResult again = backend.acquire(store, k, bob, -1, INITIAL);
        assertThat(again.acquired()).isTrue();
        assertThat(again.record().epoch()).isEqualTo(4);
    }

    @Test
    @DisplayName("forceRelease of a missing record returns ABSENT and creates nothing")
    void forceReleaseMissing() {
        String k = key("nobody");
        StoredProfile r = admin(backend).forceRelease(store, k);
        assertThat(r.isEmpty()).isTrue();
        assertThat(r.epoch()).isZero();
        assertThat(r.owner()).isNull();
        assertThat(backend.read(store, k).isEmpty()).isTrue();
        assertThat(backend.read(store, k).epoch()).isZero();
    }

    // ---------------------------------------------------------------- delete

    @Test
    @DisplayName("delete removes the record, its pending updates and their tokens, and its quarantined copies")
    void delete() {
        String k = key("del");
        backend.acquire(store, k, alice, -1, INITIAL);
        backend.save(store, k, SaveRequest.of(alice.serverId(), 1, bytes("x"), false));
        List<UpdateOp> send = List.of(new UpdateOp.Add(token("gift"), bytes("gift")));
        backend.sendUpdates(store, k, send, 1000);
        backend.quarantine(store, k, bytes("old"), "test", 1L);
        assertThat(admin(open()).delete(store, k)).isTrue();
        StoredProfile r = backend.read(store, k);
        assertThat(r.isEmpty()).isTrue();
        assertThat(r.epoch()).isZero();
        assertThat(r.owner()).isNull();
        assertThat(r.updates()).isEmpty();
        assertThat(admin(backend).quarantineCount(store, k)).isZero();
        assertThat(admin(backend).delete(store, k)).isFalse();
        assertThat(admin(backend).delete(store, key("never"))).isFalse();
        // the key is usable again from scratch, and its old tokens are gone
        assertThat(backend.sendUpdates(store, k, send, 1000).addedIds()).containsExactly(1L);
        assertThat(backend.acquire(store, k, bob, -1, INITIAL).record().epoch()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- keys, sessions, stores

    @Test
    @DisplayName("keys pages through a store in ascending order")
    void keysPaging() {
        String s = uniqueStore("keys");
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            String k = String.format("k%02d", i);
            expected.add(k);
            if (i % 2 == 0) {
                backend.acquire(s, k, alice, -1, INITIAL);
            } else {
                add(backend, s, k, "g");
            }
        }
        // mixed case and punctuation, compared as Java strings (binary order)
        for (String k : List.of("A", "Z-9", "_x", "a.b")) {
            add(backend, s, k, "g");
            expected.add(k);
        }
        Collections.sort(expected);

        Backend other = open();
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        while (true) {
            List<String> page = admin(other).keys(s, after, 10);
            assertThat(page.size()).isLessThanOrEqualTo(10);
            if (page.isEmpty()) {
                break;
            }
            seen.addAll(page);
            after = page.get(page.size() - 1);
            pages++;
            assertThat(pages).as("paging must end").isLessThan(10);
        }
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(3);
        assertThat(admin(other).keys(s, null, 3)).containsExactlyElementsOf(expected.subList(0, 3));
        assertThat(admin(other).keys(s, "k05", 2)).containsExactly("k06", "k07");
        assertThat(admin(other).keys(s, "k055", 2))
                .as("afterKey need not exist")
                .containsExactly("k06", "k07");
        assertThat(admin(other).keys(s, expected.get(expected.size() - 1), 10)).isEmpty();
        assertThat(admin(other).keys(uniqueStore("empty"), null, 10)).isEmpty();
        admin(other).delete(s, "k00");
        assertThat(admin(other).keys(s, null, 1))
                .containsExactly(expected.get(0).equals("k00") ? expected.get(1) : expected.get(0));
    }

    @Test
    @DisplayName("sessions lists exactly the owned records of a store")
    void sessions() {
        String s = uniqueStore("sess");
        backend.acquire(s, "a", alice, -1, INITIAL);
        backend.acquire(s, "b", alice, -1, INITIAL);
        open().acquire(s, "c", bob, -1, INITIAL);
        add(backend, s, "d", "g");
        backend.save(s, "b", SaveRequest.of(alice.serverId(), 1, bytes("x"), true));
        open().acquire(s, "a", bob, 1, INITIAL); // steal: epoch 2

        List<SessionInfo> sessions = admin(open()).sessions(s);
        assertThat(sessions).containsExactlyInAnyOrder(new SessionInfo("a", 2, bob), new SessionInfo("c", 1, bob));
        assertThat(admin(open()).sessions(uniqueStore("none"))).isEmpty();
    }

    @Test
    @DisplayName("records of different stores never interact")
    void storesAreIsolated() {
        String s1 = uniqueStore("iso1");
        String s2 = uniqueStore("iso2");
        backend.acquire(s1, "k", alice, -1, INITIAL);
        backend.save(s1, "k", SaveRequest.of(alice.serverId(), 1, bytes("one"), false));
        backend.quarantine(s1, "k", bytes("q"), "test", 1L);

        assertThat(backend.read(s2, "k").isEmpty()).isTrue();
        AcquireResult a2 = open().acquire(s2, "k", bob, -1, INITIAL);
        assertThat(a2.acquired()).isTrue();
        assertThat(a2.record().epoch()).isEqualTo(1);
        assertThat(text(a2.record().payload())).isEqualTo("initial");
        assertThat(admin(backend).quarantineCount(s2, "k")).isZero();
        add(backend, s2, "k", "g2");
        assertThat(backend.read(s1, "k").updates()).isEmpty();
        assertThat(admin(backend).keys(s2, null, 10)).containsExactly("k");
        assertThat(admin(backend).sessions(s2)).containsExactly(new SessionInfo("k", 1, bob));

        assertThat(admin(backend).delete(s2, "k")).isTrue();
        assertThat(text(backend.read(s1, "k").payload())).isEqualTo("one");
        assertThat(admin(backend).quarantineCount(s1, "k")).isEqualTo(1);
        assertThat(admin(backend).forceRelease(s2, "k").isEmpty()).isTrue();
        assertThat(backend.read(s1, "k").owner()).isEqualTo(alice);
    }

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

    private static int count(List<String> trips, Runnable call) {
        trips.clear();
        call.run();
        return trips.size();
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

    /** The backend objects this test opened so far (closed after the test). */
    protected final List<Backend> openedBackends() {
        return Collections.unmodifiableList(opened);
    }
}
