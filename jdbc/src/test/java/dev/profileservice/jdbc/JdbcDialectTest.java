package dev.profileservice.jdbc;

import static dev.profileservice.spi.SaveResult.Status.LOST_SESSION;
import static dev.profileservice.spi.SaveResult.Status.SAVED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

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
import dev.profileservice.spi.UpdateOp;
import dev.profileservice.testkit.LayoutOneUpgradeChecks;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the testkit's contract does not look at: the tables and schema version each dialect creates,
 * byte-wise (case-sensitive) store and key names, the round trips of refused steps, the message
 * table being emptied, fast and masked failures at open, and the edges of {@code saveBatch}
 * (refused items, batches over the size and byte limits, duplicates), and the in-place upgrade of
 * layout-1 tables.
 */
abstract class JdbcDialectTest {

    /** The payload a first load stores (the SPI needs one; these tests do not decode it). */
    protected static final byte[] INITIAL = "{\"initial\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    /**
     * What differs between the dialects here.
     *
     * @param uri                   the store URI under test
     * @param refusedStepRoundTrips round trips of an acquire or save that is refused (the write plus, where needed, a SELECT)
     * @param polledBus             whether the bus is the polled table (messages are rows that must be deleted once consumed)
     * @param layoutOneScript       the name of the dialect's layout-1 script under {@code layout1/} in the test resources
     */
    record Dialect(String uri, int refusedStepRoundTrips, boolean polledBus, String layoutOneScript) {}

    private final Dialect dialect;

    JdbcDialectTest(Dialect dialect) {
        this.dialect = dialect;
    }

