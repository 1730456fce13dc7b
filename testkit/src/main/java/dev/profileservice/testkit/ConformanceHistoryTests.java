package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.profileservice.Profile;
import dev.profileservice.ProfileVersionQuery;
import dev.profileservice.SortDirection;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.VersionCause;
import dev.profileservice.spi.VersionHistory;
import dev.profileservice.spi.VersionPage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite's tests of the version history (API.md: {@code KeyInfo}, {@code viewProfile(key,
 * version)}, {@code profileVersionQuery}, {@code clearGlobalUpdates}, {@code overwrite}): which saves
 * are kept and why, the query's order, bounds and paging, the rollback with and without a live owner,
 * retention and pinning, and erasure of the history. Skipped on a store without
 * {@link dev.profileservice.spi.Backend#history()}.
 *
 * <p>One layer of the suite: third parties extend {@link ProfileServiceConformanceTest}, which runs
 * every layer; this class is not meant to be extended on its own.
 */
public abstract class ConformanceHistoryTests extends ConformanceLaterApiTests {

    /** The store's history, or the test is skipped. */
    private VersionHistory history() {
        Optional<VersionHistory> h = raw().history();
        assumeTrue(h.isPresent(), "the store keeps no version history");
        return h.get();
    }

    /** Every kept version of {@code key}, oldest first, read through the SPI. */
    private List<StoredVersion> kept(String key) {
        return history().versions(STORE, key, VersionPage.oldestFirst(10_000));
    }

    /** Waits (in virtual time) until {@code p}'s last completed save is a newer version than {@code before}. */
    private void awaitSavedAfter(Profile<PlayerData> p, String before) {
        advanceUntil(
                "a save after version " + before,
                () -> !p.getKeyInfo().version().equals(before));
    }

    /** Saves {@code p} (a game's save()) and waits until it is done. */
    private void saveNow(Profile<PlayerData> p) {
        String before = p.getKeyInfo().version();
        p.save();
        awaitSavedAfter(p, before);
    }

    /** Every version the query returns, in its order. */
    private static List<Profile<PlayerData>> all(ProfileVersionQuery<PlayerData> q) {
        List<Profile<PlayerData>> out = new ArrayList<>();
        for (Optional<Profile<PlayerData>> v; (v = q.next()).isPresent(); ) {
            out.add(v.get());
        }
        return out;
    }

    private static List<Integer> coins(List<Profile<PlayerData>> versions) {
        return versions.stream().map(v -> v.getData().coins).toList();
    }

    // ================================================================ which saves are kept

    @Test
    @DisplayName("a release is always kept; auto-saves and saves at most once per versionInterval; each version names"
            + " its cause, its writer and its size, and getKeyInfo names the last one written")
    void versionsAreKeptByCauseAndInterval() {
        history();
        Server[] s = twoServers();
        String k = key("kept");
        Profile<PlayerData> p = s[0].load(k);
        List<Profile.KeyInfo> infos = new CopyOnWriteArrayList<>();
        p.keyInfoUpdated().connect(infos::add);
        p.edit(d -> d.coins = 1);
        saveNow(p);
        assertThat(kept(k))
                .as("a save within the interval after the load is not kept")
                .isEmpty();

        vt.advance(s[0].service.settings().versionInterval());
        p.edit(d -> d.coins = 2);
        advanceUntil("an auto-save after the interval is kept", () -> kept(k).size() == 1);
        p.edit(d -> d.coins = 3);
        saveNow(p);
        assertThat(kept(k))
                .as("the save right after is within the interval: not kept")
                .hasSize(1);
        driveRun(p::release);

        List<StoredVersion> versions = kept(k);
        assertThat(versions)
                .extracting(StoredVersion::cause)
                .containsExactly(VersionCause.AUTO_SAVE, VersionCause.RELEASE);
        assertThat(versions.get(0).revision()).isLessThan(versions.get(1).revision());
        assertThat(versions.get(1).writer().placeId()).isEqualTo(s[0].session().placeId());
        assertThat(versions.get(1).size())
                .isEqualTo(versions.get(1).payload().length)
                .isPositive();
        assertThat(p.getKeyInfo().version())
                .as("the version the releasing save wrote")
                .isEqualTo(Long.toString(versions.get(1).revision()));
        assertThat(infos).as("keyInfoUpdated after each completed save").isNotEmpty();
        assertThat(infos.get(infos.size() - 1).version())
                .isEqualTo(p.getKeyInfo().version());

        Profile<PlayerData> first = s[1].store()
                .viewProfile(k, Long.toString(versions.get(0).revision()))
                .orElseThrow();
        assertThat(first.getData().coins).as("the kept auto-save's data").isEqualTo(2);
        assertThat(first.isActive()).isFalse();
        assertThat(first.getKeyInfo().version())
                .isEqualTo(Long.toString(versions.get(0).revision()));
        assertThat(first.getKeyInfo().updatedTime())
                .isEqualTo(Instant.ofEpochMilli(versions.get(0).savedAtMillis()));
        assertThat(s[1].view(k).orElseThrow().getKeyInfo().version())
                .as("the latest data is the released version")
                .isEqualTo(p.getKeyInfo().version());
        assertThat(s[1].store().viewProfile(k, "999999999"))
                .as("a version never written")
                .isEmpty();
        assertThatThrownBy(() -> s[1].store().viewProfile(k, "v1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'v1' is not a version id");
    }

    // ================================================================ the query

    @Test
    @DisplayName("profileVersionQuery returns every kept version oldest or newest first, page after page, and only"
            + " those between minDate and maxDate")
    void versionQueryOrdersPagesAndBounds() {
        history();
        Server a = server("A", b -> b.versionInterval(Duration.ofMillis(1)));
        String k = key("query");
        Profile<PlayerData> p = a.load(k);
        int saves = 20; // more than a page of the query
        for (int i = 1; i <= saves; i++) {
            int coins = i;
            p.edit(d -> d.coins = coins);
            vt.advance(Duration.ofMillis(2));
            saveNow(p);
        }
        driveRun(p::release);
        List<Integer> expected = new ArrayList<>();
        for (int i = 1; i <= saves; i++) {
            expected.add(i);
        }
        expected.add(saves); // the release keeps the last data once more

        List<Profile<PlayerData>> ascending = all(a.store().profileVersionQuery(k));
        assertThat(coins(ascending)).isEqualTo(expected);
        List<Profile<PlayerData>> descending =
                all(a.store().profileVersionQuery(k, SortDirection.DESCENDING, null, null));
        List<Integer> newestFirst = new ArrayList<>(expected);
        java.util.Collections.reverse(newestFirst);
        assertThat(coins(descending)).isEqualTo(newestFirst);

        Instant from = ascending.get(4).getKeyInfo().updatedTime();
        Instant to = ascending.get(9).getKeyInfo().updatedTime();
        List<Profile<PlayerData>> bounded = all(a.store().profileVersionQuery(k, SortDirection.ASCENDING, from, to));
        assertThat(bounded)
                .as("every version saved within the bounds, and nothing else")
                .allSatisfy(v -> assertThat(v.getKeyInfo().updatedTime()).isBetween(from, to))
                .extracting(v -> v.getKeyInfo().version())
                .containsAll(List.of(
                        ascending.get(4).getKeyInfo().version(),
                        ascending.get(9).getKeyInfo().version()));
        assertThat(all(a.store().profileVersionQuery(key("never"))))
                .as("no versions")
                .isEmpty();
        assertThatThrownBy(() -> a.store().profileVersionQuery(k, SortDirection.ASCENDING, to.plusSeconds(1), to))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("after maxDate");
    }

    // ================================================================ rollback

    @Test
    @DisplayName("overwrite of an older version while a server holds the profile ends that session (its saves are"
            + " refused, its release listeners fire) and the next load sees the overwritten data")
    void overwriteRollsBackAndEndsTheLiveSession() {
        history();
        LoadedOnA first = loadedOnA("rollback", 5);
        driveRun(first.profile()::release);
        String good = first.profile().getKeyInfo().version();
        String k = first.key();

        Profile<PlayerData> held = first.a().load(k);
        AtomicBoolean released = new AtomicBoolean();
        held.listenToRelease(() -> released.set(true));
        held.edit(d -> d.coins = 0); // the bad write
        saveNow(held);
        assertThatThrownBy(held::overwrite).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(held::clearGlobalUpdates).isInstanceOf(IllegalStateException.class);

        Profile<PlayerData> before = first.b().store().viewProfile(k, good).orElseThrow();
        assertThat(before.getData().coins).isEqualTo(5);
        driveRun(before::overwrite);
        assertThat(raw().read(STORE, k).owner())
                .as("the session is ended in the same write")
                .isNull();

        held.edit(d -> d.coins = 77);
        advanceUntil("the owner learned its session is gone", () -> {
            if (held.isActive()) {
                held.save();
            }
            return !held.isActive() && released.get();
        });
        Profile<PlayerData> next = first.b().load(k);
        assertThat(next.getData().coins).as("what the overwrite wrote").isEqualTo(5);
        driveRun(next::release);
        List<StoredVersion> versions = kept(k);
        StoredVersion overwrite = versions.stream()
                .filter(v -> v.cause() == VersionCause.OVERWRITE)
                .findFirst()
                .orElseThrow();
        assertThat(overwrite.writer()).as("written outside any session").isNull();
        assertThat(overwrite.revision()).isGreaterThan(Long.parseLong(good));
    }

    @Test
    @DisplayName("clearGlobalUpdates before overwrite clears the view's updates and the store's pending gifts; without"
            + " it, the pending gifts stay")
    void clearGlobalUpdatesBeforeOverwriteClearsPendingGifts() {
        history();
        TwoServers t = releasedByAWithCoins("cleargifts", 1);
        String k = t.key();
        drive(t.b().store().globalUpdateProfileAsync(k, u -> u.addActiveUpdate(Map.of("gift", "a", "amount", 1))));

        Profile<PlayerData> keep = t.b().view(k).orElseThrow();
        assertThat(keep.getGlobalUpdates().getActiveUpdates()).hasSize(1);
        driveRun(keep::overwrite);
        assertThat(raw().readUpdates(STORE, k).updates())
                .as("not cleared: the gift waits")
                .hasSize(1);

        Profile<PlayerData> view = t.b().view(k).orElseThrow();
        view.clearGlobalUpdates();
        assertThat(view.getGlobalUpdates().getActiveUpdates()).isEmpty();
        assertThat(view.getGlobalUpdates().getLockedUpdates()).isEmpty();
        assertThat(raw().readUpdates(STORE, k).updates())
                .as("nothing is cleared in the store before the overwrite")
                .hasSize(1);
        driveRun(view::overwrite);
        assertThat(raw().readUpdates(STORE, k).updates())
                .as("cleared with the overwrite")
                .isEmpty();
        Profile<PlayerData> next = t.a().load(k);
        assertThat(next.getGlobalUpdates().getActiveUpdates()).isEmpty();
        assertThat(next.getData().coins).isEqualTo(1);
        driveRun(next::release);
    }

    @Test
    @DisplayName("overwrite of a wiped profile is refused and writes nothing; wipeProfile erases every version")
    void wipeErasesTheHistoryAndOverwriteNeverResurrects() {
        history();
        Server[] s = twoServers();
        String k = key("wipehist");
        Profile<PlayerData> p = s[0].load(k);
        p.edit(d -> d.coins = 9);
        driveRun(p::release);
        String version = p.getKeyInfo().version();
        assertThat(kept(k)).hasSize(1);
        Profile<PlayerData> view = s[1].store().viewProfile(k, version).orElseThrow();

        assertThat(s[1].store().wipeProfile(k)).isTrue();
        assertThat(kept(k)).as("no version survives the wipe").isEmpty();
        assertThat(s[1].store().viewProfile(k, version)).isEmpty();
        assertThatThrownBy(view::overwrite)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no longer exists");
        assertThat(raw().read(STORE, k).isEmpty()).as("nothing written").isTrue();
        assertThat(kept(k)).isEmpty();
    }

    // ================================================================ user ids

    @Test
    @DisplayName("every profile of a user id is found through the store's index, as the profiles save, lose and regain"
            + " the id, and are wiped")
    void profilesOfAUserAreFoundThroughTheIndex() {
        history();
        Server[] s = twoServers();
        long user = 9_000_000_000L + Math.abs(prefix.hashCode());
        String k1 = key("user1");
        String k2 = key("user2");
        for (String k : List.of(k1, k2)) {
            Profile<PlayerData> p = s[0].load(k);
            p.addUserId(user);
            driveRun(p::release);
        }
        assertThat(admin(raw()).keysOfUser(STORE, user)).containsExactly(k1, k2);

        Profile<PlayerData> p = s[1].load(k2);
        String withId = p.getKeyInfo().version();
        p.removeUserId(user);
        driveRun(p::release);
        assertThat(admin(raw()).keysOfUser(STORE, user)).containsExactly(k1);

        Profile<PlayerData> old = s[1].store().viewProfile(k2, withId).orElseThrow();
        assertThat(old.getKeyInfo().userIds()).containsExactly(user);
        driveRun(old::overwrite);
        assertThat(admin(raw()).keysOfUser(STORE, user))
                .as("the rollback brought the id back")
                .containsExactly(k1, k2);

        Profile<PlayerData> loaded = s[0].load(k1);
        assertThat(loaded.getUserIds()).containsExactly(user);
        driveRun(loaded::release);
        assertThat(admin(raw()).keysOfUser(STORE, user))
                .as("an unchanged profile keeps its entry")
                .contains(k1);
        assertThat(s[0].store().wipeProfile(k1)).isTrue();
        assertThat(admin(raw()).keysOfUser(STORE, user)).containsExactly(k2);
    }

    // ================================================================ retention

    @Test
    @DisplayName("after a release the history keeps the newest versions the retention allows, pinned ones besides; by"
            + " age, all but the newest go")
    void retentionKeepsTheNewestAndThePinned() {
        VersionHistory h = history();
        Server a = server("A", b -> b.versionInterval(Duration.ofMillis(1)).versionRetention(3, Duration.ZERO));
        String k = key("retain");
        Profile<PlayerData> p = a.load(k);
        for (int i = 1; i <= 6; i++) {
            int coins = i;
            p.edit(d -> d.coins = coins);
            vt.advance(Duration.ofMillis(2));
            saveNow(p);
        }
        long oldest = kept(k).get(0).revision();
        assertThat(h.setPinned(STORE, k, oldest, true)).isTrue();
        assertThat(h.setPinned(STORE, k, 999_999_999L, true))
                .as("not a kept version")
                .isFalse();
        driveRun(p::release);
        advanceUntil("pruned after the release", () -> kept(k).size() == 4);
        List<StoredVersion> left = kept(k);
        assertThat(left.get(0).revision()).as("the pinned one").isEqualTo(oldest);
        assertThat(left.get(0).pinned()).isTrue();
        assertThat(left.get(3).cause()).isEqualTo(VersionCause.RELEASE);

        assertThat(h.setPinned(STORE, k, oldest, false)).isTrue();
        advanceUntil("by age, all but the newest are pruned", () -> {
            h.prune(STORE, k, 0, Duration.ofMillis(1));
            return kept(k).size() == 1;
        });
        assertThat(kept(k).get(0).cause()).isEqualTo(VersionCause.RELEASE);
    }
}
