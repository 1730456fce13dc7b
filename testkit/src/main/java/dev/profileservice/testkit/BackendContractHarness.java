package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.StoredProfile;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * What {@link BackendContractTest} runs on: the backend objects of a test (opened by {@link
 * #openBackend()}, closed after it), the store name and key prefix, the owners {@link #alice} and
 * {@link #bob}, the {@link #serviceClock} of backends whose lease clock is the service's, and the
 * settings a backend module may override ({@link #countsRoundTrips()}, {@link
 * #fuzzThreadsPerBackend()}, {@link #fuzzIterations()}).
 *
 * <p>One layer of the contract: a backend module extends {@link BackendContractTest}, which runs
 * every layer; this class is not meant to be extended on its own.
 */
public abstract class BackendContractHarness {

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

    /** The clock of backends whose lease clock is {@link LeaseClock#SERVICE} (see {@link BackendContractTest}). */
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

    /** The backend objects this test opened so far (closed after the test). */
    protected final List<Backend> openedBackends() {
        return Collections.unmodifiableList(opened);
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

    /** The UTF-8 bytes of {@code s}. */
    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code b} as UTF-8 text; null for null. */
    protected static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- fixtures

    /**
     * The key {@code name} of this test, acquired by {@link #alice} through {@link #backend} as a
     * first load does ({@code acquire(-1)} with {@link #INITIAL}): she holds it under epoch 1.
     */
    protected String acquiredByAlice(String name) {
        String k = key(name);
        backend.acquire(store, k, alice, -1, INITIAL);
        return k;
    }

    /**
     * The key {@code name}, acquired by {@link #alice} ({@link #acquiredByAlice}) and saved by her
     * with {@code payload}: she still holds it under epoch 1.
     */
    protected String savedByAlice(String name, String payload) {
        String k = acquiredByAlice(name);
        backend.save(store, k, aliceSave(1, payload));
        return k;
    }

    /** A plain save by {@link #alice} under {@code epoch}: writes {@code payload}, keeps her session, consumes nothing. */
    protected SaveRequest aliceSave(long epoch, String payload) {
        return SaveRequest.of(alice.serverId(), epoch, bytes(payload), false);
    }

    /** A releasing save by {@link #alice} under {@code epoch}: writes {@code payload} and ends her session. */
    protected SaveRequest aliceRelease(long epoch, String payload) {
        return SaveRequest.of(alice.serverId(), epoch, bytes(payload), true);
    }

    // ---------------------------------------------------------------- assertions

    /** Asserts that {@code r} is held by {@code owner} (null: by nobody) under {@code epoch}. */
    protected static void assertSession(StoredProfile r, long epoch, Owner owner) {
        assertThat(r.epoch()).as("epoch").isEqualTo(epoch);
        assertThat(r.owner()).as("owner").isEqualTo(owner);
    }

    /** {@link #assertSession}, and that the payload of {@code r} is the UTF-8 text {@code payload}. */
    protected static void assertRecord(StoredProfile r, long epoch, Owner owner, String payload) {
        assertSession(r, epoch, owner);
        assertThat(text(r.payload())).as("payload").isEqualTo(payload);
    }

    /** Asserts that {@code r} has no owner, under {@code epoch}, and the UTF-8 payload {@code payload}. */
    protected static void assertUnowned(StoredProfile r, long epoch, String payload) {
        assertRecord(r, epoch, null, payload);
    }

    /** Asserts that the acquire {@code a} succeeded, leaving the record held by {@code owner} under {@code epoch}. */
    protected static void assertAcquired(AcquireResult a, long epoch, Owner owner) {
        assertThat(a.acquired()).as("acquired").isTrue();
        assertSession(a.record(), epoch, owner);
    }

    /** Asserts that the acquire {@code a} was refused, naming the holder {@code owner} and its {@code epoch}. */
    protected static void assertNotAcquired(AcquireResult a, long epoch, Owner owner) {
        assertThat(a.acquired()).as("acquired").isFalse();
        assertSession(a.record(), epoch, owner);
    }

    /** Asserts that the save {@code s} answered {@code status}, with the record held by {@code owner} under {@code epoch}. */
    protected static void assertSaveResult(SaveResult s, SaveResult.Status status, long epoch, Owner owner) {
        assertThat(s.status()).as("status").isEqualTo(status);
        assertSession(s.record(), epoch, owner);
    }
}