    /** The store URI under test. */
    protected String uri() {
        return dialect.uri();
    }

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
    void createsTheDocumentedTablesAtLayoutThree() throws SQLException {
        try (Connection c = TestDatabases.jdbc(uri())) {
            try (PreparedStatement ps =
                            c.prepareStatement("SELECT version FROM ps_schema WHERE component = 'profiles'");
                    ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("schema version row").isTrue();
                assertThat(rs.getInt(1)).isEqualTo(3);
            }
            for (String sql : List.of(
                    "SELECT store, pkey, payload, epoch, owner_server, owner_place, owner_job, update_seq, update_pending, revision, keep_as, user_ids_set FROM ps_profiles WHERE 1 = 0",
                    "SELECT store, user_id, pkey FROM ps_user_ids WHERE 1 = 0",
                    "SELECT store, pkey, revision, saved_at, cause, writer_server, writer_place, writer_job, payload_size,"
                            + " pinned, payload FROM ps_versions WHERE 1 = 0",
                    "SELECT store, pkey, id, version, token, data, consumed_at FROM ps_updates WHERE 1 = 0",
                    "SELECT server_id, place_id, job_id, expires_at FROM ps_servers WHERE 1 = 0",
                    "SELECT id, store, pkey, payload, reason, at_millis FROM ps_quarantine WHERE 1 = 0",
                    "SELECT id, target, body, created_at FROM ps_messages WHERE 1 = 0")) {
                try (PreparedStatement ps = c.prepareStatement(sql);
                        ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).as(sql).isFalse();
                }
            }
        }
    }

    @Test
    void upgradesLayoutOneTablesInPlaceOnceAndRefusesANewerLayout() throws Exception {
        String name = "ps_upgrade_" + run;
        String db = TestDatabases.createDatabase(uri(), name);
        byte[] gifted = bytes("{\"v\":1,\"locked\":[{\"id\":1,\"data\":{}}],\"data\":{}}");
        try {
            try (Connection c = TestDatabases.jdbc(db)) {
                String script = new String(
                                getClass()
                                        .getResourceAsStream("/layout1/" + dialect.layoutOneScript())
                                        .readAllBytes(),
                                StandardCharsets.UTF_8)
                        .replaceAll("(?m)^--.*$", "");
                for (String sql : script.split(";\\s*\\n")) {
                    try (java.sql.Statement st = c.createStatement()) {
                        st.execute(sql.strip());
                    }
                }
                String insert =
                        "INSERT INTO ps_profiles (store, pkey, payload, epoch, inbox, inbox_version) VALUES ('S', ?, ?, 2, ?, 3)";
                for (Object[] row : List.<Object[]>of(
                        new Object[] {
                            "gifted",
                            gifted,
                            "{\"v\":1,\"next\":4,\"active\":[{\"id\":2,\"data\":{\"coins\":5}},"
                                    + "{\"id\":3,\"data\":{\"gem\":\"x\"}}]}"
                        },
                        new Object[] {
                            "locked-above-next",
                            bytes("{\"locked\":[{\"id\":7,\"data\":{}}]}"),
                            "{\"v\":1,\"next\":5,\"active\":[]}"
                        },
                        new Object[] {"broken", bytes("p"), "not json"},
                        new Object[] {"plain", bytes("p"), null})) {
                    try (PreparedStatement ps = c.prepareStatement(insert)) {
                        ps.setString(1, (String) row[0]);
                        ps.setBytes(2, (byte[]) row[1]);
                        ps.setBytes(3, row[2] == null ? null : bytes((String) row[2]));
                        ps.executeUpdate();
                    }
                }
            }
            Backend upgraded = Backends.open(db);
            opened.add(upgraded);
            LayoutOneUpgradeChecks.assertInboxesMoved(upgraded, gifted);
            assertThat(upgraded.read("S", "plain").updateSeq()).isZero();
            upgraded.close();

            Backend again = Backends.open(db);
            opened.add(again);
            LayoutOneUpgradeChecks.assertSecondStartChangesNothing(again);
            again.close();
            try (Connection c = TestDatabases.jdbc(db)) {
                try (ResultSet rs =
                        c.getMetaData().getColumns(c.getCatalog(), c.getSchema(), "ps_profiles", "inbox%")) {
                    assertThat(rs.next()).as("the layout-1 columns are dropped").isFalse();
                }
                try (java.sql.Statement st = c.createStatement()) {
                    st.executeUpdate("UPDATE ps_schema SET version = 4 WHERE component = 'profiles'");
                }
            }
            LayoutOneUpgradeChecks.assertNewerLayoutRefused(() -> Backends.open(db), 4, 3);
        } finally {
            opened.forEach(Backend::close);
            opened.clear();
            TestDatabases.dropDatabase(uri(), name);
        }
    }

    @Test
    void upgradesLayoutTwoToTheVersionHistoryKeepingEveryRecord() throws Exception {
        String name = "ps_upgrade3_" + run;
        String db = TestDatabases.createDatabase(uri(), name);
        try {
            Backend before = Backends.open(db);
            opened.add(before);
            before.acquire("S", "k", alice, -1, INITIAL);
            assertThat(before.save("S", "k", SaveRequest.of(alice.serverId(), 1, bytes("saved"), false))
                            .status())
                    .isEqualTo(SAVED);
            before.sendUpdates("S", "k", List.of(new UpdateOp.Add("t1", bytes("{}"))), 100);
            StoredProfile was = before.read("S", "k");
            before.close();
            try (Connection c = TestDatabases.jdbc(db);
                    java.sql.Statement st = c.createStatement()) {
                // back to layout 2 exactly: layout 3 only added the triggers, two tables and two columns
                st.execute(
                        uri().startsWith("postgresql")
                                ? "DROP TRIGGER ps_profiles_keep_version ON ps_profiles"
                                : "DROP TRIGGER ps_profiles_keep_version");
                st.execute("DROP TRIGGER IF EXISTS ps_profiles_user_ids"
                        + (uri().startsWith("postgresql") ? " ON ps_profiles" : ""));
                st.execute("DROP TABLE ps_versions");
                st.execute("DROP TABLE ps_user_ids");
                st.execute("ALTER TABLE ps_profiles DROP COLUMN keep_as");
                st.execute("ALTER TABLE ps_profiles DROP COLUMN user_ids_set");
                st.executeUpdate("UPDATE ps_schema SET version = 2 WHERE component = 'profiles'");
            }

            Backend upgraded = Backends.open(db);
            opened.add(upgraded);
            StoredProfile now = upgraded.read("S", "k");
            assertThat(now.payload()).isEqualTo(bytes("saved"));
            assertThat(now.owner()).isEqualTo(alice);
            assertThat(now.epoch()).isEqualTo(was.epoch());
            assertThat(now.revision()).isEqualTo(was.revision());
            assertThat(now.updates()).hasSize(1);
            SaveResult kept = upgraded.save(
                    "S",
                    "k",
                    new SaveRequest(
                            alice.serverId(),
                            1,
                            bytes("kept"),
                            true,
                            List.of(),
                            dev.profileservice.spi.VersionCause.RELEASE,
                            List.of(42L)));
            assertThat(kept.status()).isEqualTo(SAVED);
            assertThat(upgraded.history()
                            .orElseThrow()
                            .version("S", "k", kept.record().revision()))
                    .as("the history works on the upgraded tables")
                    .hasValueSatisfying(v -> assertThat(v.payload()).isEqualTo(bytes("kept")));
            assertThat(BackendAdmin.of(upgraded).keysOfUser("S", 42L))
                    .as("the index of user ids works on the upgraded tables")
                    .containsExactly("k");
            try (Connection c = TestDatabases.jdbc(db);
                    PreparedStatement ps =
                            c.prepareStatement("SELECT version FROM ps_schema WHERE component = 'profiles'");
                    ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(3);
            }
        } finally {
            opened.forEach(Backend::close);
            opened.clear();
            TestDatabases.dropDatabase(uri(), name);
        }
    }

    @Test
    void storeAndKeyNamesAreCaseSensitive() {
        String upper = "Case_" + run;
        String lower = "case_" + run;
        backend.acquire(upper, "Key", alice, -1, INITIAL);
        backend.save(upper, "Key", SaveRequest.of(alice.serverId(), 1, bytes("upper store, upper key"), false));
        assertThat(backend.acquire(upper, "key", bob, -1, INITIAL).acquired())
                .as("key differing only in case is another record")
                .isTrue();
        assertThat(backend.acquire(lower, "Key", bob, -1, INITIAL).acquired())
                .as("store differing only in case is another store")
                .isTrue();
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
        assertThat(trips)
                .as("refused acquire")
                .hasSize(dialect.refusedStepRoundTrips())
                .allMatch("acquire"::equals);

        trips.clear();
        SaveResult lost = backend.save(store, key, SaveRequest.of(bob.serverId(), 1, bytes("x"), false));
        assertThat(lost.status()).isEqualTo(LOST_SESSION);
        assertThat(trips)
                .as("refused save")
                .hasSize(dialect.refusedStepRoundTrips())
                .allMatch("save"::equals);

        trips.clear();
        assertThat(backend.acquire(store, key, bob, 1, INITIAL).acquired())
                .as("steal")
                .isTrue();
        assertThat(trips).as("steal by epoch").hasSize(1);

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
        backend.acquire(store, "stolen", bob, 1, INITIAL);
        List<String> trips = new CopyOnWriteArrayList<>();
        backend.setRoundTripListener(trips::add);
        List<SaveResult> results = backend.saveBatch(List.of(
                new SaveItem(store, "stolen", SaveRequest.of(alice.serverId(), 1, bytes("late"), false)),
                new SaveItem(store, "ok", SaveRequest.of(alice.serverId(), 1, bytes("ok"), true)),
                new SaveItem(store, "missing", SaveRequest.of(alice.serverId(), 1, bytes("ghost"), false)),
                new SaveItem(store, "stale", SaveRequest.of(alice.serverId(), 1, bytes("stale"), false))));
        backend.setRoundTripListener(null);
        assertThat(trips)
                .as("a batch with refused items")
                .hasSize(dialect.refusedStepRoundTrips())
                .allMatch("saveBatch"::equals);
        assertThat(results).extracting(SaveResult::status).containsExactly(LOST_SESSION, SAVED, LOST_SESSION, SAVED);
        assertThat(results.get(0).record().owner()).isEqualTo(bob);
        assertThat(results.get(0).record().epoch()).isEqualTo(2);
        assertThat(results.get(1).record().owner()).isNull();
        assertThat(results.get(2).record().isEmpty()).isTrue();
        assertThat(backend.read(store, "stolen").payload()).isEqualTo(INITIAL);
        assertThat(backend.read(store, "ok").payload()).isEqualTo(bytes("ok"));
        assertThat(backend.read(store, "missing").isEmpty()).isTrue();
        assertThat(backend.read(store, "stale").payload()).isEqualTo(bytes("stale"));
        for (String k : List.of("ok", "stolen", "stale")) {
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
        assertThat(trips)
                .as("round trips of a batch of " + n + " with maxBatchSize " + max)
                .hasSize(3);
        assertThat(results).hasSize(n).extracting(SaveResult::status).containsOnly(SAVED);
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
        assertThat(results).extracting(SaveResult::status).containsOnly(SAVED);
        assertThat(trips.size()).as("round trips: cut into several statements").isBetween(2, 5);
        for (int i = 0; i < 5; i++) {
            assertThat(backend.read(store, "k" + i).payload())
                    .as("item " + i)
                    .isEqualTo(items.get(i).request().payload());
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
                .hasMessageContaining(store + "/a")
                .hasMessageContaining("items 0 and 2");
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
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (got.size() >= 3) {
                        return true;
                    }
                    other.messageBus().orElseThrow().publish(server, "m" + got.size());
                    return false;
                });
        if (dialect.polledBus()) {
            try (Connection c = TestDatabases.jdbc(uri())) {
                await("consumed rows deleted").atMost(Duration.ofSeconds(5)).until(() -> {
                    try (PreparedStatement ps =
                            c.prepareStatement("SELECT COUNT(*) FROM ps_messages WHERE target = ?")) {
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
                    assertThat(((BackendException) e).isTransient())
                            .as("unreachable is transient")
                            .isTrue();
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }
}
