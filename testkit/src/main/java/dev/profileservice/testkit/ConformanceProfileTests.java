package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.profileservice.GlobalUpdates;
import dev.profileservice.NotReleasedAction;
import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.StoredProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite's tests of the profile API on one store: ProfileStore and Profile basics
 * (templates, blocking and async forms, Map stores, metadata, meta tags, views), release, auto-save,
 * {@code close()} and edits that are never saved half applied.
 *
 * <p>One layer of the suite: third parties extend {@link ProfileServiceConformanceTest}, which runs
 * every layer; this class is not meant to be extended on its own.
 */
public abstract class ConformanceProfileTests extends ConformanceHarness {

    /** A gift: the data of a global update that adds {@code amount} coins and item {@code id}. */
    protected static Map<String, Object> gift(String id, int amount) {
        return Map.of("gift", id, "amount", amount);
    }

    // ================================================================ fixtures

    /** Servers {@code a} and {@code b} on the one store, and a {@code key} of this test. */
    protected record TwoServers(Server a, Server b, String key) {

        /** Loads the key on A (FORCE_LOAD): A holds the profile, B looks on. */
        public LoadedOnA loadOnA() {
            return new LoadedOnA(a, b, key, a.load(key));
        }
    }

    /** {@link TwoServers} with the key loaded on A: A's active {@code profile}. */
    protected record LoadedOnA(Server a, Server b, String key, Profile<PlayerData> profile) {}

    /** Servers "A" and "B" with the default settings, and the key {@code name} of this test (nothing loaded). */
    protected TwoServers onTwoServers(String name) {
        Server[] s = twoServers();
        return new TwoServers(s[0], s[1], key(name));
    }

    /** {@link #onTwoServers} with the message bus of both servers disabled: hand-overs and news go through polling. */
    protected TwoServers onTwoServersWithoutBus(String name) {
        TwoServers t = onTwoServers(name);
        t.a().backend.disableBus(true);
        t.b().backend.disableBus(true);
        return t;
    }

    /** {@link #onTwoServers} with the key loaded on A. */
    protected LoadedOnA loadedOnA(String name) {
        return onTwoServers(name).loadOnA();
    }

    /** {@link #loadedOnA} with the coins of A's profile set to {@code coins}: an edit not saved yet. */
    protected LoadedOnA loadedOnA(String name, int coins) {
        LoadedOnA t = loadedOnA(name);
        t.profile().edit(d -> d.coins = coins);
        return t;
    }

    /**
     * {@link #onTwoServers} with the key loaded on A, its coins set to {@code coins} and released: the
     * store holds that data and no owner.
     */
    protected TwoServers releasedByAWithCoins(String name, int coins) {
        LoadedOnA t = loadedOnA(name, coins);
        driveRun(t.profile()::release);
        return new TwoServers(t.a(), t.b(), t.key());
    }

    /** Sets the coins of {@code p} to {@code coins} and saves it, moving virtual time until {@code viewer} sees them stored. */
    protected void saveCoins(Profile<PlayerData> p, int coins, Server viewer) {
        p.edit(d -> d.coins = coins);
        p.save();
        advanceUntil("saved", () -> viewedCoins(viewer, p.getKey()) == coins);
    }

    // ================================================================ ProfileStore / Profile basics

