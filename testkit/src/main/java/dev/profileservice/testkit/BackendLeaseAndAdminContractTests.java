package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.QuarantinedCopy;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.SessionInfo;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The backend contract's tests of server leases and administration: heartbeats and the lease clock,
 * quarantine, forceRelease, delete, key and store listing, sessions and the isolation of stores.
 *
 * <p>One layer of the contract: a backend module extends {@link BackendContractTest}, which runs
 * every layer; this class is not meant to be extended on its own.
 */
public abstract class BackendLeaseAndAdminContractTests extends BackendBatchAndInboxContractTests {

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
    @DisplayName(
            "quarantine adds a durable copy per call, counted and listed per key (oldest first, with reason and time), never touching the record")
    void quarantine() {
        String k = savedByAlice("bad", "garbage");
        assertThat(admin(backend).quarantineCount(store, k)).isZero();
        assertThat(admin(backend).quarantined(store, k)).isEmpty();
        backend.quarantine(store, k, bytes("garbage"), "cannot decode: test", 1_900_000_000_000L);
        assertThat(admin(open()).quarantineCount(store, k)).isEqualTo(1);
        backend.quarantine(store, k, bytes("garbage"), "same bytes again", 1_900_000_000_001L);
        backend.quarantine(store, k, new byte[] {0, (byte) 0xff, 1}, "binary", 1_900_000_000_002L);
        assertThat(admin(open()).quarantineCount(store, k)).isEqualTo(3);
        assertThat(admin(backend).quarantineCount(store, key("other"))).isZero();
        List<QuarantinedCopy> copies = admin(open()).quarantined(store, k);
        assertThat(copies)
                .extracting(QuarantinedCopy::reason)
                .containsExactly("cannot decode: test", "same bytes again", "binary");
        assertThat(copies)
                .extracting(QuarantinedCopy::atMillis)
                .containsExactly(1_900_000_000_000L, 1_900_000_000_001L, 1_900_000_000_002L);
        assertThat(copies.get(0).payload()).isEqualTo(bytes("garbage"));
        assertThat(copies.get(2).payload()).isEqualTo(new byte[] {0, (byte) 0xff, 1});
        assertThat(admin(backend).quarantined(store, key("other"))).isEmpty();
        assertRecord(backend.read(store, k), 1, alice, "garbage");
    }

    // ---------------------------------------------------------------- forceRelease

    @Test
    @DisplayName("forceRelease clears the owner and bumps the epoch; the old owner's save is LOST_SESSION")
    void forceRelease() {
        String k = savedByAlice("force", "kept");
        assertUnowned(admin(open()).forceRelease(store, k), 2, "kept");
        assertThat(backend.save(store, k, aliceSave(1, "late")).status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        assertUnowned(backend.read(store, k), 2, "kept");
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
        String k = savedByAlice("del", "x");
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
    @DisplayName("stores lists, in order, the stores that hold a record, and forgets one whose records are all deleted")
    void storesListing() {
        String held = uniqueStore("listed-a");
        String giftedOnly = uniqueStore("listed-b");
        String empty = uniqueStore("listed-none");
        backend.acquire(held, "k", alice, -1, INITIAL);
        add(backend, giftedOnly, "k", "g");
        backend.read(empty, "k"); // a read creates nothing

        List<String> stores = admin(open()).stores();
        assertThat(stores).contains(held, giftedOnly).doesNotContain(empty);
        assertThat(stores).isSorted();
        admin(backend).delete(giftedOnly, "k");
        assertThat(admin(open()).stores()).contains(held).doesNotContain(giftedOnly);
    }

    @Test
    @DisplayName("sessions lists exactly the owned records of a store")
    void sessions() {
        String s = uniqueStore("sess");
        backend.acquire(s, "a", alice, -1, INITIAL);
        backend.acquire(s, "b", alice, -1, INITIAL);
        open().acquire(s, "c", bob, -1, INITIAL);
        add(backend, s, "d", "g");
        backend.save(s, "b", aliceRelease(1, "x"));
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
        backend.save(s1, "k", aliceSave(1, "one"));
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
}
