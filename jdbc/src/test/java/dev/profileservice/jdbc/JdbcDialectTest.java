package dev.profileservice.jdbc;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
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
 * table being emptied, fast and masked failures at open.
 */
abstract class JdbcDialectTest {
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
        backend.acquire(upper, "Key", alice, -1);
        backend.save(upper, "Key", SaveRequest.of(alice.serverId(), 1, bytes("upper store, upper key"), false));
        assertThat(backend.acquire(upper, "key", bob, -1).acquired()).as("key differing only in case is another record").isTrue();
        assertThat(backend.acquire(lower, "Key", bob, -1).acquired()).as("store differing only in case is another store").isTrue();
        assertThat(backend.read(lower, "Key").payload()).isNull();
        assertThat(backend.read(upper, "Key").payload()).isEqualTo(bytes("upper store, upper key"));
        assertThat(backend.keys(upper, null, 10)).containsExactly("Key", "key");
        assertThat(backend.keys(lower, null, 10)).containsExactly("Key");
        backend.delete(upper, "Key");
        backend.delete(upper, "key");
        backend.delete(lower, "Key");
    }

    @Test
    void refusedStepsCostTheDocumentedRoundTrips() {
        String store = "rt_" + run;
        String key = "held";
        backend.acquire(store, key, alice, -1);
        List<String> trips = new CopyOnWriteArrayList<>();
        backend.setRoundTripListener(trips::add);

        var refused = backend.acquire(store, key, bob, -1);
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
        assertThat(backend.acquire(store, key, bob, 1).acquired()).as("steal").isTrue();
        assertThat(trips).as("steal by epoch").hasSize(1);

        trips.clear();
        assertThat(backend.writeInbox(store, key, 5, bytes("g"))).as("stale inbox CAS").isEmpty();
        assertThat(trips).as("refused writeInbox").hasSize(1);

        trips.clear();
        StoredProfile released = backend.forceRelease(store, key);
        assertThat(released.owner()).isNull();
        assertThat(released.epoch()).isEqualTo(3);
        assertThat(trips).as("forceRelease").hasSize(1);
        backend.setRoundTripListener(null);
        backend.delete(store, key);
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