    @Test
    @DisplayName("a new profile starts from a deep copy of the template")
    void newProfileIsADeepCopyOfTheTemplate() {
        Server a = server("A");
        PlayerData template = new PlayerData();
        template.coins = 7;
        template.items.add("starter");
        ProfileStore<PlayerData> store = a.service.getProfileStore(STORE, template);
        assertThat(store.getName()).isEqualTo(STORE);
        Profile<PlayerData> p1 = drive(store.loadProfileAsync(key("p1"), NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        template.items.add("changed-later");
        Profile<PlayerData> p2 = drive(store.loadProfileAsync(key("p2"), NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(p1.getKey()).isEqualTo(key("p1"));
        assertThat(p1.isActive()).isTrue();
        assertThat(p1.getData().coins).isEqualTo(7);
        assertThat(p1.getData().items).containsExactly("starter");
        assertThat(p2.getData()).isNotSameAs(p1.getData()).isNotSameAs(template);
        p1.edit(d -> d.items.add("sword"));
        assertThat(p2.getData().items).containsExactly("starter");
        assertThat(p1.getMetaData().getMetaTags()).isEmpty();
        assertThat(p1.getGlobalUpdates().getActiveUpdates()).isEmpty();
        assertThat(p1.getGlobalUpdates().getLockedUpdates()).isEmpty();
    }

    @Test
    @DisplayName("blocking and async forms: loadProfile(key), loadProfileAsync, globalUpdateProfileAsync; service ids")
    void blockingAndAsyncForms() {
        TwoServers t = onTwoServers("forms");
        assertThat(t.a().service.getPlaceId()).isEqualTo(t.a().placeId);
        assertThat(t.a().service.getJobId()).isEqualTo(t.a().jobId);
        Profile<PlayerData> p = drive(() -> t.a().store().loadProfile(t.key())).orElseThrow(); // FORCE_LOAD by default
        assertThat(p.isActive()).isTrue();
        GlobalUpdates sent = drive(
                        t.b().store().globalUpdateProfileAsync(t.key(), u -> u.addActiveUpdate(gift("async", 2))))
                .orElseThrow();
        assertThat(sent.getActiveUpdates())
                .extracting(u -> u.data().get("gift"))
                .containsExactly("async");
        List<Long> heard = new CopyOnWriteArrayList<>();
        p.getGlobalUpdates().listenToNewActiveUpdate((id, d) -> heard.add(id));
        long second = drive(t.b().store().globalUpdateProfileAsync(t.key(), u -> u.addActiveUpdate(gift("async2", 3))))
                .orElseThrow()
                .getActiveUpdates()
                .stream()
                .filter(u -> "async2".equals(u.data().get("gift")))
                .findFirst()
                .orElseThrow()
                .id();
        advanceUntil("second update heard", () -> heard.contains(second));
        driveRun(p::release);
        CompletableFuture<Optional<Profile<PlayerData>>> f =
                t.b().store().loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD);
        Profile<PlayerData> q = drive(f).orElseThrow();
        assertThat(q.getGlobalUpdates().getActiveUpdates()).hasSize(2);
    }

    @Test
    @DisplayName("a Map<String,Object> store loads, edits and saves like a class store")
    void mapStore() {
        TwoServers t = onTwoServers("m");
        Profile<Map<String, Object>> p = drive(
                        t.a().mapStore().loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(p.getData()).containsEntry("Coins", 0);
        p.edit(d -> {
            d.put("Coins", 15);
            d.put("Inventory", new ArrayList<>(List.of("sword", "shield")));
            d.put("Nested", new LinkedHashMap<>(Map.of("level", 3)));
        });
        driveRun(p::release);
        Map<String, Object> seen =
                t.b().mapStore().viewProfile(t.key()).orElseThrow().getData();
        assertThat(((Number) seen.get("Coins")).intValue()).isEqualTo(15);
        assertThat(seen.get("Inventory")).isEqualTo(List.of("sword", "shield"));
        assertThat(seen.get("Nested")).isEqualTo(Map.of("level", 3));
        Profile<Map<String, Object>> again = drive(
                        t.b().mapStore().loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(((Number) again.getData().get("Coins")).intValue()).isEqualTo(15);
        again.setData(new HashMap<>(Map.of("Coins", 1)));
        driveRun(again::release);
        assertThat(((Number) t.a().mapStore()
                                .viewProfile(t.key())
                                .orElseThrow()
                                .getData()
                                .get("Coins"))
                        .intValue())
                .isEqualTo(1);
    }

    @Test
    @DisplayName("metadata: create time from the clock, session load count per load, active session of the holder")
    void metadata() {
        TwoServers t = onTwoServers("meta");
        Instant created = vt.now();
        // an uncontended load needs no virtual time: keep the clock still so the create time is exact
        Profile<PlayerData> p = awaitReal(t.a().store().loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(p.getMetaData().getProfileCreateTime()).isEqualTo(created);
        assertThat(p.getMetaData().getSessionLoadCount()).isEqualTo(1);
        assertThat(p.getMetaData().getActiveSession()).contains(t.a().session());
        Profile<PlayerData> view =
                t.b().view(t.key()).orElseThrow(() -> new AssertionError("a loaded profile is visible at once"));
        assertThat(view.getMetaData().getActiveSession()).contains(t.a().session());
        assertThat(view.getMetaData().getProfileCreateTime()).isEqualTo(created);
        assertThat(view.getMetaData().getSessionLoadCount()).isEqualTo(1);
        vt.advance(Duration.ofMinutes(5));
        driveRun(p::release);
        assertThat(p.getMetaData().getActiveSession()).isEmpty();
        Profile<PlayerData> released = t.b().view(t.key()).orElseThrow();
        assertThat(released.getMetaData().getActiveSession()).isEmpty();
        assertThat(released.getMetaData().getProfileCreateTime()).isEqualTo(created);
        assertThat(released.getMetaData().getSessionLoadCount()).isEqualTo(1);

        Profile<PlayerData> p2 = t.b().load(t.key());
        assertThat(p2.getMetaData().getSessionLoadCount()).isEqualTo(2);
        assertThat(p2.getMetaData().getProfileCreateTime()).isEqualTo(created);
        assertThat(p2.getMetaData().getActiveSession()).contains(t.b().session());
        p2.save();
        advanceUntil(
                "B's session visible in a view",
                () -> t.a().view(t.key())
                        .orElseThrow()
                        .getMetaData()
                        .getActiveSession()
                        .equals(Optional.of(t.b().session())));
        driveRun(p2::release);
        Profile<PlayerData> p3 = t.a().load(t.key());
        assertThat(p3.getMetaData().getSessionLoadCount()).isEqualTo(3);
    }

    @Test
    @DisplayName("meta tags are saved with the data; MetaTagsLatest changes only after a save")
    void metaTags() {
        LoadedOnA t = loadedOnA("tags");
        Profile<PlayerData> p = t.profile();
        p.setMetaTag("Purchase", "abc-1");
        assertThat(p.getMetaTag("Purchase")).isEqualTo("abc-1");
        assertThat(p.getMetaData().getMetaTags()).containsEntry("Purchase", "abc-1");
        assertThat(p.getMetaData().getMetaTagsLatest()).doesNotContainKey("Purchase");
        assertThatThrownBy(() -> p.getMetaData().getMetaTagsLatest().put("x", 1))
                .isInstanceOf(UnsupportedOperationException.class);
        p.save();
        advanceUntil(
                "MetaTagsLatest after save",
                () -> "abc-1".equals(p.getMetaData().getMetaTagsLatest().get("Purchase")));
        assertThat(t.b().view(t.key()).orElseThrow().getMetaTag("Purchase")).isEqualTo("abc-1");
        assertThatThrownBy(() -> p.setMetaTag(null, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.setMetaTag("", 1)).isInstanceOf(IllegalArgumentException.class);
        p.setMetaTag("Count", 2);
        driveRun(p::release);
        Profile<PlayerData> again = t.b().load(t.key());
        assertThat(again.getMetaTag("Purchase")).isEqualTo("abc-1");
        assertThat(((Number) again.getMetaTag("Count")).intValue()).isEqualTo(2);
        assertThat(again.getMetaData().getMetaTagsLatest()).containsEntry("Purchase", "abc-1");
    }

    @Test
    @DisplayName("release() is durable when it returns; a released profile refuses writes")
    void releaseIsDurable() {
        LoadedOnA t = loadedOnA("rel");
        Profile<PlayerData> p = t.profile();
        AtomicInteger releases = new AtomicInteger();
        p.listenToRelease(releases::incrementAndGet);
        p.edit(d -> {
            d.coins = 5;
            d.items.add("gem");
        });
        driveRun(p::release);
        assertThat(p.isActive()).isFalse();
        Profile<PlayerData> seen = t.b().view(t.key()).orElseThrow();
        assertThat(seen.getData().coins).isEqualTo(5);
        assertThat(seen.getData().items).containsExactly("gem");
        StoredProfile record = raw().read(STORE, t.key());
        assertThat(record.owner()).as("lock freed").isNull();
        awaitReal("release listener", () -> releases.get() == 1);
        driveRun(p::release); // idempotent
        assertThatThrownBy(p::save).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> p.edit(d -> d.coins++)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> p.setData(new PlayerData())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> p.setMetaTag("x", 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> p.getGlobalUpdates().lockActiveUpdate(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> p.getGlobalUpdates().clearLockedUpdate(1)).isInstanceOf(IllegalStateException.class);
        AtomicBoolean late = new AtomicBoolean();
        p.listenToRelease(() -> late.set(true));
        awaitReal("listener on an inactive profile runs right away", late::get);
        assertThat(releases).hasValue(1);
    }

    @Test
    @DisplayName("loading a key this service holds throws IllegalStateException; after release it loads again at once")
    void loadHeldKeyThrowsAndReloadAfterRelease() {
        Server a = server("A");
        String k = key("held");
        Profile<PlayerData> p = a.load(k);
        assertThatThrownBy(() -> a.store().loadProfile(k))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(k);
        ProfileStore<PlayerData> sameName = a.service.getProfileStore(STORE, new PlayerData());
        assertThatThrownBy(() -> sameName.loadProfile(k, (pl, j) -> NotReleasedAction.CANCEL))
                .as("stores of one name share their loaded profiles")
                .isInstanceOf(IllegalStateException.class);
        p.edit(d -> d.coins = 3);
        driveRun(p::release);
        Profile<PlayerData> again = a.load(k);
        assertThat(again.isActive()).isTrue();
        assertThat(again.getData().coins).isEqualTo(3);
        assertThat(again.getMetaData().getSessionLoadCount()).isEqualTo(2);
        assertThat(p.isActive()).isFalse();
    }

    @Test
    @DisplayName("viewProfile: empty for keys never saved, read-only and never active, takes no lock")
    void viewProfile() {
        TwoServers t = onTwoServers("view");
        assertThat(t.b().view(key("never"))).isEmpty();
        assertThat(raw().read(STORE, key("never")).isEmpty())
                .as("a view creates nothing")
                .isTrue();

        drive(() -> t.b().store().globalUpdateProfile(key("giftonly"), u -> u.addActiveUpdate(Map.of("gift", 1))));
        assertThat(t.b().view(key("giftonly"))).as("no payload was ever saved").isEmpty();

        Profile<PlayerData> p = t.a().load(t.key());
        saveCoins(p, 9, t.b());
        Profile<PlayerData> v = t.b().view(t.key()).orElseThrow();
        assertThat(v.isActive()).isFalse();
        assertThat(v.getKey()).isEqualTo(t.key());
        assertThat(v.getMetaData().getActiveSession()).contains(t.a().session());
        assertThatThrownBy(() -> v.setData(new PlayerData())).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> v.edit(d -> d.coins = 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(v::save).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> v.setMetaTag("x", 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> v.getGlobalUpdates().lockActiveUpdate(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> v.getGlobalUpdates().listenToNewActiveUpdate((id, d) -> {}))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> v.getGlobalUpdates().addActiveUpdate(Map.of()))
                .isInstanceOf(IllegalStateException.class);
        v.release(); // a no-op for views
        assertThat(p.isActive()).as("a view takes no lock").isTrue();
        assertThat(raw().read(STORE, t.key()).owner().jobId()).isEqualTo(t.a().jobId);
        p.edit(d -> d.coins = 10);
        driveRun(p::release);
        assertThat(viewedCoins(t.b(), t.key())).isEqualTo(10);
        assertThat(v.getData().coins).as("a view is a snapshot").isEqualTo(9);
    }

    @Test
    @DisplayName(
            "a profile exists from its first load: any server's view sees the template and the session at once, nothing saved yet")
    void firstLoadCreatesTheProfile() {
        TwoServers t = onTwoServers("first");
        t.a().backend.resetCounts();
        Profile<PlayerData> p = awaitReal(t.a().store().loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(t.a().backend.calls("acquire"))
                .as("the lock and the profile in one call")
                .isEqualTo(1);
        assertThat(t.a().backend.calls("save") + t.a().backend.calls("saveBatch"))
                .as("no save needed to exist")
                .isZero();

        Profile<PlayerData> v =
                t.b().view(t.key()).orElseThrow(() -> new AssertionError("another server sees the new profile"));
        assertThat(v.getData().coins).isZero();
        assertThat(v.getData().items).isEmpty();
        assertThat(v.getMetaData().getActiveSession()).contains(t.a().session());
        assertThat(v.getMetaData().getSessionLoadCount()).isEqualTo(1);
        assertThat(v.getMetaData().getProfileCreateTime())
                .isEqualTo(p.getMetaData().getProfileCreateTime());

        for (int period = 1; period <= 2; period++) {
            int reads = period;
            vt.advance(AUTO_SAVE);
            awaitReal("auto-save check " + period, () -> t.a().backend.calls("readUpdates") >= reads);
        }
        assertThat(t.a().backend.calls("save") + t.a().backend.calls("saveBatch"))
                .as("an untouched new profile is never rewritten")
                .isZero();
        driveRun(p::release);
        Profile<PlayerData> after = t.b().view(t.key()).orElseThrow();
        assertThat(after.getMetaData().getActiveSession()).isEmpty();
        assertThat(after.getMetaData().getSessionLoadCount()).isEqualTo(1);
        assertThat(drive(t.b().store().loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD))
                        .orElseThrow()
                        .getMetaData()
                        .getSessionLoadCount())
                .isEqualTo(2);
    }

    @Test
    @DisplayName("no save ever contains a half-applied edit")
    void noHalfAppliedEdit() throws Exception {
        Server a = server("A", b -> b.autoSavePeriod(Duration.ofSeconds(1)));
        Server viewer = server("V");
        String k = key("half");
        Profile<PlayerData> p = a.load(k);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong edits = new AtomicLong();
        CompletableFuture<Void> editor = CompletableFuture.runAsync(
                () -> {
                    while (!stop.get()) {
                        p.edit(d -> {
                            d.a++;
                            Thread.yield();
                            d.b++;
                        });
                        edits.incrementAndGet();
                        java.util.concurrent.locks.LockSupport.parkNanos(
                                20_000); // a game loop does other work between edits
                    }
                },
                callers);
        List<Integer> seen = new CopyOnWriteArrayList<>();
        List<String> halfApplied = new CopyOnWriteArrayList<>();
        try {
            advanceUntil("five distinct saves seen while editing", Duration.ofMillis(250), () -> {
                Optional<Profile<PlayerData>> v = viewer.view(k);
                if (v.isPresent()) {
                    PlayerData d = v.get().getData();
                    if (d.a != d.b) {
                        halfApplied.add("a=" + d.a + " b=" + d.b);
                    }
                    if (seen.isEmpty() || seen.get(seen.size() - 1) != d.a) {
                        seen.add(d.a);
                    }
                }
                return seen.size() >= 5 || !halfApplied.isEmpty();
            });
        } finally {
            stop.set(true);
            editor.get(10, TimeUnit.SECONDS);
        }
        assertThat(halfApplied).as("saved payloads with a != b").isEmpty();
        assertThat(seen)
                .as("several distinct saves were observed while editing")
                .hasSizeGreaterThanOrEqualTo(5);
        assertThat(edits.get()).isPositive();
    }

    // ================================================================ auto-save

    @Test
    @DisplayName("auto-save writes each changed profile once per period and never rewrites an unchanged one")
    void autoSave() {
        Server[] s = twoServers();
        Server a = s[0];
        List<Profile<PlayerData>> profiles = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            profiles.add(a.load(key("auto" + i)));
        }
        // the edits after every load: a load's wait may move virtual time, and with it an auto-save
        a.backend.resetCounts();
        for (int i = 0; i < 3; i++) {
            int v = i + 1;
            profiles.get(i).edit(d -> d.coins = v);
        }
        vt.advance(AUTO_SAVE);
        awaitReal(
                "three auto-saves",
                () -> viewedCoins(s[1], key("auto0")) == 1
                        && viewedCoins(s[1], key("auto1")) == 2
                        && viewedCoins(s[1], key("auto2")) == 3);
        assertThat(a.backend.savesSent())
                .as("one save per changed profile in one period")
                .containsExactlyInAnyOrder(key("auto0"), key("auto1"), key("auto2"));
        int saves = a.backend.calls("save");
        int reads = a.backend.calls("readUpdates");
        vt.advance(AUTO_SAVE);
        awaitReal(
                "three unchanged checks (reads without the payload)",
                () -> a.backend.calls("readUpdates") >= reads + 3);
        assertThat(a.backend.calls("save"))
                .as("unchanged profiles are not rewritten")
                .isEqualTo(saves);

        profiles.get(1).edit(d -> d.coins = 20);
        vt.advance(AUTO_SAVE);
        awaitReal("the changed profile saved", () -> viewedCoins(s[1], key("auto1")) == 20);
        assertThat(a.backend.calls("save"))
                .as("only the changed profile was written")
                .isEqualTo(saves + 1);
        assertThat(profiles).allMatch(Profile::isActive);
    }

    // ================================================================ close

    @Test
    @DisplayName("close() locks the service, releases and saves every profile, and is idempotent")
    void closeReleasesEverything() {
        Server[] s = twoServers();
        Server a = s[0];
        assertThat(a.service.isServiceLocked()).isFalse();
        AtomicInteger releases = new AtomicInteger();
        List<Profile<PlayerData>> profiles = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Profile<PlayerData> p = a.load(key("close" + i));
            int v = 100 + i;
            p.edit(d -> d.coins = v);
            p.listenToRelease(releases::incrementAndGet);
            profiles.add(p);
        }
        driveRun(a.service::close);
        assertThat(a.service.isServiceLocked()).isTrue();
        assertThat(profiles).noneMatch(Profile::isActive);
        awaitReal("release listeners", () -> releases.get() == 3);
        for (int i = 0; i < 3; i++) {
            assertThat(viewedCoins(s[1], key("close" + i))).isEqualTo(100 + i);
            assertThat(raw().read(STORE, key("close" + i)).owner()).isNull();
        }
        assertThat(a.store().loadProfile(key("after")))
                .as("loads return empty once locked")
                .isEmpty();
        assertThat(a.store().viewProfile(key("close0"))).isEmpty();
        assertThat(a.store().globalUpdateProfile(key("close0"), u -> u.addActiveUpdate(Map.of())))
                .isEmpty();
        driveRun(a.service::close); // idempotent
        assertThat(admin(raw()).servers()).extracting(ServerLease::jobId).doesNotContain(a.jobId);
        assertThat(raw().read(STORE, key("after")).isEmpty()).isTrue();
    }
}
