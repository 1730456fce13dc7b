package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.profileservice.GlobalUpdate;
import dev.profileservice.GlobalUpdates;
import dev.profileservice.NotReleasedAction;
import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileServiceException;
import dev.profileservice.ProfileStore;
import dev.profileservice.Subscription;
import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The conformance suite every backend runs through the public API: every method of ProfileService's API,
 * every guarantee of the design (one writer, nothing acknowledged lost, exactly-once global
 * updates, bad data kept aside, bounded waits, clear errors) and the races between servers.
 *
 * <pre>{@code
 * class SqliteConformanceTest extends ProfileServiceConformanceTest {
 *     protected Backend openBackend() { return Backends.open("sqlite:" + file); }
 * }
 * }</pre>
 *
 * <p>How it runs, the servers of a test and the waits in virtual time: {@link ConformanceHarness}.
 */
public abstract class ProfileServiceConformanceTest extends ConformanceHarness {

    private static NotReleasedHandler handler(List<String> calls, NotReleasedAction action) {
        return (placeId, jobId) -> {
            calls.add(placeId + "/" + jobId);
            return action;
        };
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
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
        Server[] s = twoServers();
        assertThat(s[0].service.getPlaceId()).isEqualTo(s[0].placeId);
        assertThat(s[0].service.getJobId()).isEqualTo(s[0].jobId);
        String k = key("forms");
        Profile<PlayerData> p = drive(() -> s[0].store().loadProfile(k)).orElseThrow(); // FORCE_LOAD by default
        assertThat(p.isActive()).isTrue();
        GlobalUpdates sent = drive(s[1].store().globalUpdateProfileAsync(k, u -> u.addActiveUpdate(gift("async", 2))))
                .orElseThrow();
        assertThat(sent.getActiveUpdates())
                .extracting(u -> u.data().get("gift"))
                .containsExactly("async");
        List<Long> heard = new CopyOnWriteArrayList<>();
        p.getGlobalUpdates().listenToNewActiveUpdate((id, d) -> heard.add(id));
        long second = drive(s[1].store().globalUpdateProfileAsync(k, u -> u.addActiveUpdate(gift("async2", 3))))
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
                s[1].store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD);
        Profile<PlayerData> q = drive(f).orElseThrow();
        assertThat(q.getGlobalUpdates().getActiveUpdates()).hasSize(2);
    }

    @Test
    @DisplayName("a Map<String,Object> store loads, edits and saves like a class store")
    void mapStore() {
        Server[] s = twoServers();
        Profile<Map<String, Object>> p = drive(
                        s[0].mapStore().loadProfileAsync(key("m"), NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(p.getData()).containsEntry("Coins", 0);
        p.edit(d -> {
            d.put("Coins", 15);
            d.put("Inventory", new ArrayList<>(List.of("sword", "shield")));
            d.put("Nested", new LinkedHashMap<>(Map.of("level", 3)));
        });
        driveRun(p::release);
        Map<String, Object> seen =
                s[1].mapStore().viewProfile(key("m")).orElseThrow().getData();
        assertThat(((Number) seen.get("Coins")).intValue()).isEqualTo(15);
        assertThat(seen.get("Inventory")).isEqualTo(List.of("sword", "shield"));
        assertThat(seen.get("Nested")).isEqualTo(Map.of("level", 3));
        Profile<Map<String, Object>> again = drive(
                        s[1].mapStore().loadProfileAsync(key("m"), NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(((Number) again.getData().get("Coins")).intValue()).isEqualTo(15);
        again.setData(new HashMap<>(Map.of("Coins", 1)));
        driveRun(again::release);
        assertThat(((Number) s[0].mapStore()
                                .viewProfile(key("m"))
                                .orElseThrow()
                                .getData()
                                .get("Coins"))
                        .intValue())
                .isEqualTo(1);
    }

    @Test
    @DisplayName("metadata: create time from the clock, session load count per load, active session of the holder")
    void metadata() {
        Server[] s = twoServers();
        String k = key("meta");
        Instant created = vt.now();
        // an uncontended load needs no virtual time: keep the clock still so the create time is exact
        Profile<PlayerData> p = awaitReal(s[0].store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(p.getMetaData().getProfileCreateTime()).isEqualTo(created);
        assertThat(p.getMetaData().getSessionLoadCount()).isEqualTo(1);
        assertThat(p.getMetaData().getActiveSession()).contains(s[0].session());
        Profile<PlayerData> view =
                s[1].view(k).orElseThrow(() -> new AssertionError("a loaded profile is visible at once"));
        assertThat(view.getMetaData().getActiveSession()).contains(s[0].session());
        assertThat(view.getMetaData().getProfileCreateTime()).isEqualTo(created);
        assertThat(view.getMetaData().getSessionLoadCount()).isEqualTo(1);
        vt.advance(Duration.ofMinutes(5));
        driveRun(p::release);
        assertThat(p.getMetaData().getActiveSession()).isEmpty();
        Profile<PlayerData> released = s[1].view(k).orElseThrow();
        assertThat(released.getMetaData().getActiveSession()).isEmpty();
        assertThat(released.getMetaData().getProfileCreateTime()).isEqualTo(created);
        assertThat(released.getMetaData().getSessionLoadCount()).isEqualTo(1);

        Profile<PlayerData> p2 = s[1].load(k);
        assertThat(p2.getMetaData().getSessionLoadCount()).isEqualTo(2);
        assertThat(p2.getMetaData().getProfileCreateTime()).isEqualTo(created);
        assertThat(p2.getMetaData().getActiveSession()).contains(s[1].session());
        p2.save();
        advanceUntil(
                "B's session visible in a view",
                () -> s[0].view(k)
                        .orElseThrow()
                        .getMetaData()
                        .getActiveSession()
                        .equals(Optional.of(s[1].session())));
        driveRun(p2::release);
        Profile<PlayerData> p3 = s[0].load(k);
        assertThat(p3.getMetaData().getSessionLoadCount()).isEqualTo(3);
    }

    @Test
    @DisplayName("meta tags are saved with the data; MetaTagsLatest changes only after a save")
    void metaTags() {
        Server[] s = twoServers();
        String k = key("tags");
        Profile<PlayerData> p = s[0].load(k);
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
        assertThat(s[1].view(k).orElseThrow().getMetaTag("Purchase")).isEqualTo("abc-1");
        assertThatThrownBy(() -> p.setMetaTag(null, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.setMetaTag("", 1)).isInstanceOf(IllegalArgumentException.class);
        p.setMetaTag("Count", 2);
        driveRun(p::release);
        Profile<PlayerData> again = s[1].load(k);
        assertThat(again.getMetaTag("Purchase")).isEqualTo("abc-1");
        assertThat(((Number) again.getMetaTag("Count")).intValue()).isEqualTo(2);
        assertThat(again.getMetaData().getMetaTagsLatest()).containsEntry("Purchase", "abc-1");
    }

    @Test
    @DisplayName("release() is durable when it returns; a released profile refuses writes")
    void releaseIsDurable() {
        Server[] s = twoServers();
        String k = key("rel");
        Profile<PlayerData> p = s[0].load(k);
        AtomicInteger releases = new AtomicInteger();
        p.listenToRelease(releases::incrementAndGet);
        p.edit(d -> {
            d.coins = 5;
            d.items.add("gem");
        });
        driveRun(p::release);
        assertThat(p.isActive()).isFalse();
        Profile<PlayerData> seen = s[1].view(k).orElseThrow();
        assertThat(seen.getData().coins).isEqualTo(5);
        assertThat(seen.getData().items).containsExactly("gem");
        StoredProfile record = raw().read(STORE, k);
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
        Server[] s = twoServers();
        String k = key("view");
        assertThat(s[1].view(key("never"))).isEmpty();
        assertThat(raw().read(STORE, key("never")).isEmpty())
                .as("a view creates nothing")
                .isTrue();

        drive(() -> s[1].store().globalUpdateProfile(key("giftonly"), u -> u.addActiveUpdate(Map.of("gift", 1))));
        assertThat(s[1].view(key("giftonly"))).as("no payload was ever saved").isEmpty();

        Profile<PlayerData> p = s[0].load(k);
        p.edit(d -> d.coins = 9);
        p.save();
        advanceUntil("saved", () -> viewedCoins(s[1], k) == 9);
        Profile<PlayerData> v = s[1].view(k).orElseThrow();
        assertThat(v.isActive()).isFalse();
        assertThat(v.getKey()).isEqualTo(k);
        assertThat(v.getMetaData().getActiveSession()).contains(s[0].session());
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
        assertThat(raw().read(STORE, k).owner().jobId()).isEqualTo(s[0].jobId);
        p.edit(d -> d.coins = 10);
        driveRun(p::release);
        assertThat(viewedCoins(s[1], k)).isEqualTo(10);
        assertThat(v.getData().coins).as("a view is a snapshot").isEqualTo(9);
    }

    @Test
    @DisplayName(
            "a profile exists from its first load: any server's view sees the template and the session at once, nothing saved yet")
    void firstLoadCreatesTheProfile() {
        Server[] s = twoServers();
        String k = key("first");
        s[0].backend.resetCounts();
        Profile<PlayerData> p = awaitReal(s[0].store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(s[0].backend.calls("acquire"))
                .as("the lock and the profile in one call")
                .isEqualTo(1);
        assertThat(s[0].backend.calls("save") + s[0].backend.calls("saveBatch"))
                .as("no save needed to exist")
                .isZero();

        Profile<PlayerData> v =
                s[1].view(k).orElseThrow(() -> new AssertionError("another server sees the new profile"));
        assertThat(v.getData().coins).isZero();
        assertThat(v.getData().items).isEmpty();
        assertThat(v.getMetaData().getActiveSession()).contains(s[0].session());
        assertThat(v.getMetaData().getSessionLoadCount()).isEqualTo(1);
        assertThat(v.getMetaData().getProfileCreateTime())
                .isEqualTo(p.getMetaData().getProfileCreateTime());

        for (int period = 1; period <= 2; period++) {
            int reads = period;
            vt.advance(AUTO_SAVE);
            awaitReal("auto-save check " + period, () -> s[0].backend.calls("readUpdates") >= reads);
        }
        assertThat(s[0].backend.calls("save") + s[0].backend.calls("saveBatch"))
                .as("an untouched new profile is never rewritten")
                .isZero();
        driveRun(p::release);
        Profile<PlayerData> after = s[1].view(k).orElseThrow();
        assertThat(after.getMetaData().getActiveSession()).isEmpty();
        assertThat(after.getMetaData().getSessionLoadCount()).isEqualTo(1);
        assertThat(drive(s[1].store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD))
                        .orElseThrow()
                        .getMetaData()
                        .getSessionLoadCount())
                .isEqualTo(2);
    }

    // ================================================================ auto-save

    @Test
    @DisplayName("auto-save writes each changed profile once per period and never rewrites an unchanged one")
    void autoSave() {
        Server[] s = twoServers();
        Server a = s[0];
        List<Profile<PlayerData>> profiles = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Profile<PlayerData> p = a.load(key("auto" + i));
            int v = i + 1;
            p.edit(d -> d.coins = v);
            profiles.add(p);
        }
        a.backend.resetCounts();
        vt.advance(AUTO_SAVE);
        awaitReal(
                "three auto-saves",
                () -> viewedCoins(s[1], key("auto0")) == 1
                        && viewedCoins(s[1], key("auto1")) == 2
                        && viewedCoins(s[1], key("auto2")) == 3);
        assertThat(a.backend.calls("save"))
                .as("one save per profile in one period")
                .isEqualTo(3);
        int reads = a.backend.calls("readUpdates");
        vt.advance(AUTO_SAVE);
        awaitReal(
                "three unchanged checks (reads without the payload)",
                () -> a.backend.calls("readUpdates") >= reads + 3);
        assertThat(a.backend.calls("save"))
                .as("unchanged profiles are not rewritten")
                .isEqualTo(3);

        profiles.get(1).edit(d -> d.coins = 20);
        vt.advance(AUTO_SAVE);
        awaitReal("the changed profile saved", () -> viewedCoins(s[1], key("auto1")) == 20);
        assertThat(a.backend.calls("save"))
                .as("only the changed profile was written")
                .isEqualTo(4);
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

    // ================================================================ races

    @Test
    @DisplayName("two servers load one key at once with a CANCEL handler: exactly one gets it")
    void twoServersLoadOneKeyAtOnceCancel() {
        Server[] s = twoServers();
        for (int i = 0; i < 10; i++) {
            String k = key("race" + i);
            List<String> calls = new CopyOnWriteArrayList<>();
            CompletableFuture<Optional<Profile<PlayerData>>> fa =
                    s[0].store().loadProfileAsync(k, handler(calls, NotReleasedAction.CANCEL));
            CompletableFuture<Optional<Profile<PlayerData>>> fb =
                    s[1].store().loadProfileAsync(k, handler(calls, NotReleasedAction.CANCEL));
            Optional<Profile<PlayerData>> ra = drive(fa);
            Optional<Profile<PlayerData>> rb = drive(fb);
            assertThat(ra.isPresent() ^ rb.isPresent())
                    .as("exactly one of A and B got %s", k)
                    .isTrue();
            Server winner = ra.isPresent() ? s[0] : s[1];
            assertThat(calls)
                    .as("the loser's handler saw the winner")
                    .containsOnly(winner.placeId + "/" + winner.jobId);
            assertThat(raw().read(STORE, k).owner().jobId()).isEqualTo(winner.jobId);
        }
    }

    @Test
    @DisplayName("two servers load one key at once with FORCE_LOAD: both load in turn, the first one is released")
    void twoServersLoadOneKeyAtOnceForceLoad() {
        Server[] s = twoServers();
        String k = key("both");
        CompletableFuture<Optional<Profile<PlayerData>>> fa =
                s[0].store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD);
        CompletableFuture<Optional<Profile<PlayerData>>> fb =
                s[1].store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD);
        Profile<PlayerData> pa = drive(fa).orElseThrow(() -> new AssertionError("A's FORCE_LOAD returned empty"));
        Profile<PlayerData> pb = drive(fb).orElseThrow(() -> new AssertionError("B's FORCE_LOAD returned empty"));
        advanceUntil("exactly one active", () -> pa.isActive() ^ pb.isActive());
        Profile<PlayerData> first = pa.isActive() ? pb : pa;
        Profile<PlayerData> last = pa.isActive() ? pa : pb;
        AtomicBoolean released = new AtomicBoolean();
        first.listenToRelease(() -> released.set(true));
        awaitReal("first holder's release listener", released::get);
        last.edit(d -> d.coins = 77);
        driveRun(last::release);
        assertThat(viewedCoins(s[0], k)).isEqualTo(77);
    }

    @Test
    @DisplayName("a live owner asked by FORCE_LOAD hands over at once, with its unsaved edits")
    void forceLoadFromLiveOwnerIsPrompt() {
        Assumptions.assumeTrue(
                raw().messageBus().isPresent(), "the store has no message bus: hand-over goes through the timeout");
        Server[] s = twoServers();
        String k = key("handover");
        Profile<PlayerData> pa = s[0].load(k);
        AtomicInteger released = new AtomicInteger();
        pa.listenToRelease(released::incrementAndGet);
        pa.edit(d -> d.items.add("unsaved-edit"));
        Instant start = vt.now();
        Profile<PlayerData> pb = drive(
                        s[1].store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD), Duration.ofMillis(10))
                .orElseThrow();
        assertThat(Duration.between(start, vt.now()))
                .as("handed over before the force-load timeout")
                .isLessThan(FORCE_LOAD_TIMEOUT);
        assertThat(pb.getData().items).as("A released with a final save").containsExactly("unsaved-edit");
        assertThat(pa.isActive()).isFalse();
        awaitReal("A's release listener", () -> released.get() == 1);
        assertThat(pb.getMetaData().getSessionLoadCount()).isEqualTo(2);
    }

    @Test
    @DisplayName("REPEAT asks the handler again (with the owner's place and job) until the owner releases")
    void repeatHandler() {
        Server[] s = twoServers();
        String k = key("repeat");
        Profile<PlayerData> pa = s[0].load(k);
        pa.edit(d -> d.coins = 4);
        List<String> calls = new CopyOnWriteArrayList<>();
        CompletableFuture<Optional<Profile<PlayerData>>> fb =
                s[1].store().loadProfileAsync(k, handler(calls, NotReleasedAction.REPEAT));
        advanceUntil("handler asked twice", () -> calls.size() >= 2);
        assertThat(fb).isNotDone();
        assertThat(pa.isActive()).as("REPEAT never takes the profile").isTrue();
        assertThat(calls).containsOnly(s[0].placeId + "/" + s[0].jobId);
        driveRun(pa::release);
        Profile<PlayerData> pb = drive(fb).orElseThrow();
        assertThat(pb.getData().coins).isEqualTo(4);
    }

    @Test
    @DisplayName(
            "a steal during a save: the old owner's save is refused, it becomes inactive, the new owner's data wins")
    void stealDuringSave() {
        Server[] s = twoServers();
        // no bus: A is never asked to release, so B must steal after the force-load timeout
        s[0].backend.disableBus(true);
        s[1].backend.disableBus(true);
        stealDuringSave(s, false);
    }

    @Test
    @DisplayName("a steal during a save while the owner is asked over the bus: same outcome")
    void stealDuringSaveWithBus() {
        Assumptions.assumeTrue(raw().messageBus().isPresent(), "this store has no message bus");
        stealDuringSave(twoServers(), true);
    }

    private void stealDuringSave(Server[] s, boolean bus) {
        String k = key("steal");
        Profile<PlayerData> pa = s[0].load(k);
        AtomicInteger released = new AtomicInteger();
        pa.listenToRelease(released::incrementAndGet);
        pa.edit(d -> d.coins = 1);
        pa.save();
        advanceUntil("first save", () -> viewedCoins(s[1], k) == 1);

        FaultInjectingBackend.Pause pause = s[0].backend.pause("save", k);
        pa.edit(d -> d.coins = 2);
        pa.save();
        pause.awaitBlocked();
        Profile<PlayerData> pb = drive(s[1].store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(pb.getData().coins).as("B starts from the last durable save").isEqualTo(1);
        if (bus) {
            assertThat(pa.isActive())
                    .as("asked over the bus, A began its release before B stole")
                    .isFalse();
        } else {
            assertThat(pa.isActive())
                    .as("never asked, A learns only when its save is refused")
                    .isTrue();
        }
        pb.edit(d -> d.coins = 100);
        pause.release();
        awaitReal("A learns it lost the session", () -> !pa.isActive());
        awaitReal("A's release listener", () -> released.get() == 1);
        assertThat(viewedCoins(s[1], k)).as("A's save was refused").isEqualTo(1);
        driveRun(pb::release);
        assertThat(viewedCoins(s[0], k)).as("B's data wins").isEqualTo(100);
        assertThat(raw().read(STORE, k).owner()).isNull();
        assertThat(released).hasValue(1);
    }

    @Test
    @DisplayName("a save during release: release waits for the save in flight, then saves the latest data")
    void saveDuringRelease() {
        Server[] s = twoServers();
        String k = key("saverel");
        Profile<PlayerData> pa = s[0].load(k);
        pa.edit(d -> d.coins = 1);
        s[0].backend.resetCounts();
        FaultInjectingBackend.Pause pause = s[0].backend.pause("save", k);
        pa.save();
        pause.awaitBlocked();
        pa.edit(d -> d.coins = 2); // edited while the save is in flight
        CompletableFuture<Void> release = CompletableFuture.runAsync(pa::release, callers);
        awaitReal("release begun", () -> !pa.isActive());
        assertThat(release)
                .as("release cannot finish while a save is in flight")
                .isNotDone();
        pause.release();
        drive(release);
        assertThat(viewedCoins(s[1], k)).isEqualTo(2);
        assertThat(raw().read(STORE, k).owner()).isNull();
        assertThat(s[0].backend.calls("save"))
                .as("the save in flight, then one release save")
                .isEqualTo(2);
    }

    /** Processes gifts the documented way: lock what arrives, apply + clear in one edit. */
    private void processGifts(Profile<PlayerData> p) {
        GlobalUpdates g = p.getGlobalUpdates();
        g.listenToNewActiveUpdate((id, data) -> {
            try {
                g.lockActiveUpdate(id);
            } catch (IllegalStateException | IllegalArgumentException ignored) {
                // lost the session meanwhile, or locked already
            }
        });
        g.listenToNewLockedUpdate((id, data) -> apply(p, id, data));
        for (GlobalUpdate u : g.getLockedUpdates()) {
            apply(p, u.id(), u.data());
        }
        for (GlobalUpdate u : g.getActiveUpdates()) {
            try {
                g.lockActiveUpdate(u.id());
            } catch (IllegalStateException | IllegalArgumentException ignored) {
                // see above
            }
        }
    }

    private static void apply(Profile<PlayerData> p, long id, Map<String, Object> data) {
        try {
            p.edit(d -> {
                d.coins += ((Number) data.get("amount")).intValue();
                d.items.add(String.valueOf(data.get("gift")));
                p.getGlobalUpdates().clearLockedUpdate(id); // in the same edit: saved atomically with the data
            });
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // the session was lost: the next owner processes it
        }
    }

    private static Map<String, Object> gift(String id, int amount) {
        return Map.of("gift", id, "amount", amount);
    }

    private boolean noUpdatesLeft(Server viewer, String k) {
        Optional<Profile<PlayerData>> v = viewer.view(k);
        return v.isPresent()
                && v.get().getGlobalUpdates().getActiveUpdates().isEmpty()
                && v.get().getGlobalUpdates().getLockedUpdates().isEmpty();
    }

    @Test
    @DisplayName("a gift sent while the owner saves is neither lost nor applied twice")
    void giftWhileOwnerSaves() {
        Server[] s = twoServers();
        Server sender = server("C");
        String k = key("gift");
        Profile<PlayerData> pa = s[0].load(k);
        processGifts(pa);

        FaultInjectingBackend.Pause pause = s[0].backend.pause("save", k);
        pa.edit(d -> d.items.add("before"));
        pa.save();
        pause.awaitBlocked();
        drive(() -> sender.store().globalUpdateProfile(k, u -> u.addActiveUpdate(gift("g1", 10))));
        pause.release();
        advanceUntil("g1 applied", () -> viewedCoins(s[1], k) == 10 && noUpdatesLeft(s[1], k));

        // the owner's lock save is in flight when other gifts arrive: they do not conflict with it
        FaultInjectingBackend.Pause pause2 = s[0].backend.pause("save", k);
        drive(() -> sender.store().globalUpdateProfile(k, u -> u.addActiveUpdate(gift("g2", 20))));
        advanceUntil("owner saving the lock of g2", () -> pause2.blockedCalls() > 0);
        drive(() -> sender.store().globalUpdateProfile(k, u -> u.addActiveUpdate(gift("g3", 30))));
        pause2.release();
        try {
            advanceUntil("g2 and g3 applied", () -> viewedCoins(s[1], k) == 60 && noUpdatesLeft(s[1], k));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Profile<PlayerData> v = s[1].view(k).orElseThrow();
            throw new AssertionError(
                    "gifts g2/g3 not both applied: stored coins=" + v.getData().coins + " (want 60), items="
                            + v.getData().items + ", stored active="
                            + v.getGlobalUpdates().getActiveUpdates()
                            + ", owner's active=" + pa.getGlobalUpdates().getActiveUpdates()
                            + " (an update that stays Active was never announced to listenToNewActiveUpdate)",
                    e);
        }
        driveRun(pa::release);
        PlayerData end = s[1].view(k).orElseThrow().getData();
        assertThat(end.coins).isEqualTo(60);
        assertThat(end.items).containsExactly("before", "g1", "g2", "g3");
    }

    @Test
    @DisplayName("a gift locked by a save whose reply was lost stays locked: applied once, not dropped")
    void giftLockedBySaveWithLostReply() {
        Server[] s = twoServers();
        Server sender = server("C");
        String k = key("lostreply");
        Profile<PlayerData> pa = s[0].load(k);
        List<Long> lockedSeen = new CopyOnWriteArrayList<>();
        GlobalUpdates g = pa.getGlobalUpdates();
        g.listenToNewActiveUpdate((id, data) -> {
            // the save that locks the gift reaches the store, but its reply is lost: the engine only sees an error
            s[0].backend.loseNextReply("save", 1);
            g.lockActiveUpdate(id);
        });
        g.listenToNewLockedUpdate((id, data) -> {
            lockedSeen.add(id);
            apply(pa, id, data);
        });
        int savesBefore = s[0].backend.calls("save");
        drive(() -> sender.store().globalUpdateProfile(k, u -> u.addActiveUpdate(gift("g1", 10))));
        advanceUntil("g1 applied after the retry", () -> viewedCoins(s[1], k) == 10 && noUpdatesLeft(s[1], k));
        assertThat(s[0].backend.injectedFailures("save"))
                .as("the lost reply happened")
                .isEqualTo(1);
        assertThat(s[0].backend.calls("save") - savesBefore)
                .as("lock (lost reply), rebase, apply+clear")
                .isGreaterThanOrEqualTo(3);
        assertThat(s[0].issues).anySatisfy(m -> assertThat(m).contains("injected lost reply"));
        assertThat(lockedSeen).as("Locked listener fired once for the gift").hasSize(1);
        driveRun(pa::release);
        PlayerData end = s[1].view(k).orElseThrow().getData();
        assertThat(end.coins).isEqualTo(10);
        assertThat(end.items).containsExactly("g1");
    }

    @Test
    @DisplayName("saves that are due together share round trips when the store batches; each stays fenced")
    void savesDueTogetherShareRoundTrips() {
        Server a = server("A");
        int n = 30;
        List<Profile<PlayerData>> profiles = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            profiles.add(a.load(key("batch" + i)));
        }
        String stolen = key("batch7");
        // another server steals one of them behind A's back: its save in the batch must be refused alone
        AcquireResult steal = raw().acquire(
                        STORE,
                        stolen,
                        new Owner("thief", "p", "j"),
                        raw().read(STORE, stolen).epoch(),
                        raw().read(STORE, stolen).payload());
        assertThat(steal.acquired()).isTrue();
        a.backend.resetCounts();
        // hold the first save at the store, so the others queue up behind it and go out together
        FaultInjectingBackend.Pause pause = a.backend.pause("save", key("batch0"));
        profiles.get(0).edit(d -> d.coins = 1);
        profiles.get(0).save();
        pause.awaitBlocked();
        for (int i = 1; i < n; i++) {
            int coins = i + 1;
            profiles.get(i).edit(d -> d.coins = coins);
            profiles.get(i).save();
        }
        pause.release();
        advanceUntil("every save done", () -> {
            for (int i = 0; i < n; i++) {
                if (i != 7 && viewedCoins(a, key("batch" + i)) != i + 1) {
                    return false;
                }
            }
            return !profiles.get(7).isActive();
        });
        assertThat(viewedCoins(a, stolen))
                .as("A's edit (8) not written over the thief's session: the data A's load created")
                .isZero();
        assertThat(raw().read(STORE, stolen).owner().serverId()).isEqualTo("thief");
        assertThat(profiles.stream().filter(Profile::isActive).count()).isEqualTo(n - 1);
        assertThat(a.backend.calls("save"))
                .as("each profile's save sent once, alone or in a batch")
                .isEqualTo(n);
        int batchSize = a.backend.maxBatchSize();
        if (batchSize >= n) {
            assertThat(a.backend.calls("saveBatch"))
                    .as("the " + (n - 1) + " saves queued behind the first, in batches of up to " + batchSize)
                    .isBetween(1, 3);
        } else if (batchSize == 1) {
            assertThat(a.backend.calls("saveBatch"))
                    .as("a store that does not batch gets single saves")
                    .isZero();
        }
    }

    @Test
    @DisplayName(
            "exactly-once gifts under a fuzz: several senders, hand-overs and hard steals; every gift applied once")
    @Timeout(120)
    void exactlyOnceGiftsFuzz() throws Exception {
        Server[] owners = twoServers();
        Server[] senders = {server("S1"), server("S2"), server("S3")};
        String k = key("fuzz");
        int perSender = 8;
        Random random = new Random(7);
        Profile<PlayerData> current = owners[0].load(k);
        int holder = 0;
        List<Profile<PlayerData>> byOwner = new ArrayList<>(java.util.Arrays.asList(current, null));
        processGifts(current);

        List<CompletableFuture<Void>> sending = new ArrayList<>();
        for (int si = 0; si < senders.length; si++) {
            Server sender = senders[si];
            String name = "s" + si;
            sending.add(CompletableFuture.runAsync(
                    () -> {
                        for (int i = 0; i < perSender; i++) {
                            String id = name + "-" + i;
                            sender.store().globalUpdateProfile(k, u -> u.addActiveUpdate(gift(id, 1)));
                        }
                    },
                    callers));
        }
        for (int round = 0; round < 6; round++) {
            vt.advance(Duration.ofMillis(random.nextInt(2000)));
            int next = 1 - holder;
            Profile<PlayerData> previous = byOwner.get(next);
            if (previous != null) {
                // a service cannot load a key it still believes it holds: wait until it noticed the loss
                advanceUntil("owner " + next + " noticed its session ended", () -> !previous.isActive());
            }
            if (random.nextBoolean()) {
                admin(raw()).forceRelease(STORE, k); // a hard steal: the holder learns it at its next write
            }
            Profile<PlayerData> p = drive(owners[next].store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD))
                    .orElseThrow(() -> new AssertionError("hand-over load returned empty"));
            processGifts(p);
            current = p;
            holder = next;
            byOwner.set(next, p);
        }
        drive(CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)));
        int total = perSender * senders.length;
        Profile<PlayerData> last = current;
        try {
            advanceUntil("every gift processed", () -> {
                if (last.isActive()) {
                    last.save();
                }
                return noUpdatesLeft(senders[0], k) && viewedCoins(senders[0], k) == total;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            Profile<PlayerData> v = senders[0].view(k).orElseThrow();
            throw new AssertionError(
                    "gifts not all processed: stored coins=" + v.getData().coins + " of " + total
                            + ", stored active=" + v.getGlobalUpdates().getActiveUpdates()
                            + ", stored locked=" + v.getGlobalUpdates().getLockedUpdates()
                            + ", owner active=" + last.isActive() + ", owner's active="
                            + last.getGlobalUpdates().getActiveUpdates()
                            + ", owner's locked=" + last.getGlobalUpdates().getLockedUpdates(),
                    e);
        }
        driveRun(last::release);
        PlayerData end = senders[0].view(k).orElseThrow().getData();
        List<String> expected = new ArrayList<>();
        for (int si = 0; si < senders.length; si++) {
            for (int i = 0; i < perSender; i++) {
                expected.add("s" + si + "-" + i);
            }
        }
        assertThat(end.items).as("every gift exactly once").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(end.coins).isEqualTo(total);
    }

    @Test
    @DisplayName(
            "a storm of gifts to one profile from three services on many threads, while it changes hands and while it is"
                    + " offline: every gift applied exactly once, no send fails, and adds never read the inbox")
    @Timeout(180)
    void giftStorm() throws Exception {
        Server[] owners = twoServers();
        Server[] senders = {server("S1"), server("S2"), server("S3")};
        String k = key("storm");
        int threads = 4;
        int each = 15;
        Profile<PlayerData> first = owners[0].load(k);
        processGifts(first);
        List<String> expected = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> sending = storm(senders, k, "on", threads, each, expected);
        // hand the profile over in the middle of the storm
        Profile<PlayerData> second = drive(owners[1].store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        processGifts(second);
        drive(CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)));
        driveRun(second::release);

        // and while nobody holds it: the next load picks every one up
        drive(CompletableFuture.allOf(
                storm(senders, k, "off", threads, each, expected).toArray(CompletableFuture[]::new)));
        // owners[0] may have lost the profile by a steal it has not noticed yet (a store without a
        // bus): its next save tells it, and only then may it load the profile again
        advanceUntil("the first owner let go", () -> {
            if (first.isActive()) {
                first.save();
            }
            return !first.isActive();
        });
        Profile<PlayerData> third = owners[0].load(k);
        processGifts(third);
        int total = expected.size();
        advanceUntil("every gift processed", () -> {
            if (third.isActive()) {
                third.save();
            }
            return viewedCoins(owners[1], k) == total && noUpdatesLeft(owners[1], k);
        });
        driveRun(third::release);
        PlayerData end = owners[1].view(k).orElseThrow().getData();
        assertThat(end.items)
                .as("every gift exactly once")
                .hasSize(total)
                .containsExactlyInAnyOrderElementsOf(expected);
        for (Server sender : senders) {
            assertThat(sender.backend.calls("read") + sender.backend.calls("readUpdates"))
                    .as("a sender that only adds never reads the inbox")
                    .isZero();
            assertThat(sender.backend.calls("sendUpdates"))
                    .as("sends, each carrying the adds queued meanwhile")
                    .isBetween(1, 2 * threads * each);
        }
    }

    /** {@code threads} callers on each sender, each sending {@code each} gifts one by one; their ids go to {@code sent}. */
    private List<CompletableFuture<Void>> storm(
            Server[] senders, String k, String phase, int threads, int each, List<String> sent) {
        List<CompletableFuture<Void>> sending = new ArrayList<>();
        for (int si = 0; si < senders.length; si++) {
            for (int t = 0; t < threads; t++) {
                Server sender = senders[si];
                String name = phase + "-s" + si + "-t" + t;
                sending.add(CompletableFuture.runAsync(
                        () -> {
                            for (int i = 0; i < each; i++) {
                                String id = name + "-" + i;
                                assertThat(sender.store().globalUpdateProfile(k, u -> u.addActiveUpdate(gift(id, 1))))
                                        .isPresent();
                                sent.add(id);
                            }
                        },
                        callers));
            }
        }
        return sending;
    }

    @Test
    @DisplayName(
            "a full inbox of a profile whose owner is online slows its senders down instead of failing them: every gift"
                    + " is applied exactly once")
    @Timeout(120)
    void fullInboxOfAnOnlineOwnerDelaysSenders() {
        Server owner = server("O");
        Server sender = server("S", b -> b.maxPendingUpdates(2));
        String k = key("backpressure");
        Profile<PlayerData> p = owner.load(k);
        processGifts(p);
        List<String> expected = new CopyOnWriteArrayList<>();
        drive(CompletableFuture.allOf(
                storm(new Server[] {sender}, k, "bp", 4, 5, expected).toArray(CompletableFuture[]::new)));
        advanceUntil("every gift processed", () -> {
            if (p.isActive()) {
                p.save();
            }
            return viewedCoins(owner, k) == expected.size() && noUpdatesLeft(owner, k);
        });
        driveRun(p::release);
        assertThat(owner.view(k).orElseThrow().getData().items)
                .as("every gift exactly once")
                .hasSize(20)
                .containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    @DisplayName(
            "a send over maxPendingUpdates fails with IllegalStateException naming the limit, and nothing of it is written")
    void pendingUpdatesAreBounded() {
        Server sender = server("S", b -> b.maxPendingUpdates(3));
        String k = key("full");
        for (int i = 0; i < 3; i++) {
            int n = i;
            drive(() -> sender.store().globalUpdateProfile(k, u -> u.addActiveUpdate(gift("g" + n, 1))));
        }
        assertThatThrownBy(() -> drive(() -> sender.store().globalUpdateProfile(k, u -> {
                    u.addActiveUpdate(gift("g3", 1));
                    u.addActiveUpdate(gift("g4", 1));
                })))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("3")
                .hasMessageContaining(k);
        assertThat(raw().read(STORE, k).updates()).as("the first three only").hasSize(3);
    }

    @Test
    @DisplayName("a send whose reply was lost is retried with the same token: the gift is added once")
    void sendWithLostReplyAddsOnce() {
        Server sender = server("S");
        String k = key("lostsend");
        sender.backend.loseNextReply("sendUpdates", 1);
        drive(() -> sender.store().globalUpdateProfile(k, u -> u.addActiveUpdate(gift("g", 1))));
        assertThat(sender.backend.injectedFailures("sendUpdates"))
                .as("the lost reply happened")
                .isEqualTo(1);
        assertThat(raw().read(STORE, k).updates()).as("one update, not two").hasSize(1);
    }

    @Test
    @DisplayName(
            "a sender's change racing the owner's lock: written first, the owner's save is refused and it locks the changed"
                    + " data; the other way round, the handler sees the update Locked")
    void changeRacingTheLock() {
        Server[] s = twoServers();
        Server sender = server("C");
        String k = key("race");
        Profile<PlayerData> pa = s[0].load(k);
        processGifts(pa);

        // the owner's save that locks g1 is held at the store while the sender changes g1
        FaultInjectingBackend.Pause pause = s[0].backend.pause("save", k);
        drive(() -> sender.store().globalUpdateProfile(k, u -> u.addActiveUpdate(gift("g1", 10))));
        advanceUntil(
                "owner saving the lock of g1",
                () -> pause.blockedCalls() > 0); // stores without a bus: at the next tick
        List<String> seen = new CopyOnWriteArrayList<>();
        drive(() -> sender.store().globalUpdateProfile(k, u -> {
            seen.add("active=" + u.getActiveUpdates().size() + " locked="
                    + u.getLockedUpdates().size());
            u.getActiveUpdates().forEach(g -> u.changeActiveUpdate(g.id(), gift("g1-changed", 99)));
        }));
        assertThat(seen).as("the handler saw g1 Active").containsExactly("active=1 locked=0");
        pause.release();
        advanceUntil("the changed gift applied", () -> viewedCoins(s[1], k) == 99 && noUpdatesLeft(s[1], k));

        // now the owner's lock is written first: a handler then no longer finds the gift Active
        drive(() -> sender.store().globalUpdateProfile(k, u -> u.addActiveUpdate(gift("g2", 5))));
        advanceUntil(
                "g2 taken out of the inbox",
                () -> raw().read(STORE, k).updates().isEmpty());
        seen.clear();
        drive(() -> sender.store().globalUpdateProfile(k, u -> {
            seen.add("active=" + u.getActiveUpdates().size());
            u.getActiveUpdates().forEach(g -> u.changeActiveUpdate(g.id(), gift("late", 1000)));
        }));
        assertThat(seen).containsExactly("active=0");
        advanceUntil("g2 applied unchanged", () -> viewedCoins(s[1], k) == 104 && noUpdatesLeft(s[1], k));
        driveRun(pa::release);
        assertThat(s[1].view(k).orElseThrow().getData().items).containsExactly("g1-changed", "g2");
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

    // ================================================================ corruption

    @Test
    @DisplayName("a corrupt record is reported, kept in quarantine, and the profile starts from the template")
    void corruptRecord() {
        Server[] s = twoServers();
        String k = key("corrupt");
        byte[] garbage = utf8("\u0000not a profile {{{");
        writeRaw(k, garbage);

        Profile<PlayerData> p = s[0].load(k);
        awaitReal("corruption signal", () -> s[0].corruptions.contains(STORE + "/" + k));
        assertThat(admin(raw()).quarantineCount(STORE, k)).isEqualTo(1);
        assertThat(p.isActive()).isTrue();
        assertThat(p.getData().coins).isZero();
        assertThat(p.getData().items).isEmpty();
        p.edit(d -> d.coins = 5);
        driveRun(p::release);
        assertThat(viewedCoins(s[1], k)).isEqualTo(5);
        assertThat(admin(raw()).quarantineCount(STORE, k)).as("the copy stays").isEqualTo(1);
        Profile<PlayerData> again = s[1].load(k);
        assertThat(again.getData().coins).isEqualTo(5);
        assertThat(admin(raw()).quarantineCount(STORE, k)).isEqualTo(1);
        assertThat(s[1].corruptions).isEmpty();
    }

    @Test
    @DisplayName("a record whose data has the wrong types is treated as corrupt")
    void wrongTypesAreCorrupt() {
        Server[] s = twoServers();
        String k = key("types");
        Profile<PlayerData> p = s[0].load(k);
        p.edit(d -> d.coins = 12345);
        driveRun(p::release);
        String text = new String(raw().read(STORE, k).payload(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(text.contains("12345"), "payload encoding is not textual JSON");
        writeRaw(k, utf8(text.replace("12345", "\"lots\"")));
        Profile<PlayerData> again = s[1].load(k);
        awaitReal("corruption signal", () -> s[1].corruptions.contains(STORE + "/" + k));
        assertThat(again.getData().coins).isZero();
        assertThat(admin(raw()).quarantineCount(STORE, k)).isEqualTo(1);
    }

    @Test
    @DisplayName(
            "a global update that cannot be decoded is reported, kept aside and taken out of the inbox; later gifts work")
    void corruptUpdate() {
        Server[] s = twoServers();
        String k = key("badupdate");
        SendResult sent =
                raw().sendUpdates(STORE, k, List.of(new UpdateOp.Add("vandal-" + prefix, utf8("garbage]]"))), 1000);
        assertThat(sent.status()).isEqualTo(SendResult.Status.APPLIED);
        Profile<PlayerData> p = s[0].load(k);
        processGifts(p);
        awaitReal("corruption signal", () -> s[0].corruptions.contains(STORE + "/" + k));
        assertThat(admin(raw()).quarantineCount(STORE, k)).isEqualTo(1);
        assertThat(p.isActive()).isTrue();
        assertThat(p.getGlobalUpdates().getActiveUpdates())
                .as("not offered to the game")
                .isEmpty();
        p.save();
        advanceUntil(
                "taken out of the inbox", () -> raw().read(STORE, k).updates().isEmpty());
        drive(() -> s[1].store().globalUpdateProfile(k, u -> u.addActiveUpdate(gift("late", 3))));
        advanceUntil("gift applied", () -> viewedCoins(s[1], k) == 3);
    }

    /** Writes {@code payload} as the record of {@code key} (acquire + release-save as a foreign server), leaving it unowned. */
    protected void writeRaw(String key, byte[] payload) {
        Owner vandal = new Owner("vandal-" + prefix, "vandal", "vandal");
        var acquired = raw().acquire(STORE, key, vandal, -1, payload);
        assertThat(acquired.acquired()).as("raw acquire of " + key).isTrue();
        SaveResult r = raw().save(
                        STORE,
                        key,
                        SaveRequest.of(vandal.serverId(), acquired.record().epoch(), payload, true));
        assertThat(r.status()).isEqualTo(SaveResult.Status.SAVED);
    }

    // ================================================================ bad input

    @Test
    @DisplayName("bad keys: IllegalArgumentException naming the problem, nothing sent to the store")
    void badKeys() {
        Server a = server("A");
        a.backend.resetCounts();
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put(null, "null");
        bad.put("", "empty");
        bad.put("k".repeat(201), "200");
        bad.put("ab\ncd", "control");
        bad.put("tab\there", "control");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            String k = e.getKey();
            String word = e.getValue();
            assertThatThrownBy(() -> a.store().loadProfile(k))
                    .as("loadProfile(%s)", word)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(word);
            assertThatThrownBy(() -> a.store().viewProfile(k))
                    .as("viewProfile(%s)", word)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(word);
            assertThatThrownBy(() -> a.store().globalUpdateProfile(k, u -> u.addActiveUpdate(Map.of())))
                    .as("globalUpdateProfile(%s)", word)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(word);
        }
        assertThat(a.backend.calls("acquire") + a.backend.calls("read") + a.backend.calls("sendUpdates"))
                .as("nothing reached the store")
                .isZero();
        String longest = prefix + "k".repeat(200 - prefix.length());
        Profile<PlayerData> p = a.load(longest);
        assertThat(p.isActive()).as("200 characters is allowed").isTrue();
    }

    @Test
    @DisplayName("loadProfileAsync reports argument errors through the future")
    void badKeyAsync() {
        Server a = server("A");
        CompletableFuture<Optional<Profile<PlayerData>>> f;
        try {
            f = a.store().loadProfileAsync("", NotReleasedHandler.FORCE_LOAD);
        } catch (IllegalArgumentException thrownInstead) {
            fail("loadProfileAsync threw instead of failing the future, as ProfileStore's javadoc says: "
                    + thrownInstead);
            return;
        }
        assertThatThrownBy(() -> awaitReal(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
    }

    @Test
    @DisplayName("bad store names and templates: IllegalArgumentException naming the problem")
    void badStoreNames() {
        Server a = server("A");
        for (String name : new String[] {null, "", "has space", "x".repeat(51), "naïve", "a/b", "semi;colon"}) {
            assertThatThrownBy(() -> a.service.getProfileStore(name, new PlayerData()))
                    .as("store name %s", name)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("store name");
        }
        assertThat(a.service.getProfileStore("x".repeat(50), new PlayerData()).getName())
                .hasSize(50);
        assertThatThrownBy(() -> a.service.getProfileStore("NullTemplate", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("template");
        assertThatThrownBy(() -> a.service.getProfileStore("SelfRef", new SelfReferencing()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SelfRef");
        assertThatThrownBy(() -> a.service.getProfileStore("Threads", new HoldsAThread()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Threads");
    }

    @Test
    @DisplayName("an unknown backend scheme fails at build() naming the URI, with the password masked")
    void unknownScheme() {
        assertThatThrownBy(() -> ProfileService.builder().backend("nosuch:x").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nosuch");
        assertThatThrownBy(() -> ProfileService.builder()
                        .backend("nosuch://user:hunter2@host/db")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nosuch")
                .message()
                .doesNotContain("hunter2");
        assertThatThrownBy(
                        () -> ProfileService.builder().backend("no-scheme-here").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no-scheme-here");
    }

    @Test
    @DisplayName("oversized data: setData refuses it; an oversized edit is reported at save and the stored data stays")
    void oversizedData() {
        Server[] s = {server("A", b -> b.maxDataBytes(4096)), server("B")};
        String k = key("big");
        Profile<PlayerData> p = s[0].load(k);
        p.edit(d -> d.coins = 1);
        p.save();
        advanceUntil("first save", () -> viewedCoins(s[1], k) == 1);
        byte[] before = raw().read(STORE, k).payload();

        PlayerData big = new PlayerData();
        big.items.add("x".repeat(10_000));
        assertThatThrownBy(() -> p.setData(big))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4096");
        assertThat(p.getData().coins).isEqualTo(1);

        int issues = s[0].issues.size();
        p.edit(d -> d.items.add("y".repeat(10_000)));
        p.save();
        advanceUntil("issue reported", () -> s[0].issues.size() > issues);
        assertThat(s[0].issues.get(issues)).contains(k).contains("4096");
        assertThat(p.isActive()).as("the profile stays active").isTrue();
        assertThat(raw().read(STORE, k).payload()).as("stored data unchanged").isEqualTo(before);

        p.edit(d -> {
            d.items.clear();
            d.coins = 2;
        });
        p.save();
        advanceUntil("saved again once small", () -> viewedCoins(s[1], k) == 2);

        assertThatThrownBy(() -> s[1].store()
                        .globalUpdateProfile(
                                key("biggift"), u -> u.addActiveUpdate(Map.of("blob", "z".repeat(5 * 1024 * 1024)))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(raw().read(STORE, key("biggift")).isEmpty())
                .as("nothing sent")
                .isTrue();
    }

    @Test
    @DisplayName(
            "unencodable data: IllegalArgumentException before anything is written; auto-save problems go to issueSignal")
    void unencodableData() {
        Server[] s = twoServers();
        String k = key("enc");
        Profile<PlayerData> p = s[0].load(k);
        p.edit(d -> d.coins = 3);
        p.save();
        advanceUntil("saved", () -> viewedCoins(s[1], k) == 3);
        byte[] before = raw().read(STORE, k).payload();

        Map<String, Object> cyclic = new HashMap<>();
        cyclic.put("self", cyclic);
        assertThatThrownBy(() -> p.setMetaTag("cyclic", cyclic))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cyclic");

        assertThatThrownBy(() -> s[1].store()
                        .globalUpdateProfile(key("encgift"), u -> u.addActiveUpdate(Map.of("cyclic", cyclic))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(raw().read(STORE, key("encgift")).isEmpty()).isTrue();

        int issues = s[0].issues.size();
        p.edit(d -> d.stats.put("self", d.stats));
        p.save();
        advanceUntil("issue reported", () -> s[0].issues.size() > issues);
        assertThat(p.isActive()).isTrue();
        assertThat(raw().read(STORE, k).payload()).isEqualTo(before);
        p.edit(d -> {
            d.stats.clear();
            d.coins = 4;
        });
        driveRun(p::release);
        assertThat(viewedCoins(s[1], k)).isEqualTo(4);
    }

    @Test
    @DisplayName(
            "NaN and infinities are refused with IllegalArgumentException (JSON has no such numbers); stored data stays")
    void nonFiniteNumbersAreRefused() {
        Server[] s = twoServers();
        String k = key("nan");
        Profile<Map<String, Object>> p = drive(s[0].mapStore().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        p.edit(d -> d.put("Ratio", 0.5));
        driveRun(p::save);
        advanceUntil(
                "the finite ratio saved",
                () -> Double.valueOf(0.5)
                        .equals(s[1].mapStore()
                                .viewProfile(k)
                                .orElseThrow()
                                .getData()
                                .get("Ratio")));

        Map<String, Object> bad = new LinkedHashMap<>(Map.of("Coins", 1, "Ratio", Double.NaN));
        assertThatThrownBy(() -> p.setData(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN")
                .hasMessageContaining("Ratio");
        assertThatThrownBy(() -> p.setMetaTag("Score", Double.POSITIVE_INFINITY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Infinity");
        assertThatThrownBy(() -> p.setMetaTag("Scores", new float[] {1f, Float.NaN}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
        assertThatThrownBy(() -> drive(() -> s[1].mapStore()
                        .globalUpdateProfile(k, u -> u.addActiveUpdate(Map.of("Amount", Float.NEGATIVE_INFINITY)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Infinity");

        // an edit that puts NaN in cannot be refused at once: its save is skipped and reported, the stored data stays
        p.edit(d -> d.put("Ratio", Double.NaN));
        p.save();
        advanceUntil("the refused save reported", () -> s[0].issues.stream().anyMatch(m -> m.contains("NaN")));
        Map<String, Object> stored =
                s[1].mapStore().viewProfile(k).orElseThrow().getData();
        assertThat(stored.get("Ratio")).as("stored data as it was").isEqualTo(0.5);
        assertThat(s[1].mapStore()
                        .viewProfile(k)
                        .orElseThrow()
                        .getGlobalUpdates()
                        .getActiveUpdates())
                .isEmpty();
        p.edit(d -> d.put("Ratio", 0.25));
        driveRun(p::release);
        assertThat(s[1].mapStore().viewProfile(k).orElseThrow().getData().get("Ratio"))
                .isEqualTo(0.25);
    }

    @Test
    @DisplayName("values that do not survive encoding (a Thread) are refused before anything is written")
    void threadValuesAreRefused() {
        Server[] s = twoServers();
        String k = key("thread");
        Profile<PlayerData> p = s[0].load(k);
        p.edit(d -> d.coins = 3);
        driveRun(p::release);
        byte[] before = raw().read(STORE, k).payload();
        Profile<PlayerData> q = s[0].load(k);
        PlayerData withThread = new PlayerData();
        withThread.stats.put("thread", Thread.currentThread());
        assertThatThrownBy(() -> q.setData(withThread))
                .as("setData with a Thread inside")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> q.setMetaTag("t", new HoldsAThread()))
                .as("setMetaTag with a Thread field")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("t");
        assertThat(q.getMetaTag("t")).isNull();
        assertThatThrownBy(() -> s[1].store()
                        .globalUpdateProfile(
                                key("threadgift"), u -> u.addActiveUpdate(Map.of("thread", Thread.currentThread()))))
                .as("a global update with a Thread")
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(raw().read(STORE, key("threadgift")).isEmpty()).isTrue();
        driveRun(q::release);
        assertThat(viewedCoins(s[1], k)).isEqualTo(3);
        assertThat(new String(raw().read(STORE, k).payload(), StandardCharsets.UTF_8))
                .doesNotContain("contextClassLoader");
        assertThat(before).isNotNull();
    }

    // ================================================================ lease

    /**
     * Whether the store judges leases in this test's virtual time ({@link LeaseClock#SERVICE}, opened
     * on {@code vt.clock()}), rather than by a real clock (its own or the host's).
     */
    protected final boolean leasesInVirtualTime() {
        return raw().leaseClock() == LeaseClock.SERVICE;
    }

    /** The lease of the lease tests: the usual one in virtual time; 2 s when it runs on a real clock. */
    private Duration testLease() {
        return leasesInVirtualTime() ? LEASE : Duration.ofSeconds(2);
    }

    /** {@code b} with {@code lease}, and an auto-save period and force-load timeout no longer than it (as build() requires). */
    private static ProfileService.Builder withLease(ProfileService.Builder b, Duration lease) {
        return b.lease(lease)
                .autoSavePeriod(AUTO_SAVE.compareTo(lease) > 0 ? lease : AUTO_SAVE)
                .forceLoadTimeout(FORCE_LOAD_TIMEOUT.compareTo(lease) > 0 ? lease : FORCE_LOAD_TIMEOUT);
    }

    /** The clock of a server whose clock is {@code skew} off the test's virtual time. */
    private java.time.Clock skewed(Duration skew) {
        return java.time.Clock.offset(vt.clock(), skew);
    }

    /** The lease left of {@code s} as the store judges it now. */
    private long leaseLeftMillis(Server s) {
        return admin(raw()).servers().stream()
                .filter(l -> l.jobId().equals(s.jobId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no heartbeat row of " + s))
                .expiresInMillis();
    }

    @Test
    @DisplayName("heartbeat every lease/3, each renewing the lease from the store's clock")
    void heartbeatEveryThirdOfTheLease() {
        long before = System.nanoTime();
        Server a = server("A");
        long elapsed = (System.nanoTime() - before) / 1_000_000;
        if (leasesInVirtualTime()) {
            assertThat(leaseLeftMillis(a)).isEqualTo(LEASE.toMillis());
        } else {
            assertThat(leaseLeftMillis(a)).isBetween(LEASE.toMillis() - elapsed - 1_000, LEASE.toMillis() + 50);
        }
        a.backend.resetCounts();
        vt.advance(LEASE.dividedBy(3));
        awaitReal("one heartbeat", () -> a.backend.calls("heartbeat") == 1);
        if (leasesInVirtualTime()) {
            awaitReal("lease renewed", () -> leaseLeftMillis(a) == LEASE.toMillis());
        } else {
            assertThat(leaseLeftMillis(a)).isGreaterThan(LEASE.toMillis() - 1_000);
        }
        vt.advance(LEASE.dividedBy(3).multipliedBy(2));
        awaitReal("three heartbeats", () -> a.backend.calls("heartbeat") == 3);
    }

    @Test
    @DisplayName(
            "a server that stops heartbeating loses its profiles after lease + 1 s on the store's clock, never earlier; its late save is refused")
    void leaseExpiry() {
        deadOwnerLosesItsProfile("lease", Duration.ZERO, Duration.ZERO);
    }

    @Test
    @DisplayName(
            "clock skew: a dead owner's profile is taken after lease + 1 s of store time, whether the taker's clock is ahead or behind")
    void deadOwnerUnderClockSkew() {
        Duration skew = testLease().multipliedBy(3);
        deadOwnerLosesItsProfile("skew-ahead", skew.negated(), skew);
        deadOwnerLosesItsProfile("skew-behind", skew, skew.negated());
    }

    /**
     * A (clock {@code ownerSkew} off) loads a profile and stops heartbeating; B (clock
     * {@code takerSkew} off) tries to load it with a CANCEL handler. B must be refused (and asked)
     * until A's lease plus the 1 s grace ran out on the store's clock, and get it at once after,
     * without its handler. Then A's late save is refused.
     */
    private void deadOwnerLosesItsProfile(String name, Duration ownerSkew, Duration takerSkew) {
        Duration lease = testLease();
        Duration leaseAndGrace = lease.plusSeconds(1);
        Instant t0 = vt.now();
        long builtFrom = System.nanoTime();
        Server a = server(name + "-A", b -> withLease(b, lease).clock(skewed(ownerSkew))); // heartbeats once, at build
        long builtBy = System.nanoTime();
        Server b = server(name + "-B", x -> withLease(x, lease).clock(skewed(takerSkew)));
        a.backend.failNext("heartbeat", 1_000_000);
        String k = key(name);
        Profile<PlayerData> pa = a.load(k);
        AtomicInteger released = new AtomicInteger();
        pa.listenToRelease(released::incrementAndGet);
        pa.edit(d -> d.coins = 1);
        pa.save();
        awaitReal("saved", () -> viewedCoins(b, k) == 1);

        List<String> calls = new CopyOnWriteArrayList<>();
        NotReleasedHandler cancel = handler(calls, NotReleasedAction.CANCEL);
        Profile<PlayerData> pb;
        if (leasesInVirtualTime()) {
            vt.advance(Duration.between(vt.now(), t0.plus(lease)));
            assertThat(awaitReal(b.store().loadProfileAsync(k, cancel)))
                    .as("at lease end")
                    .isEmpty();
            vt.advance(Duration.ofMillis(999));
            assertThat(awaitReal(b.store().loadProfileAsync(k, cancel)))
                    .as("at lease end + 999 ms")
                    .isEmpty();
            assertThat(pa.isActive()).isTrue();
            vt.advance(Duration.ofMillis(1));
            pb = awaitReal(b.store().loadProfileAsync(k, cancel))
                    .orElseThrow(() -> new AssertionError("not taken at lease end + 1 s"));
            assertThat(calls).as("asked while A's lease ran, not after").hasSize(2);
        } else {
            // the store's clock is real: it cannot judge A dead before A's build + lease + grace, and must after
            long earliest = builtFrom + leaseAndGrace.toNanos();
            long latest = builtBy + leaseAndGrace.toNanos();
            AtomicReference<Profile<PlayerData>> taken = new AtomicReference<>();
            AtomicInteger refused = new AtomicInteger();
            await("B takes A's profile")
                    .atMost(leaseAndGrace.plus(REAL_TIMEOUT))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        long start = System.nanoTime();
                        Optional<Profile<PlayerData>> got = awaitReal(b.store().loadProfileAsync(k, cancel));
                        long end = System.nanoTime();
                        if (got.isPresent()) {
                            assertThat(end)
                                    .as("taken no earlier than lease + grace after A's last heartbeat")
                                    .isGreaterThanOrEqualTo(earliest - TimeUnit.MILLISECONDS.toNanos(50));
                            taken.set(got.get());
                            return true;
                        }
                        assertThat(start)
                                .as("still refused %d ms after lease + grace ran out", (start - latest) / 1_000_000)
                                .isLessThan(latest + TimeUnit.MILLISECONDS.toNanos(50));
                        refused.incrementAndGet();
                        return false;
                    });
            pb = taken.get();
            assertThat(refused).as("refused while A's lease ran").hasPositiveValue();
            assertThat(calls)
                    .as("asked each time it was refused, not when taken")
                    .hasSize(refused.get());
        }
        assertThat(calls).containsOnly(a.placeId + "/" + a.jobId);
        assertThat(pb.getData().coins).isEqualTo(1);

        pa.edit(d -> d.coins = 999);
        pa.save();
        advanceUntil("A learns it lost the session", () -> !pa.isActive());
        awaitReal("A's release listener", () -> released.get() == 1);
        assertThat(viewedCoins(b, k)).as("A's late save was refused").isEqualTo(1);
        pb.edit(d -> d.coins = 2);
        driveRun(pb::release);
        assertThat(viewedCoins(a, k)).isEqualTo(2);
    }

    @Test
    @DisplayName(
            "clock skew: a live owner's profile is never taken without FORCE_LOAD, however far the clocks differ, both ways round")
    void liveOwnerKeepsItsProfileUnderClockSkew() {
        Duration lease = testLease();
        Duration skew = lease.multipliedBy(3);
        for (Duration ownerSkew : List.of(skew.negated(), skew)) {
            String name = ownerSkew.isNegative() ? "owner-behind" : "owner-ahead";
            Server a = server(name + "-A", b -> withLease(b, lease).clock(skewed(ownerSkew)));
            Server b = server(name + "-B", x -> withLease(x, lease).clock(skewed(ownerSkew.negated())));
            String k = key(name);
            Profile<PlayerData> pa = a.load(k);
            pa.edit(d -> d.coins = 5);
            List<String> calls = new CopyOnWriteArrayList<>();
            CompletableFuture<Optional<Profile<PlayerData>>> fb =
                    b.store().loadProfileAsync(k, handler(calls, NotReleasedAction.REPEAT));
            // three leases of store time pass while A heartbeats (virtual time drives its heartbeats)
            long until = System.nanoTime() + lease.multipliedBy(3).toNanos();
            Instant virtualUntil = vt.now().plus(lease.multipliedBy(3));
            advanceUntil(
                    "three leases with A alive",
                    () -> calls.size() >= 3
                            && (leasesInVirtualTime() ? !vt.now().isBefore(virtualUntil) : System.nanoTime() >= until));
            assertThat(fb).as("B never took the live owner's profile").isNotDone();
            assertThat(pa.isActive()).isTrue();
            assertThat(calls).containsOnly(a.placeId + "/" + a.jobId);
            driveRun(pa::release);
            Profile<PlayerData> pb = drive(fb).orElseThrow();
            assertThat(pb.getData().coins).as("handed over with A's edits").isEqualTo(5);
            driveRun(pb::release);
        }
    }

    // ================================================================ failures, retries, critical state

    @Test
    @DisplayName(
            "store down: an issue per failed call, critical state after 5, cleared after the cooldown; edits made meanwhile are saved")
    void storeDownAndRecovery() {
        Server[] s = twoServers();
        Server a = s[0];
        String k = key("down");
        Profile<PlayerData> p = a.load(k);
        p.edit(d -> d.coins = 1);
        p.save();
        advanceUntil("saved", () -> viewedCoins(s[1], k) == 1);
        assertThat(a.issues).isEmpty();

        a.backend.failAll(true);
        p.edit(d -> d.coins = 42);
        p.save();
        advanceUntil("critical state", () -> a.critical.contains(true));
        assertThat(a.critical).containsExactly(true);
        assertThat(a.issues.size()).isGreaterThanOrEqualTo(5);
        assertThat(p.isActive()).as("a failing store does not end the session").isTrue();
        p.edit(d -> d.items.add("during-outage"));
        vt.advance(Duration.ofSeconds(20));

        a.backend.failAll(false);
        advanceUntil("saved after recovery", () -> {
            Optional<Profile<PlayerData>> v = s[1].view(k);
            return v.isPresent()
                    && v.get().getData().coins == 42
                    && v.get().getData().items.contains("during-outage");
        });
        advanceUntil("critical state cleared", Duration.ofSeconds(1), () -> a.critical.size() == 2);
        assertThat(a.critical).containsExactly(true, false);
        // the recovery's probes (reads of the server row) are the engine's own checks, not issues
        int injected = FaultInjectingBackend.OPERATIONS.stream()
                        .mapToInt(a.backend::injectedFailures)
                        .sum()
                - a.backend.injectedFailures("server");
        awaitReal("one issue per failed call", () -> failures(a).size() == injected);
        assertThat(a.issues)
                .as("and one notice that the store is back")
                .anyMatch(m -> m.startsWith("the store is back"));
        assertThat(p.isActive()).isTrue();
    }

    /** The issues of {@code s} that report a failure (not the notice that the store is back). */
    protected static List<String> failures(Server s) {
        return s.issues.stream().filter(m -> !m.startsWith("the store is back")).toList();
    }

    /**
     * Ten busy profiles of A, one of them releasing, while A's store is down for 30 s of virtual
     * time (their saves back off up to 8 s); the store is then healed. Returns the profiles, the
     * releasing one last, and the release in progress.
     */
    private List<Profile<PlayerData>> busyThroughAnOutage(
            Server a, Server b, String name, List<CompletableFuture<Void>> release) {
        List<Profile<PlayerData>> profiles = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Profile<PlayerData> p = a.load(key(name + i));
            p.edit(d -> d.coins = 1);
            profiles.add(p);
        }
        advanceUntil("first saves", () -> profiles.stream().allMatch(p -> viewedCoins(b, p.getKey()) == 1));
        a.backend.failAll(true);
        profiles.forEach(p -> p.edit(d -> d.coins = 2));
        release.add(CompletableFuture.runAsync(profiles.get(9)::release, callers));
        Instant downUntil = vt.now().plusSeconds(30);
        advanceUntil("30 s with the store down", () -> !vt.now().isBefore(downUntil));
        assertThat(release.get(0))
                .as("a release cannot complete while the store is down")
                .isNotDone();
        a.backend.resetCounts();
        a.backend.failAll(false);
        return profiles;
    }

    @Test
    @DisplayName("after an outage the first call that gets through wakes every save waiting in backoff, releases first")
    void theFirstSuccessfulCallWakesEveryWaitingSave() {
        Server a = server("A", x -> x.autoSavePeriod(Duration.ofSeconds(2)));
        Server b = server("B");
        List<CompletableFuture<Void>> release = new ArrayList<>();
        List<Profile<PlayerData>> profiles = busyThroughAnOutage(a, b, "wake", release);
        Profile<PlayerData> leaving = profiles.get(9);

        a.view(key("anything")); // a call of A's that gets through: the store is back
        awaitReal(
                "every profile saved and the release done, with no more virtual time",
                () -> release.get(0).isDone() && profiles.stream().allMatch(p -> viewedCoins(b, p.getKey()) == 2));
        List<String> sent = a.backend.savesSent();
        int releaseAt = sent.indexOf(leaving.getKey() + " (release)");
        if (raw().maxBatchSize() > 1) {
            assertThat(releaseAt)
                    .as("the waiting release goes first, at the head of the first batch: %s", sent)
                    .isZero();
        } else {
            // without batches, several flushers write at once: the release, queued first, races the first saves
            assertThat(releaseAt)
                    .as("the waiting release goes out with the first writes: %s", sent)
                    .isBetween(0, sent.size() / 2);
        }
        assertThat(a.issues)
                .as("the notice of the return, with what waited")
                .anyMatch(m -> m.startsWith("the store is back") && m.contains("release(s)"));
        assertThat(profiles.subList(0, 9)).allMatch(Profile::isActive);
    }

    @Test
    @DisplayName(
            "after a 30 s outage with nothing else to call the store, every waiting save completes within one auto-save period")
    void savesResumeWithinOneAutoSavePeriodOfTheStoresReturn() {
        Duration autoSave = Duration.ofSeconds(2);
        Server a = server("A", x -> x.autoSavePeriod(autoSave));
        Server b = server("B");
        List<CompletableFuture<Void>> release = new ArrayList<>();
        List<Profile<PlayerData>> profiles = busyThroughAnOutage(a, b, "probe", release);

        vt.advance(autoSave); // one auto-save period of virtual time (the backoffs reached 8 s), then no more
        awaitReal(
                "every profile saved and the release done",
                () -> release.get(0).isDone() && profiles.stream().allMatch(p -> viewedCoins(b, p.getKey()) == 2));
    }

    @Test
    @DisplayName(
            "a load against a store that stays down is retried with backoff and gives up after 8 attempts with ProfileServiceException")
    void loadGivesUpAfterEightAttempts() {
        Server a = server("A");
        String k = key("giveup");
        a.backend.failAll(true);
        Instant start = vt.now();
        assertThatThrownBy(() -> drive(a.store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD)))
                .isInstanceOf(ProfileServiceException.class);
        assertThat(a.backend.calls("acquire")).isEqualTo(8);
        // backoff 100, 200, 400, 800, 1600, 3200, 6400 ms between the 8 attempts
        assertThat(Duration.between(start, vt.now())).isGreaterThanOrEqualTo(Duration.ofMillis(12_700));
        awaitReal(
                "an issue per failure",
                () -> failures(a).stream().filter(m -> m.contains("load of")).count() == 8);
        a.backend.failAll(false);
        assertThat(raw().read(STORE, k).owner()).isNull();

        a.backend.resetCounts();
        a.backend.failNext("acquire", 7);
        Profile<PlayerData> p = a.load(k);
        assertThat(p.isActive()).isTrue();
        assertThat(a.backend.calls("acquire")).isEqualTo(8);
    }

    @Test
    @DisplayName("while the store stays down, retry backoff doubles from 100 ms and is capped by retryBackoffMax")
    void retryBackoffIsCapped() {
        Server a = server("A", b -> b.retryBackoffMax(Duration.ofSeconds(1)));
        a.backend.failAll(true);
        Instant start = vt.now();
        CompletableFuture<Optional<Profile<PlayerData>>> load =
                a.store().loadProfileAsync(key("cap"), NotReleasedHandler.FORCE_LOAD);
        advanceUntil("seven attempts", Duration.ofMillis(10), () -> a.backend.calls("acquire") == 7);
        Duration took = Duration.between(start, vt.now());
        // 100 + 200 + 400 + 800 + 1000 + 1000 ms between them; uncapped it would be 6.3 s
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(3_500)).isLessThan(Duration.ofMillis(4_000));
        a.backend.failAll(false);
        Profile<PlayerData> p = drive(load, Duration.ofMillis(10)).orElseThrow();
        assertThat(Duration.between(start, vt.now()))
                .as("the 8th attempt as soon as the store is back, not a whole backoff later")
                .isLessThan(Duration.ofMillis(4_500));
        assertThat(p.isActive()).isTrue();
        assertThat(a.backend.calls("acquire")).isEqualTo(8);
    }

    @Test
    @DisplayName("release retries a failing save until it succeeds")
    void releaseRetries() {
        Server[] s = twoServers();
        String k = key("relretry");
        Profile<PlayerData> p = s[0].load(k);
        p.edit(d -> d.coins = 8);
        s[0].backend.resetCounts();
        s[0].backend.failNext("save", 3);
        driveRun(p::release);
        assertThat(s[0].backend.calls("save")).isEqualTo(4);
        assertThat(viewedCoins(s[1], k)).isEqualTo(8);
        assertThat(raw().read(STORE, k).owner()).isNull();
        awaitReal("issues", () -> failures(s[0]).size() == 3);
    }

    // ================================================================ global updates

    @Test
    @DisplayName("global updates: send to a never-loaded key, change and clear in the handler, lock, process, clear")
    void globalUpdateLifecycle() {
        Server[] s = twoServers();
        Server a = s[0];
        Server b = s[1];
        String k = key("gu");
        long[] ids = new long[3];
        GlobalUpdates sent = drive(() -> b.store().globalUpdateProfile(k, u -> {
                    assertThat(u.getActiveUpdates()).isEmpty();
                    u.addActiveUpdate(Map.of("gift", "sword"));
                    assertThatThrownBy(() -> u.lockActiveUpdate(1)).isInstanceOf(IllegalStateException.class);
                    assertThatThrownBy(() -> u.listenToNewActiveUpdate((i, d) -> {}))
                            .isInstanceOf(IllegalStateException.class);
                    assertThatThrownBy(() -> u.changeActiveUpdate(9999, Map.of()))
                            .isInstanceOf(IllegalArgumentException.class);
                    assertThatThrownBy(() -> u.clearActiveUpdate(9999)).isInstanceOf(IllegalArgumentException.class);
                }))
                .orElseThrow();
        ids[0] = sent.getActiveUpdates().get(0).id();
        assertThat(sent.getActiveUpdates())
                .as("the store numbered the new update")
                .containsExactly(new GlobalUpdate(ids[0], Map.of("gift", "sword")));
        assertThatThrownBy(() -> sent.addActiveUpdate(Map.of()))
                .as("only inside the handler")
                .isInstanceOf(IllegalStateException.class);
        StoredProfile record = raw().read(STORE, k);
        assertThat(record.payload()).isNull();
        assertThat(record.owner()).isNull();

        GlobalUpdates second = drive(() -> b.store().globalUpdateProfile(k, u -> {
                    u.changeActiveUpdate(ids[0], Map.of("gift", "shield"));
                    u.addActiveUpdate(Map.of("gift", "bow"));
                }))
                .orElseThrow();
        assertThat(second.getActiveUpdates())
                .extracting(u -> u.data().get("gift"))
                .containsExactly("shield", "bow");
        ids[1] = second.getActiveUpdates().get(1).id();
        drive(() -> b.store().globalUpdateProfile(k, u -> {
            assertThat(u.getActiveUpdates()).extracting(GlobalUpdate::id).containsExactly(ids[0], ids[1]);
            u.clearActiveUpdate(ids[1]);
        }));
        assertThat(ids[1]).isGreaterThan(ids[0]);

        Profile<PlayerData> p = a.load(k);
        GlobalUpdates g = p.getGlobalUpdates();
        assertThat(g.getActiveUpdates()).containsExactly(new GlobalUpdate(ids[0], Map.of("gift", "shield")));
        assertThat(g.getLockedUpdates()).isEmpty();
        List<String> lockedEvents = new CopyOnWriteArrayList<>();
        List<String> activeEvents = new CopyOnWriteArrayList<>();
        g.listenToNewLockedUpdate((id, d) -> lockedEvents.add(id + "=" + d.get("gift")));
        g.listenToNewActiveUpdate((id, d) -> activeEvents.add(id + "=" + d.get("gift")));
        assertThatThrownBy(() -> g.lockActiveUpdate(9999)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.clearLockedUpdate(ids[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.addActiveUpdate(Map.of())).isInstanceOf(IllegalStateException.class);
        FaultInjectingBackend.Pause holdSaves = a.backend.pause("save", k);
        g.lockActiveUpdate(ids[0]);
        g.lockActiveUpdate(ids[0]); // again before the save: nothing
        p.save();
        holdSaves.release();
        advanceUntil("locked listener after the save", () -> lockedEvents.size() == 1);
        assertThat(lockedEvents).containsExactly(ids[0] + "=shield");
        assertThat(g.getLockedUpdates()).extracting(GlobalUpdate::id).containsExactly(ids[0]);
        assertThat(g.getActiveUpdates()).isEmpty();
        assertThat(b.view(k).orElseThrow().getGlobalUpdates().getLockedUpdates())
                .extracting(GlobalUpdate::id)
                .containsExactly(ids[0]);
        assertThatThrownBy(() -> g.lockActiveUpdate(ids[0]))
                .as("already locked")
                .isInstanceOf(IllegalArgumentException.class);

        p.edit(d -> {
            d.items.add("shield");
            g.clearLockedUpdate(ids[0]);
        });
        p.save();
        advanceUntil("clear saved with the data", () -> noUpdatesLeft(b, k));
        assertThat(b.view(k).orElseThrow().getData().items).containsExactly("shield");

        ids[2] = drive(() -> b.store().globalUpdateProfile(k, u -> u.addActiveUpdate(Map.of("gift", "crown"))))
                .orElseThrow()
                .getActiveUpdates()
                .get(0)
                .id();
        advanceUntil("new active update heard", Duration.ofMillis(10), () -> activeEvents.size() == 1);
        assertThat(activeEvents).containsExactly(ids[2] + "=crown");
        assertThat(ids[2]).isGreaterThan(ids[1]);
        assertThat(lockedEvents).hasSize(1);
        driveRun(p::release);
        assertThatThrownBy(() -> g.lockActiveUpdate(ids[2])).isInstanceOf(IllegalStateException.class);
        Profile<PlayerData> again = b.load(k);
        assertThat(again.getGlobalUpdates().getActiveUpdates())
                .extracting(GlobalUpdate::id)
                .containsExactly(ids[2]);
    }

    @Test
    @DisplayName("without a message bus, a new global update reaches the owner at its next auto-save tick")
    void globalUpdateWithoutBus() {
        Server[] s = twoServers();
        s[0].backend.disableBus(true);
        s[1].backend.disableBus(true);
        String k = key("gunobus");
        Profile<PlayerData> p = s[0].load(k);
        List<Long> heard = new CopyOnWriteArrayList<>();
        p.getGlobalUpdates().listenToNewActiveUpdate((id, d) -> heard.add(id));
        long id = drive(() -> s[1].store().globalUpdateProfile(k, u -> u.addActiveUpdate(Map.of("gift", 1))))
                .orElseThrow()
                .getActiveUpdates()
                .get(0)
                .id();
        vt.advance(AUTO_SAVE);
        awaitReal("heard at the auto-save tick", () -> heard.contains(id));
    }

    @Test
    @DisplayName(
            "degradation: with no message bus, FORCE_LOAD against a live owner still succeeds, through polling and the timeout")
    void forceLoadWithoutBus() {
        Server[] s = twoServers();
        s[0].backend.disableBus(true);
        s[1].backend.disableBus(true);
        String k = key("nobus");
        Profile<PlayerData> pa = s[0].load(k);
        AtomicInteger released = new AtomicInteger();
        pa.listenToRelease(released::incrementAndGet);
        pa.edit(d -> d.coins = 5);
        pa.save();
        advanceUntil("saved", () -> viewedCoins(s[1], k) == 5);
        Instant start = vt.now();
        Profile<PlayerData> pb = drive(s[1].store().loadProfileAsync(k, NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(Duration.between(start, vt.now()))
                .as("stolen after the force-load timeout")
                .isGreaterThanOrEqualTo(FORCE_LOAD_TIMEOUT);
        assertThat(pb.getData().coins).isEqualTo(5);
        advanceUntil("old owner notices", () -> !pa.isActive());
        awaitReal("release listener", () -> released.get() == 1);
    }

    // ================================================================ signals

    @Test
    @DisplayName("signal connections: disconnect stops delivery, isConnected tells")
    void signalConnections() {
        Server a = server("A");
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        List<String> third = new CopyOnWriteArrayList<>();
        Subscription c1 = a.service.issueSignal().connect(first::add);
        Subscription c2 = a.service.issueSignal().connect(second::add);
        Subscription c3 = a.service.issueSignal().connect(third::add);
        assertThat(c2.isConnected()).isTrue();
        c2.disconnect();
        c2.disconnect();
        assertThat(c2.isConnected()).isFalse();
        a.backend.failNext("read", 1);
        drive(() -> a.store().viewProfile(key("x")));
        awaitReal("delivered to the last listener", () -> !third.isEmpty());
        assertThat(first).isNotEmpty();
        assertThat(second).isEmpty();
        assertThat(c1.isConnected()).isTrue();
        assertThat(c3.isConnected()).isTrue();
        assertThat(first.get(0)).contains("read").isNotBlank();
    }

    /** The virtual time's task failures, for subclasses that want to assert none happened. */
    protected List<Throwable> schedulerTaskFailures() {
        return Collections.unmodifiableList(vt.taskFailures());
    }
}
