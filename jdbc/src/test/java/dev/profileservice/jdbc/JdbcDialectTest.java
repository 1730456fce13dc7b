package dev.profileservice.jdbc;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.StoredProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What the testkit's contract does not look at: the tables and schema version each dialect creates,
 * byte-wise (case-sensitive) store and key names, the round trips of refused steps, the message
 * table being emptied, fast and masked failures at open, and the edges of {@code saveBatch}
 * (refused items, batches over the size and byte limits, duplicates, an empty new inbox).
 */
abstract class JdbcDialectTest {

    /** The payload a first load stores (the SPI needs one; these tests do not decode it). */
    protected static final byte[] INITIAL = "{\"initial\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    /** The store URI under test. */
    protected abstract String uri();

    /** Round trips of an acquire or save that is refused (the write plus, where needed, a SELECT). */
    protected abstract int refusedStepRoundTrips();

    /** Whether the bus is the polled table (messages are rows that must be deleted once consumed). */
    protected abstract boolean polledBus();

    /** The URI of the same kind of store at a port where nothing listens, with password "s3cr3t". */
    protected abstract String unreachableUriWithPassword();

    private final String run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final Owner alice = new Owner("dialect-alice-" + run, "p", "j");
    private final Owner bob = new Owner("dialect-bob-" + run, "p", "j");
    private final List<Backend> opened = new ArrayList<>();
    private Backend backend;

    @BeforeEach
    void open() {
        backend = Backends.open(uri());
        opened.add(backend);
    }

    @AfterEach
    void close() {
        opened.forEach(Backend::close);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void createsTheDocumentedTablesAtSchemaVersionOne() throws SQLException {
        try (Connection c = TestDatabases.jdbc(uri())) {
            try (PreparedStatement ps = c.prepareStatement("SELECT version FROM ps_schema WHERE component = 'profiles'");
                 ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("schema version row").isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            for (String sql : List.of(
                    "SELECT store, pkey, payload, epoch, owner_server, owner_place, owner_job, inbox, inbox_version, revision FROM ps_profiles WHERE 1 = 0",
                    "SELECT server_id, place_id, job_id, expires_at FROM ps_servers WHERE 1 = 0",
                    "SELECT id, store, pkey, payload, reason, at_millis FROM ps_quarantine WHERE 1 = 0",
                    "SELECT id, target, body, created_at FROM ps_messages WHERE 1 = 0")) {
                try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).as(sql).isFalse();
                }
            }
        }
    }

    @Test
    void storeAndKeyNamesAreCaseSensitive() {
        String upper = "Case_" + run;
        String lower = "case_" + run;
        backend.acquire(upper, "Key", alice, -1, INITIAL);
        backend.save(upper, "Key", SaveRequest.of(alice.serverId(), 1, bytes("upper store, upper key"), false));
        assertThat(backend.acquire(upper, "key", bob, -1, INITIAL).acquired()).as("key differing only in case is another record").isTrue();
        assertThat(backend.acquire(lower, "Key", bob, -1, INITIAL).acquired()).as("store differing only in case is another store").isTrue();
        assertThat(backend.read(lower, "Key").payload()).isEqualTo(INITIAL);
        assertThat(backend.read(upper, "Key").payload()).isEqualTo(bytes("upper store, upper key"));
        assertThat(BackendAdmin.of(backend).keys(upper, null, 10)).containsExactly("Key", "key");
        assertThat(BackendAdmin.of(backend).keys(lower, null, 10)).containsExactly("Key");
        BackendAdmin.of(backend).delete(upper, "Key");
        BackendAdmin.of(backend).delete(upper, "key");
        BackendAdmin.of(backend).delete(lower, "Key");
    }

