package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.SessionInfo;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The backend contract's tests of one record and its session: read, acquire (create, hold, steal by
 * epoch), saves fenced by server and epoch, release, and saves that consume pending updates.
 *
 * <p>One layer of the contract: a backend module extends {@link BackendContractTest}, which runs
 * every layer; this class is not meant to be extended on its own.
 */
public abstract class BackendRecordContractTests extends BackendContractHarness {

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
        assertAcquired(a, 1, alice);
        assertThat(text(a.record().payload())).isEqualTo("initial");
        StoredProfile r = open().read(store, k);
        assertSession(r, 1, alice);
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
        String k = acquiredByAlice("held");
        Backend other = open();
        assertNotAcquired(other.acquire(store, k, bob, -1, INITIAL), 1, alice);
        assertSession(other.read(store, k), 1, alice);
        // even the owner itself cannot acquire(-1) twice
        assertThat(backend.acquire(store, k, alice, -1, INITIAL).acquired()).isFalse();
        assertThat(backend.read(store, k).epoch()).isEqualTo(1);
    }

    @Test
    @DisplayName("acquire(expectedEpoch) steals when the epoch matches and fails (no change) when it does not")
    void stealByExpectedEpoch() {
        String k = savedByAlice("steal", "alice-data");
        Backend other = open();

        AcquireResult wrong = other.acquire(store, k, bob, 7, INITIAL);
        assertThat(wrong.acquired()).isFalse();
        assertThat(wrong.record().owner()).isEqualTo(alice);
        assertThat(other.read(store, k).epoch()).isEqualTo(1);

        AcquireResult steal = other.acquire(store, k, bob, 1, INITIAL);
        assertAcquired(steal, 2, bob);
        assertThat(text(steal.record().payload()))
                .as("payload untouched by acquire")
                .isEqualTo("alice-data");

        assertNotAcquired(backend.acquire(store, k, alice, 1, INITIAL), 2, bob);
        assertThat(backend.read(store, k).owner()).isEqualTo(bob);
    }

    @Test
    @DisplayName(
            "acquire keeps payload and pending updates (a record with only updates gets the initial payload), and increments the epoch")
    void acquireKeepsPayloadAndUpdates() {
        String k = key("keep");
        long g = add(backend, k, "gift");
        AcquireResult a = backend.acquire(store, k, alice, -1, INITIAL);
        assertAcquiredKeeping(a, 1, "initial", "never loaded before: created by this load", g);
        assertThat(text(a.record().updates().get(0).data())).isEqualTo("gift");
        assertThat(a.record().updateSeq()).isEqualTo(g);
        assertThat(backend.save(store, k, aliceRelease(1, "p1")).status()).isEqualTo(SaveResult.Status.SAVED);

        AcquireResult b = open().acquire(store, k, bob, -1, bytes("other-initial"));
        assertAcquiredKeeping(b, 2, "p1", "an existing payload wins over the initial one", g);
    }

    /**
     * Asserts that {@code a} acquired the record under {@code epoch} with the payload {@code payload}
     * ({@code why}) and the one pending update {@code updateId}.
     */
    private static void assertAcquiredKeeping(AcquireResult a, long epoch, String payload, String why, long updateId) {
        assertThat(a.acquired()).isTrue();
        assertThat(a.record().epoch()).isEqualTo(epoch);
        assertThat(text(a.record().payload())).as(why).isEqualTo(payload);
        assertThat(a.record().updates()).extracting(PendingUpdate::id).containsExactly(updateId);
    }

    @Test
    @DisplayName("steal of a released record with its epoch works like acquire(-1)")
    void stealOfReleasedRecord() {
        String k = acquiredByAlice("relsteal");
        backend.save(store, k, aliceRelease(1, "x"));
        assertAcquired(open().acquire(store, k, bob, 1, INITIAL), 2, bob);
    }

    // ---------------------------------------------------------------- save

    @Test
    @DisplayName("save by the owner writes the payload; the owner stays")
    void saveByOwner() {
        String k = acquiredByAlice("save");
        assertSaveResult(backend.save(store, k, aliceSave(1, "v1")), SaveResult.Status.SAVED, 1, alice);
        assertRecord(open().read(store, k), 1, alice, "v1");
        assertThat(backend.save(store, k, aliceSave(1, "v2")).status()).isEqualTo(SaveResult.Status.SAVED);
        assertThat(text(backend.read(store, k).payload())).isEqualTo("v2");
    }

    @Test
    @DisplayName("save with a wrong epoch or a wrong server is LOST_SESSION and writes nothing")
    void fencedSave() {
        String k = savedByAlice("fence", "good");

        assertThat(backend.save(store, k, aliceSave(2, "bad1")).status())
                .as("wrong epoch")
                .isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(backend.save(store, k, aliceSave(0, "bad2")).status())
                .as("older epoch")
                .isEqualTo(SaveResult.Status.LOST_SESSION);
        SaveResult wrongServer = open().save(store, k, SaveRequest.of(bob.serverId(), 1, bytes("bad3"), false));
        assertThat(wrongServer.status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(wrongServer.record().owner()).isEqualTo(alice);
        assertThat(open().save(store, k, SaveRequest.of(bob.serverId(), 1, bytes("bad4"), true))
                        .status())
                .as("wrong server, releasing")
                .isEqualTo(SaveResult.Status.LOST_SESSION);

        assertRecord(backend.read(store, k), 1, alice, "good");
    }

    @Test
    @DisplayName("after a steal the old owner's save is LOST_SESSION, naming the new owner and epoch")
    void saveAfterStealIsRefused() {
        String k = acquiredByAlice("late");
        Backend other = open();
        other.acquire(store, k, bob, 1, INITIAL);
        other.save(store, k, SaveRequest.of(bob.serverId(), 2, bytes("bob"), false));
        SaveResult late = backend.save(store, k, aliceSave(1, "alice-late"));
        assertSaveResult(late, SaveResult.Status.LOST_SESSION, 2, bob);
        assertThat(text(backend.read(store, k).payload())).isEqualTo("bob");
    }

    @Test
    @DisplayName("save of a record that does not exist is LOST_SESSION and creates nothing")
    void saveOfMissingRecord() {
        String k = key("ghost");
        assertThat(backend.save(store, k, aliceSave(0, "x")).status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(backend.save(store, k, aliceRelease(1, "x")).status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(backend.read(store, k).isEmpty()).isTrue();
        assertThat(backend.read(store, k).owner()).isNull();
    }

    @Test
    @DisplayName("save with release clears the owner, keeps the epoch; later saves are LOST_SESSION")
    void releaseClearsOwnerKeepsEpoch() {
        String k = acquiredByAlice("release");
        assertSaveResult(backend.save(store, k, aliceRelease(1, "final")), SaveResult.Status.SAVED, 1, null);
        assertUnowned(open().read(store, k), 1, "final");

        assertThat(backend.save(store, k, aliceSave(1, "after")).status())
                .as("a save after the release")
                .isEqualTo(SaveResult.Status.LOST_SESSION);
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
        String k = acquiredByAlice("plain");
        long g = add(open(), k, "gift-1");
        SaveResult s = backend.save(store, k, aliceSave(1, "data"));
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
        String k = acquiredByAlice("consume");
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
        String k = acquiredByAlice("order");
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
        String k = acquiredByAlice("tokens");
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

    /** Adds one update with data {@code data} through {@code b}; returns its id. */
    protected long add(Backend b, String k, String data) {
        return add(b, store, k, data);
    }

    /** Adds one update per element of {@code data}, in order, through {@code b}; returns their ids. */
    protected long[] addAll(Backend b, String k, String... data) {
        long[] ids = new long[data.length];
        for (int i = 0; i < data.length; i++) {
            ids[i] = add(b, k, data[i]);
        }
        return ids;
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
}
