package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.VersionCause;
import dev.profileservice.spi.VersionHistory;
import dev.profileservice.spi.VersionPage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The backend contract of the version history ({@link VersionHistory}): revisions, versions kept in
 * the same atomic write as their save (no extra round trip), paging, pinning and pruning, the
 * overwrite, and erasure. Skipped for a store without {@link Backend#history()}.
 *
 * <p>One layer of the contract: a backend module extends {@link BackendContractTest}, which runs
 * every layer; this class is not meant to be extended on its own.
 */
public abstract class BackendHistoryContractTests extends BackendLeaseAndAdminContractTests {

    /** The history of {@code b}, or the test is skipped. */
    protected static VersionHistory history(Backend b) {
        Assumptions.assumeTrue(b.history().isPresent(), () -> b.describe() + " keeps no version history");
        return b.history().orElseThrow();
    }

    private List<StoredVersion> all(String k) {
        return history(backend).versions(store, k, VersionPage.oldestFirst(1000));
    }

    /** A save by alice (epoch 1) that keeps its payload as a version with {@code cause} (or none: null). */
    private SaveRequest save(String payload, VersionCause cause) {
        return new SaveRequest(alice.serverId(), 1, bytes(payload), false, List.of(), cause);
    }

    /**
     * A profile {@code name} that alice acquired ({@link #acquiredByAlice}) and then saved
     * {@code saves} times, with the payloads {@code p1}, {@code p2}, ... in turn (cause save): its key.
     */
    private String savedInTurn(String name, int saves) {
        String k = acquiredByAlice(name);
        for (int i = 1; i <= saves; i++) {
            backend.save(store, k, save("p" + i, VersionCause.SAVE));
        }
        return k;
    }

    @Test
    @DisplayName("every applied save grows the revision by one, kept or not; only the saves that say keepAs are kept,"
            + " with their payload, cause, writer, size and the revision the save answered")
    void savesGrowTheRevisionAndKeepWhatTheySay() {
        history(backend);
        String k = key("rev");
        StoredProfile acquired = backend.acquire(store, k, alice, -1, INITIAL).record();
        long start = acquired.revision();
        SaveResult first = backend.save(store, k, save("one", null));
        SaveResult second = backend.save(store, k, save("two", VersionCause.AUTO_SAVE));
        SaveResult third = backend.save(store, k, save("three", null));
        assertThat(List.of(first, second, third))
                .extracting(r -> r.record().revision())
                .containsExactly(start + 1, start + 2, start + 3);
        assertThat(backend.read(store, k).revision()).isEqualTo(start + 3);
        assertThat(backend.readUpdates(store, k).revision())
                .as("the owner's read of its session carries the revision too")
                .isEqualTo(start + 3);

        List<StoredVersion> kept = all(k);
        assertThat(kept).hasSize(1);
        StoredVersion v = kept.get(0);
        assertThat(v.revision()).isEqualTo(start + 2);
        assertThat(text(v.payload())).isEqualTo("two");
        assertThat(v.cause()).isEqualTo(VersionCause.AUTO_SAVE);
        assertThat(v.writer()).isEqualTo(alice);
        assertThat(v.size()).isEqualTo(3);
        assertThat(v.pinned()).isFalse();
        assertThat(history(backend).version(store, k, start + 2))
                .hasValueSatisfying(got -> assertThat(text(got.payload())).isEqualTo("two"));
        assertThat(history(backend).version(store, k, start + 1)).as("not kept").isEmpty();
    }

    @Test
    @DisplayName("a refused save keeps no version and leaves the revision as it was")
    void refusedSaveKeepsNoVersion() {
        history(backend);
        String k = acquiredByAlice("refused");
        backend.acquire(store, k, bob, 1, INITIAL); // the steal
        long before = backend.read(store, k).revision();
        SaveResult r = backend.save(store, k, save("late", VersionCause.RELEASE));
        assertThat(r.status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(all(k)).isEmpty();
        assertThat(backend.read(store, k).revision()).isEqualTo(before);
    }

    @Test
    @DisplayName("a release and a save that consumes updates keep their versions; the release names the owner it ended")
    void releaseAndConsumingSavesKeepVersions() {
        history(backend);
        String k = acquiredByAlice("consume");
        add(backend, k, "gift");
        PendingUpdate u = backend.readUpdates(store, k).updates().get(0);
        SaveRequest consuming = consuming(1, "locked", false, u.id(), u.version());
        SaveResult locked = backend.save(
                store,
                k,
                new SaveRequest(
                        alice.serverId(), 1, consuming.payload(), false, consuming.consume(), VersionCause.SAVE));
        assertThat(locked.status()).isEqualTo(SaveResult.Status.SAVED);
        SaveResult released = backend.save(
                store, k, new SaveRequest(alice.serverId(), 1, bytes("bye"), true, List.of(), VersionCause.RELEASE));
        assertThat(released.status()).isEqualTo(SaveResult.Status.SAVED);
        assertThat(all(k)).extracting(StoredVersion::cause).containsExactly(VersionCause.SAVE, VersionCause.RELEASE);
        assertThat(all(k)).extracting(v -> text(v.payload())).containsExactly("locked", "bye");
        assertThat(all(k).get(1).writer()).isEqualTo(alice);
        assertThat(all(k).get(1).revision()).isEqualTo(released.record().revision());
    }

    @Test
    @DisplayName("a saveBatch keeps the versions its items ask for, still in one round trip")
    void batchKeepsVersionsInTheSameRoundTrip() {
        history(backend);
        int n = Math.min(backend.maxBatchSize(), 8);
        Backend b = open();
        List<SaveItem> warm = new ArrayList<>();
        List<SaveItem> items = new ArrayList<>();
        for (int i = 0; i < Math.max(n, 2); i++) {
            b.acquire(store, key("hb" + i), alice, -1, INITIAL);
            warm.add(new SaveItem(store, key("hb" + i), SaveRequest.of(alice.serverId(), 1, bytes("w"), false)));
            items.add(new SaveItem(store, key("hb" + i), save("v" + i, i % 2 == 0 ? VersionCause.AUTO_SAVE : null)));
        }
        b.saveBatch(warm);
        List<String> trips = new CopyOnWriteArrayList<>();
        b.setRoundTripListener(trips::add);
        List<SaveResult> results = b.saveBatch(items);
        b.setRoundTripListener(null);
        assertThat(results).extracting(SaveResult::status).containsOnly(SaveResult.Status.SAVED);
        if (countsRoundTrips() && n > 1) {
            assertThat(trips)
                    .as("round trips of a batch of " + n + " saves, some kept")
                    .hasSize(1);
        }
        for (int i = 0; i < items.size(); i++) {
            List<StoredVersion> kept = all(key("hb" + i));
            if (i % 2 == 0) {
                assertThat(kept).as("item %d kept", i).hasSize(1);
                assertThat(text(kept.get(0).payload())).isEqualTo("v" + i);
                assertThat(kept.get(0).revision())
                        .isEqualTo(results.get(i).record().revision());
            } else {
                assertThat(kept).as("item %d not kept", i).isEmpty();
            }
        }
    }

    @Test
    @DisplayName("a plain save that keeps a version is one round trip, as one that does not")
    void keptSaveIsOneRoundTrip() {
        Assumptions.assumeTrue(countsRoundTrips(), "backend does not count round trips");
        history(backend);
        Backend b = open();
        String k = key("rt-kept");
        b.acquire(store, k, alice, -1, INITIAL);
        b.save(store, k, save("warm", VersionCause.SAVE));
        List<String> trips = new CopyOnWriteArrayList<>();
        b.setRoundTripListener(trips::add);
        b.save(store, k, save("kept", VersionCause.SAVE));
        b.setRoundTripListener(null);
        assertThat(trips).hasSize(1);
    }

    @Test
    @DisplayName("overwrite writes the payload as a kept version outside any session, ends the owner's session in the"
            + " same write (its saves are refused), clears the pending updates when asked, and never creates a record")
    void overwriteEndsTheSessionAndNeverCreates() {
        VersionHistory h = history(backend);
        String k = acquiredByAlice("over");
        backend.save(store, k, save("bad", null));
        add(backend, k, "gift");
        StoredProfile before = backend.read(store, k);

        StoredProfile after = h.overwrite(store, k, bytes("good"), false, VersionCause.OVERWRITE, null);
        assertThat(text(after.payload())).isEqualTo("good");
        assertThat(after.owner()).isNull();
        assertThat(after.epoch()).isEqualTo(before.epoch() + 1);
        assertThat(after.revision()).isEqualTo(before.revision() + 1);
        assertThat(backend.readUpdates(store, k).updates())
                .as("kept without clearUpdates")
                .hasSize(1);
        assertThat(backend.save(store, k, save("late", null)).status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        StoredVersion v = all(k).get(0);
        assertThat(v.cause()).isEqualTo(VersionCause.OVERWRITE);
        assertThat(v.writer()).isNull();
        assertThat(v.revision()).isEqualTo(after.revision());

        h.overwrite(store, k, bytes("clean"), true, VersionCause.ADMIN, null);
        assertThat(backend.readUpdates(store, k).updates()).as("cleared").isEmpty();
        assertThat(text(backend.read(store, k).payload())).isEqualTo("clean");

        assertThat(h.overwrite(store, key("absent"), bytes("x"), false, VersionCause.OVERWRITE, null))
                .isEqualTo(StoredProfile.ABSENT);
        assertThat(backend.read(store, key("absent")).isEmpty())
                .as("no record created")
                .isTrue();
        add(backend, key("giftonly"), "g");
        assertThat(h.overwrite(store, key("giftonly"), bytes("x"), false, VersionCause.OVERWRITE, null)
                        .payload())
                .as("a record holding only sent updates was never a profile")
                .isNull();
        assertThat(backend.read(store, key("giftonly")).payload()).isNull();
    }

    @Test
    @DisplayName("versions page by revision in either order, after a cursor, within time bounds by the store's clock")
    void versionsPageInOrderWithinBounds() {
        VersionHistory h = history(backend);
        String k = savedInTurn("page", 5);
        List<StoredVersion> every = all(k);
        assertThat(every).extracting(v -> text(v.payload())).containsExactly("p1", "p2", "p3", "p4", "p5");
        List<StoredVersion> page1 = h.versions(store, k, VersionPage.oldestFirst(2));
        List<StoredVersion> page2 = h.versions(
                store, k, VersionPage.oldestFirst(2).after(page1.get(1).revision()));
        assertThat(page1).extracting(v -> text(v.payload())).containsExactly("p1", "p2");
        assertThat(page2).extracting(v -> text(v.payload())).containsExactly("p3", "p4");
        List<StoredVersion> down = h.versions(store, k, VersionPage.newestFirst(2));
        List<StoredVersion> down2 = h.versions(
                store, k, VersionPage.newestFirst(10).after(down.get(1).revision()));
        assertThat(down).extracting(v -> text(v.payload())).containsExactly("p5", "p4");
        assertThat(down2).extracting(v -> text(v.payload())).containsExactly("p3", "p2", "p1");
        assertThat(every).extracting(StoredVersion::savedAtMillis).isSorted();

        long t = every.get(2).savedAtMillis();
        assertThat(h.versions(store, k, VersionPage.oldestFirst(10).between(t, t)))
                .as("only versions saved at that time")
                .isNotEmpty()
                .allSatisfy(v -> assertThat(v.savedAtMillis()).isEqualTo(t));
        assertThat(h.versions(
                        store,
                        k,
                        VersionPage.oldestFirst(10)
                                .between(Long.MIN_VALUE, every.get(0).savedAtMillis() - 1)))
                .isEmpty();
    }

    @Test
    @DisplayName("prune keeps the newest N and the pinned; by age it keeps the newest; delete erases every version")
    void prunePinAndDelete() {
        VersionHistory h = history(backend);
        String k = savedInTurn("prune", 6);
        long oldest = all(k).get(0).revision();
        assertThat(h.setPinned(store, k, oldest, true)).isTrue();
        assertThat(h.setPinned(store, k, oldest + 1000, true)).isFalse();
        assertThat(h.prune(store, k, 3, Duration.ZERO)).isEqualTo(2);
        assertThat(all(k)).extracting(v -> text(v.payload())).containsExactly("p1", "p4", "p5", "p6");
        assertThat(all(k).get(0).pinned()).isTrue();
        assertThat(h.prune(store, k, 0, Duration.ZERO)).as("no limits").isZero();

        assertThat(h.setPinned(store, k, oldest, false)).isTrue();
        assertThat(h.prune(store, k, 0, Duration.ofDays(1)))
                .as("all younger than a day")
                .isZero();
        await().untilAsserted(() -> {
            serviceClock.advance(Duration.ofMillis(2)); // for a store on the service's clock; real ones see time pass
            h.prune(store, k, 0, Duration.ofMillis(1));
            assertThat(all(k)).extracting(v -> text(v.payload())).containsExactly("p6");
        });

        admin(backend).delete(store, k);
        assertThat(all(k)).isEmpty();
        assertThat(h.version(store, k, oldest + 5)).as("the newest is gone too").isEmpty();
    }

    @Test
    @DisplayName("the index of user ids follows the saves that carry them (a save without them leaves it), the"
            + " overwrite, and the delete")
    void userIdIndexFollowsSavesOverwriteAndDelete() {
        history(backend);
        dev.profileservice.spi.BackendAdmin admin = admin(backend);
        String a = key("ua");
        String b = key("ub");
        long user = 7_000_000_000L + Math.abs(prefix.hashCode()); // unique to this test, beyond 32 bits
        for (String k : List.of(a, b)) {
            backend.acquire(store, k, alice, -1, INITIAL);
        }
        backend.save(
                store, a, new SaveRequest(alice.serverId(), 1, bytes("a"), false, List.of(), null, List.of(user, 5L)));
        backend.save(store, b, new SaveRequest(alice.serverId(), 1, bytes("b"), false, List.of(), null, List.of(user)));
        assertThat(admin.keysOfUser(store, user)).containsExactly(a, b);
        assertThat(admin.keysOfUser(store, 5L)).containsExactly(a);
        assertThat(admin.keysOfUser("ct_other_store", user)).as("per store").isEmpty();

        backend.save(store, b, save("b2", null));
        assertThat(admin.keysOfUser(store, user))
                .as("a save without ids leaves them")
                .containsExactly(a, b);
        backend.save(store, b, new SaveRequest(alice.serverId(), 1, bytes("b3"), false, List.of(), null, List.of()));
        assertThat(admin.keysOfUser(store, user)).as("removed from b").containsExactly(a);

        history(backend).overwrite(store, b, bytes("old"), false, VersionCause.OVERWRITE, List.of(user));
        assertThat(admin.keysOfUser(store, user))
                .as("the overwritten version's ids")
                .containsExactly(a, b);
        admin.delete(store, a);
        assertThat(admin.keysOfUser(store, user)).containsExactly(b);
        assertThat(admin.keysOfUser(store, 5L)).isEmpty();
    }

    private static org.awaitility.core.ConditionFactory await() {
        return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20));
    }
}
