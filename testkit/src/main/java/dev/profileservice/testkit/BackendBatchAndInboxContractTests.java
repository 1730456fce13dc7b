package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The backend contract's tests of batched saves and of the inbox: saveBatch (each item judged on its
 * own, across stores, in one round trip), sendUpdates (numbering, idempotent adds, conditional changes
 * and clears, the bound on pending updates, concurrent senders), readUpdates and token retention.
 *
 * <p>One layer of the contract: a backend module extends {@link BackendContractTest}, which runs
 * every layer; this class is not meant to be extended on its own.
 */
public abstract class BackendBatchAndInboxContractTests extends BackendRecordContractTests {

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
            items.add(new SaveItem(store, k, aliceSave(1, "v" + i)));
        }
        long g = add(open(), key("b1"), "gift");
        List<SaveResult> results = backend.saveBatch(items);
        assertThat(results).hasSize(n);
        Backend other = open();
        for (int i = 0; i < n; i++) {
            assertThat(results.get(i).status()).as("item " + i).isEqualTo(SaveResult.Status.SAVED);
            assertSession(results.get(i).record(), 1, alice);
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
                new SaveItem(store, ok, aliceSave(1, "ok")),
                new SaveItem(store, stolen, aliceSave(1, "late")),
                new SaveItem(store, missing, aliceSave(1, "ghost")),
                new SaveItem(store, stale, consuming(1, "stale", false, s1, 1)),
                new SaveItem(store, release, aliceRelease(1, "final")),
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
        assertSession(results.get(1).record(), 2, bob);
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
        assertUnowned(other.read(store, release), 1, "final");
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
                new SaveItem(store, k, aliceSave(1, "in-main")), new SaveItem(other, k, aliceRelease(1, "in-other"))));
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
            warm.add(new SaveItem(store, key("wb" + i), aliceSave(1, "w")));
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

    /** The round trips {@code call} costs, as reported to {@code trips}. */
    protected static int count(List<String> trips, Runnable call) {
        trips.clear();
        call.run();
        return trips.size();
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
        long[] ids = addAll(backend, k, "a", "b");
        long a = ids[0];
        long b = ids[1];
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
        long first = addAll(backend, k, "1", "2", "3")[0];
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
        String k = acquiredByAlice("fullowned");
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
        String k = savedByAlice("owned", "alice");
        SendResult r = open().sendUpdates(store, k, List.of(new UpdateOp.Add(token("g"), bytes("gift"))), 1000);
        assertThat(r.owner()).isEqualTo(alice);
        assertRecord(backend.read(store, k), 1, alice, "alice");
        assertThat(backend.save(store, k, aliceSave(1, "alice2")).status()).isEqualTo(SaveResult.Status.SAVED);
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
        String k = acquiredByAlice("forget");
        List<UpdateOp> send = List.of(new UpdateOp.Add(token("old"), bytes("x")));
        long id = backend.sendUpdates(store, k, send, 1000).addedIds().get(0);
        backend.save(store, k, consuming(1, "with-x", false, id, 1));
        serviceClock.advance(Backend.TOKEN_RETENTION.plusMinutes(1));
        backend.save(store, k, aliceSave(1, "later"));
        assertThat(backend.sendUpdates(store, k, send, 1000).addedIds())
                .as("a new update now")
                .containsExactly(id + 1);
    }
}