    @Test
    void refusedStepsCostTheDocumentedRoundTrips() {
        String store = "rt_" + run;
        String key = "held";
        backend.acquire(store, key, alice, -1, INITIAL);
        List<String> trips = new CopyOnWriteArrayList<>();
        backend.setRoundTripListener(trips::add);

        var refused = backend.acquire(store, key, bob, -1, INITIAL);
        assertThat(refused.acquired()).isFalse();
        assertThat(refused.record().owner()).isEqualTo(alice);
        assertThat(trips).as("refused acquire").hasSize(refusedStepRoundTrips()).allMatch("acquire"::equals);

        trips.clear();
        SaveResult lost = backend.save(store, key, SaveRequest.of(bob.serverId(), 1, bytes("x"), false));
        assertThat(lost.status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(trips).as("refused save").hasSize(refusedStepRoundTrips()).allMatch("save"::equals);

        trips.clear();
        SaveResult changed = backend.save(store, key, new SaveRequest(alice.serverId(), 1, bytes("y"), false, 7, bytes("[]")));
        assertThat(changed.status()).isEqualTo(SaveResult.Status.INBOX_CHANGED);
        assertThat(trips).as("save with a stale inbox version").hasSize(refusedStepRoundTrips());

        trips.clear();
        assertThat(backend.acquire(store, key, bob, 1, INITIAL).acquired()).as("steal").isTrue();
        assertThat(trips).as("steal by epoch").hasSize(1);

        trips.clear();
        assertThat(backend.writeInbox(store, key, 5, bytes("g"))).as("stale inbox CAS").isEmpty();
        assertThat(trips).as("refused writeInbox").hasSize(1);

        trips.clear();
        StoredProfile released = BackendAdmin.of(backend).forceRelease(store, key);
        assertThat(released.owner()).isNull();
        assertThat(released.epoch()).isEqualTo(3);
        assertThat(trips).as("forceRelease").hasSize(1);
        backend.setRoundTripListener(null);
        BackendAdmin.of(backend).delete(store, key);
    }

    @Test
    void batchWithRefusedItemsCostsTheRefusedStepRoundTripsAndJudgesEach() {
        String store = "rb_" + run;
        backend.acquire(store, "ok", alice, -1, INITIAL);
        backend.acquire(store, "stolen", alice, -1, INITIAL);
        backend.acquire(store, "stale", alice, -1, INITIAL);
        backend.acquire(store, "empty-inbox", alice, -1, INITIAL);
        backend.acquire(store, "stolen", bob, 1, INITIAL);
        backend.writeInbox(store, "stale", 0, bytes("[g]"));
        List<String> trips = new CopyOnWriteArrayList<>();
        backend.setRoundTripListener(trips::add);
        List<SaveResult> results = backend.saveBatch(List.of(
                new SaveItem(store, "stolen", SaveRequest.of(alice.serverId(), 1, bytes("late"), false)),
                new SaveItem(store, "ok", SaveRequest.of(alice.serverId(), 1, bytes("ok"), true)),
                new SaveItem(store, "missing", SaveRequest.of(alice.serverId(), 1, bytes("ghost"), false)),
                new SaveItem(store, "stale", new SaveRequest(alice.serverId(), 1, bytes("stale"), false, 0, bytes("[]"))),
                new SaveItem(store, "empty-inbox", new SaveRequest(alice.serverId(), 1, bytes("e"), false, 0, new byte[0]))));
        backend.setRoundTripListener(null);
        assertThat(trips).as("a batch with refused items").hasSize(refusedStepRoundTrips()).allMatch("saveBatch"::equals);
        assertThat(results).extracting(SaveResult::status).containsExactly(SaveResult.Status.LOST_SESSION,
                SaveResult.Status.SAVED, SaveResult.Status.LOST_SESSION, SaveResult.Status.INBOX_CHANGED, SaveResult.Status.SAVED);
        assertThat(results.get(0).record().owner()).isEqualTo(bob);
        assertThat(results.get(0).record().epoch()).isEqualTo(2);
        assertThat(results.get(1).record().owner()).isNull();
        assertThat(results.get(2).record().isEmpty()).isTrue();
        assertThat(results.get(3).record().inbox()).isEqualTo(bytes("[g]"));
        assertThat(results.get(4).record().inbox()).as("an empty new inbox is written, not taken for none").isEmpty();
        assertThat(results.get(4).record().inboxVersion()).isEqualTo(1);
        assertThat(backend.read(store, "stolen").payload()).isEqualTo(INITIAL);
        assertThat(backend.read(store, "ok").payload()).isEqualTo(bytes("ok"));
        assertThat(backend.read(store, "missing").isEmpty()).isTrue();
        assertThat(backend.read(store, "stale").payload()).isEqualTo(INITIAL);
        for (String k : List.of("ok", "stolen", "stale", "empty-inbox")) {
            BackendAdmin.of(backend).delete(store, k);
        }
    }

    @Test
    void batchOverMaxBatchSizeIsSplitIntoChunksOfOneRoundTripEach() {
        String store = "big_" + run;
        int max = backend.maxBatchSize();
        assertThat(max).as("the JDBC backends batch").isGreaterThan(1);
        int n = 2 * max + 3;
        List<SaveItem> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String k = "k" + i;
            backend.acquire(store, k, alice, -1, INITIAL);
            items.add(new SaveItem(store, k, SaveRequest.of(alice.serverId(), 1, bytes("v" + i), i % 2 == 0)));
        }
        List<String> trips = new CopyOnWriteArrayList<>();
        backend.setRoundTripListener(trips::add);
        List<SaveResult> results = backend.saveBatch(items);
        backend.setRoundTripListener(null);
        assertThat(trips).as("round trips of a batch of " + n + " with maxBatchSize " + max).hasSize(3);
        assertThat(results).hasSize(n).extracting(SaveResult::status).containsOnly(SaveResult.Status.SAVED);
        for (int i = 0; i < n; i++) {
            assertThat(results.get(i).record().owner()).as("item " + i).isEqualTo(i % 2 == 0 ? null : alice);
            assertThat(backend.read(store, "k" + i).payload()).as("item " + i).isEqualTo(bytes("v" + i));
        }
        for (int i = 0; i < n; i++) {
            BackendAdmin.of(backend).delete(store, "k" + i);
        }
    }

