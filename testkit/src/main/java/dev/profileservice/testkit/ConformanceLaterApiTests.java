package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.profileservice.NotReleasedAction;
import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite's tests of ProfileService's later API (API.md, "the rest of
 * ProfileService's API"): {@code NotReleasedAction.STEAL}, {@code listenToHopReady},
 * {@code metaTagsUpdated}, {@code reconcile}, {@code mock}, user ids, {@code identify} and {@code wipeProfile}.
 *
 * <p>One layer of the suite: third parties extend {@link ProfileServiceConformanceTest}, which runs
 * every layer; this class is not meant to be extended on its own.
 */
public abstract class ConformanceLaterApiTests extends ConformanceBadDataTests {

    // ================================================================ STEAL

    @Test
    @DisplayName(
            "STEAL takes a live owner's profile at once, without waiting for the force-load timeout; the owner's later"
                    + " writes are refused and its release listeners fire")
    void stealTakesALiveOwnersProfileAtOnce() {
        LoadedOnA t = loadedOnA("steal", 4);
        Profile<PlayerData> a = t.profile();
        AtomicBoolean aReleased = new AtomicBoolean();
        a.listenToRelease(() -> aReleased.set(true));
        driveRun(a::save);
        awaitReal("A's save stored", () -> viewedCoins(t.b(), t.key()) == 4);
        a.edit(d -> d.coins = 99); // never saved: a steal loses it

        Instant start = vt.now();
        Profile<PlayerData> b = drive(t.b().store().loadProfileAsync(t.key(), NotReleasedHandler.STEAL))
                .orElseThrow();
        assertThat(Duration.between(start, vt.now()))
                .as("no wait for the owner nor for the force-load timeout")
                .isLessThan(t.b().service.settings().forceLoadTimeout());
        assertThat(b.getData().coins).as("A's last saved data").isEqualTo(4);
        advanceUntil("A learned it lost the session", () -> {
            if (a.isActive()) {
                a.save();
            }
            return !a.isActive() && aReleased.get();
        });
        b.edit(d -> d.coins = 5);
        driveRun(b::release);
        assertThat(viewedCoins(t.a(), t.key()))
                .as("B's data, A's refused write left no trace")
                .isEqualTo(5);
        assertThat((Object) NotReleasedHandler.STEAL.onNotReleased("p", "j")).isEqualTo(NotReleasedAction.STEAL);
    }

    // ================================================================ listenToHopReady

    @Test
    @DisplayName("listenToHopReady runs once the releasing save is durable and the lock is free, once per listener, and"
            + " right away when connected later or on a view")
    void hopReadyRunsWhenTheLockIsFree() {
        LoadedOnA t = loadedOnA("hop", 8);
        Profile<PlayerData> p = t.profile();
        List<Boolean> freeWhenRun = new CopyOnWriteArrayList<>();
        p.listenToHopReady(() -> freeWhenRun.add(raw().read(STORE, t.key()).owner() == null));
        driveRun(p::release);
        awaitReal("the hop-ready listener ran", () -> !freeWhenRun.isEmpty());
        assertThat(freeWhenRun).as("once, with the lock already free").containsExactly(true);
        assertThat(viewedCoins(t.b(), t.key()))
                .as("the release's save was durable")
                .isEqualTo(8);

        AtomicBoolean late = new AtomicBoolean();
        p.listenToHopReady(() -> late.set(true));
        awaitReal("a listener connected after the release runs at once", late::get);
        AtomicBoolean onView = new AtomicBoolean();
        t.b().view(t.key()).orElseThrow().listenToHopReady(() -> onView.set(true));
        awaitReal("a view's listener runs at once", onView::get);
        assertThat(freeWhenRun).as("still once").hasSize(1);
    }

    // ================================================================ metaTagsUpdated

    @Test
    @DisplayName(
            "metaTagsUpdated fires after each save that writes, with the tags it wrote, including the releasing save;"
                    + " a view's never fires")
    void metaTagsUpdatedFollowsTheSaves() {
        List<Map<String, Object>> seen = new CopyOnWriteArrayList<>();
        LoadedOnA t = loadedOnA("tags");
        Profile<PlayerData> p = t.profile();
        p.metaTagsUpdated().connect(seen::add);
        p.setMetaTag("level", 3);
        driveRun(p::save);
        awaitReal("the first save's tags", () -> !seen.isEmpty());
        assertThat(seen.get(seen.size() - 1)).containsEntry("level", 3);
        assertThat(p.getMetaData().getMetaTagsLatest()).containsEntry("level", 3);
        p.setMetaTag("level", 4);
        driveRun(p::release);
        awaitReal(
                "the releasing save's tags",
                () -> seen.get(seen.size() - 1).get("level").equals(4));

        AtomicReference<Map<String, Object>> onView = new AtomicReference<>();
        t.b().view(t.key()).orElseThrow().metaTagsUpdated().connect(onView::set);
        assertThat(onView.get()).isNull();
        assertThatThrownBy(() -> p.metaTagsUpdated().connect(null)).isInstanceOf(IllegalArgumentException.class);
    }

    // ================================================================ reconcile

    @Test
    @DisplayName(
            "reconcile fills what the stored data lacks from a newer template, recursively, and keeps every value that"
                    + " is there; a null field of a class is filled in place")
    void reconcileFillsFromTheTemplate() {
        TwoServers t = onTwoServers("reconcile");
        String store = STORE + "_r";
        Map<String, Object> oldShape = Map.of("coins", 0, "inventory", Map.of("items", List.of()));
        Profile<Map<String, Object>> old = drive(t.b().service
                        .getProfileStore(store, oldShape)
                        .loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        old.edit(d -> {
            d.put("coins", 5);
            d.put("inventory", new java.util.LinkedHashMap<>(Map.of("items", List.of("sword"))));
        });
        driveRun(old::release);

        Map<String, Object> newShape =
                Map.of("coins", 0, "name", "?", "inventory", Map.of("items", List.of(), "slots", 10));
        Profile<Map<String, Object>> p = drive(t.a().service
                        .getProfileStore(store, newShape)
                        .loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(p.getData()).doesNotContainKey("name");
        p.reconcile();
        assertThat(p.getData())
                .containsEntry("coins", 5)
                .containsEntry("name", "?")
                .containsEntry("inventory", Map.of("items", List.of("sword"), "slots", 10));
        driveRun(p::release);
        assertThat(t.b().service
                        .getProfileStore(store, oldShape)
                        .viewProfile(t.key())
                        .orElseThrow()
                        .getData())
                .as("saved filled")
                .containsEntry("name", "?");

        Profile<PlayerData> c = t.a().load(key("reconcile-class"));
        PlayerData same = c.getData();
        c.edit(d -> {
            d.coins = 3;
            d.items = null;
        });
        c.reconcile();
        assertThat(c.getData()).as("filled in place").isSameAs(same);
        assertThat(c.getData().items)
                .as("the template's empty list")
                .isNotNull()
                .isEmpty();
        assertThat(c.getData().coins).isEqualTo(3);
        driveRun(c::release);
        assertThatThrownBy(
                        () -> t.b().view(key("reconcile-class")).orElseThrow().reconcile())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("reconcileOnLoad fills the data from the template before the game sees it, and the next save keeps it")
    void reconcileOnLoadFillsBeforeTheGameSeesIt() {
        Map<String, Object> oldShape = Map.of("coins", 0);
        Server writer = server("W");
        Server reader = server("R", b -> b.reconcileOnLoad(true));
        String k = key("reconcile-on-load");
        String store = STORE + "_rl";
        Profile<Map<String, Object>> old = drive(writer.service
                        .getProfileStore(store, oldShape)
                        .loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        old.edit(d -> d.put("coins", 6));
        driveRun(old::release);

        Map<String, Object> newShape = Map.of("coins", 0, "gems", 1);
        Profile<Map<String, Object>> p = drive(reader.service
                        .getProfileStore(store, newShape)
                        .loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(p.getData()).containsEntry("coins", 6).containsEntry("gems", 1);
        assertThat(reader.service.settings().reconcileOnLoad()).isTrue();
        driveRun(p::release);
        assertThat(writer.service
                        .getProfileStore(store, oldShape)
                        .viewProfile(k)
                        .orElseThrow()
                        .getData())
                .as("saved filled")
                .containsEntry("gems", 1);
    }

    // ================================================================ mock

    @Test
    @DisplayName("mock() is the same store on a detached in-memory store: isolated from the real store and from other"
            + " services' mocks, the same mock data on every call, gone with its service")
    void mockIsDetached() {
        TwoServers t = onTwoServers("mock");
        ProfileStore<PlayerData> mock = t.a().store().mock();
        Profile<PlayerData> m = drive(mock.loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        m.edit(d -> d.coins = 9);
        driveRun(m::release);
        assertThat(mock.getName()).isEqualTo(STORE);
        assertThat(t.a().store().mock().viewProfile(t.key()).orElseThrow().getData().coins)
                .as("the same mock data on the next call")
                .isEqualTo(9);
        assertThat(t.a().view(t.key())).as("the real store never saw it").isEmpty();
        assertThat(raw().read(STORE, t.key()).isEmpty()).isTrue();
        assertThat(t.b().store().mock().viewProfile(t.key()))
                .as("another service's mock is its own")
                .isEmpty();
        Profile<PlayerData> real =
                loadExpectingTheTemplate(t.a(), t.key(), "the real profile is untouched by the mock's");
        driveRun(real::release);
        driveRun(t.a().service::close);
        assertThatThrownBy(() -> t.a().store().mock()).isInstanceOf(IllegalStateException.class);
    }

    /** Loads {@code k} on {@code s} and asserts that its data starts from the template's (no coins): {@code why}. */
    private Profile<PlayerData> loadExpectingTheTemplate(Server s, String k, String why) {
        Profile<PlayerData> p = s.load(k);
        assertThat(p.getData().coins).as(why).isZero();
        return p;
    }

    // ================================================================ user ids

    @Test
    @DisplayName(
            "user ids are saved with the profile, survive release and reload on another server, have no duplicates,"
                    + " and a view's are read-only")
    void userIdsAreSavedWithTheProfile() {
        LoadedOnA t = loadedOnA("userids");
        Profile<PlayerData> p = t.profile();
        assertThat(p.getUserIds()).isEmpty();
        p.addUserId(1001);
        p.addUserId(2002);
        p.addUserId(1001);
        p.removeUserId(3003);
        assertThat(p.getUserIds()).containsExactly(1001L, 2002L);
        driveRun(p::release);
        assertThat(t.b().view(t.key()).orElseThrow().getUserIds()).containsExactly(1001L, 2002L);

        Profile<PlayerData> again = t.b().load(t.key());
        assertThat(again.getUserIds()).as("reloaded elsewhere").containsExactly(1001L, 2002L);
        again.removeUserId(1001);
        driveRun(again::release);
        Profile<PlayerData> view = t.a().view(t.key()).orElseThrow();
        assertThat(view.getUserIds()).containsExactly(2002L);
        assertThatThrownBy(() -> view.addUserId(5)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> again.addUserId(5))
                .as("released: no longer active")
                .isInstanceOf(IllegalStateException.class);
    }

    // ================================================================ identify

    @Test
    @DisplayName("identify names the store and the key the way ProfileService does, on active profiles and views")
    void identifyNamesStoreAndKey() {
        LoadedOnA t = loadedOnA("who");
        Profile<PlayerData> p = t.profile();
        String expected = "[Store:\"" + STORE + "\";Key:\"" + t.key() + "\"]";
        assertThat(p.identify()).isEqualTo(expected);
        driveRun(p::release);
        Optional<Profile<PlayerData>> view = t.b().view(t.key());
        assertThat(view.orElseThrow().identify()).isEqualTo(expected);
    }

    // ================================================================ wipeProfile (erasure)

    @Test
    @DisplayName("wipeProfile erases the record, its pending gifts and tokens and its quarantined copies; a second wipe"
            + " finds nothing")
    void wipeErasesEverything() {
        TwoServers t = releasedByAWithCoins("wipe", 7);
        drive(t.b().store()
                .globalUpdateProfileAsync(t.key(), u -> u.addActiveUpdate(Map.of("gift", "g", "amount", 1))));
        raw().quarantine(
                        STORE,
                        t.key(),
                        "a copy set aside".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        "test",
                        1);

        assertThat(drive(t.b().store().wipeProfileAsync(t.key())))
                .as("a record existed")
                .isTrue();
        assertThat(raw().read(STORE, t.key()).isEmpty())
                .as("no record, no updates")
                .isTrue();
        assertThat(admin(raw()).quarantineCount(STORE, t.key()))
                .as("no quarantined copy")
                .isZero();
        assertThat(admin(raw()).keys(STORE, null, 100)).doesNotContain(t.key());
        assertThat(t.a().view(t.key())).as("nothing to view").isEmpty();
        assertThat(drive(t.b().store().wipeProfileAsync(t.key())))
                .as("nothing left to erase")
                .isFalse();

        Profile<PlayerData> fresh = loadExpectingTheTemplate(t.a(), t.key(), "a later load starts from the template");
        assertThat(fresh.getGlobalUpdates().getActiveUpdates())
                .as("the wiped gift is gone")
                .isEmpty();
        driveRun(fresh::release);
        assertThatThrownBy(() -> drive(t.b().store().wipeProfileAsync("")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("wipeProfile while a server holds the profile ends that session: its saves and release are refused and"
            + " never bring the profile back, its release listeners fire")
    void wipeEndsALiveSessionWithoutRecreatingTheProfile() {
        LoadedOnA t = loadedOnA("wipelive");
        Profile<PlayerData> held = t.profile();
        AtomicBoolean released = new AtomicBoolean();
        held.listenToRelease(() -> released.set(true));
        held.edit(d -> d.coins = 3);
        driveRun(held::save);
        // the save must be done before the wipe: one still in flight would find the session gone first
        awaitReal("the owner's save stored", () -> viewedCoins(t.b(), t.key()) == 3);

        assertThat(drive(t.b().store().wipeProfileAsync(t.key()))).isTrue();
        held.edit(d -> d.coins = 99); // the owner goes on playing; its next save is refused
        advanceUntil("the owner learned its session is gone", () -> {
            if (held.isActive()) {
                held.save();
            }
            return !held.isActive() && released.get();
        });
        assertThat(raw().read(STORE, t.key()).isEmpty())
                .as("the refused writes did not bring it back")
                .isTrue();
        assertThat(t.b().view(t.key())).isEmpty();

        Profile<PlayerData> mine = t.b().load(t.key());
        assertThat(drive(t.b().store().wipeProfileAsync(t.key()))).isTrue();
        advanceUntil("this service's own session ended too", () -> !mine.isActive());
        assertThat(raw().read(STORE, t.key()).isEmpty()).isTrue();
    }
}