    @Test
    @Timeout(120)
    void batchOfLargePayloadsIsCutByBytes() {
        // 5 x 4 MiB (the engine's default limit per profile) exceeds one MariaDB packet (16 MiB by
        // default) and the 16 MiB per statement the backends allow themselves
        String store = "large_" + run;
        List<SaveItem> items = new ArrayList<>();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 5; i++) {
            backend.acquire(store, "k" + i, alice, -1, INITIAL);
            byte[] payload = new byte[4 << 20];
            random.nextBytes(payload);
            items.add(new SaveItem(store, "k" + i, SaveRequest.of(alice.serverId(), 1, payload, false)));
        }
        List<String> trips = new CopyOnWriteArrayList<>();
        backend.setRoundTripListener(trips::add);
        List<SaveResult> results = backend.saveBatch(items);
        backend.setRoundTripListener(null);
        assertThat(results).extracting(SaveResult::status).containsOnly(SaveResult.Status.SAVED);
        assertThat(trips.size()).as("round trips: cut into several statements").isBetween(2, 5);
        for (int i = 0; i < 5; i++) {
            assertThat(backend.read(store, "k" + i).payload()).as("item " + i).isEqualTo(items.get(i).request().payload());
            BackendAdmin.of(backend).delete(store, "k" + i);
        }
    }

    @Test
    void batchWithARecordTwiceIsRejectedBeforeAnythingIsWritten() {
        String store = "dup_" + run;
        backend.acquire(store, "a", alice, -1, INITIAL);
        backend.acquire(store, "b", alice, -1, INITIAL);
        assertThatThrownBy(() -> backend.saveBatch(List.of(
                new SaveItem(store, "a", SaveRequest.of(alice.serverId(), 1, bytes("1"), false)),
                new SaveItem(store, "b", SaveRequest.of(alice.serverId(), 1, bytes("2"), false)),
                new SaveItem(store, "a", SaveRequest.of(alice.serverId(), 1, bytes("3"), false)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(store + "/a").hasMessageContaining("items 0 and 2");
        assertThat(backend.read(store, "a").payload()).isEqualTo(INITIAL);
        assertThat(backend.read(store, "b").payload()).isEqualTo(INITIAL);
        BackendAdmin.of(backend).delete(store, "a");
        BackendAdmin.of(backend).delete(store, "b");
    }

    @Test
    @Timeout(30)
    void consumedMessagesLeaveNoRows() throws SQLException {
        MessageBus bus = backend.messageBus().orElseThrow();
        String server = "bus-" + run;
        List<String> got = new CopyOnWriteArrayList<>();
        bus.subscribe(server, got::add);
        Backend other = Backends.open(uri());
        opened.add(other);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (got.size() >= 3) {
                return true;
            }
            other.messageBus().orElseThrow().publish(server, "m" + got.size());
            return false;
        });
        if (polledBus()) {
            try (Connection c = TestDatabases.jdbc(uri())) {
                await("consumed rows deleted").atMost(Duration.ofSeconds(5)).until(() -> {
                    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM ps_messages WHERE target = ?")) {
                        ps.setString(1, server);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            return rs.getInt(1) == 0;
                        }
                    }
                });
            }
        }
        assertThat(got).allMatch(m -> m.startsWith("m"));
    }

    @Test
    @Timeout(30)
    void unreachableStoreFailsFastWithThePasswordMasked() {
        String uri = unreachableUriWithPassword();
        long start = System.nanoTime();
        assertThatThrownBy(() -> Backends.open(uri))
                .isInstanceOf(BackendException.class)
                .satisfies(e -> {
                    assertThat(e.getMessage()).contains("****").doesNotContain("s3cr3t");
                    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                        assertThat(String.valueOf(c.getMessage())).doesNotContain("s3cr3t");
                    }
                    assertThat(((BackendException) e).isTransient()).as("unreachable is transient").isTrue();
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }
}
