package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.UpdateOp;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite's tests of bad data: corrupt records and global updates (reported, kept in
 * quarantine, replaced), and bad input refused with clear errors before anything is written (keys,
 * store names, templates, backend URIs, oversized, unencodable and non-finite data).
 *
 * <p>One layer of the suite: third parties extend {@link ProfileServiceConformanceTest}, which runs
 * every layer; this class is not meant to be extended on its own.
 */
public abstract class ConformanceBadDataTests extends ConformanceGiftTests {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ================================================================ corruption

    @Test
    @DisplayName("a corrupt record is reported, kept in quarantine, and the profile starts from the template")
    void corruptRecord() {
        TwoServers t = onTwoServers("corrupt");
        byte[] garbage = utf8("\u0000not a profile {{{");
        writeRaw(t.key(), garbage);

        Profile<PlayerData> p = t.a().load(t.key());
        awaitReal("corruption signal", () -> t.a().corruptions.contains(STORE + "/" + t.key()));
        assertThat(admin(raw()).quarantineCount(STORE, t.key())).isEqualTo(1);
        assertThat(p.isActive()).isTrue();
        assertThat(p.getData().coins).isZero();
        assertThat(p.getData().items).isEmpty();
        p.edit(d -> d.coins = 5);
        driveRun(p::release);
        assertThat(viewedCoins(t.b(), t.key())).isEqualTo(5);
        assertThat(admin(raw()).quarantineCount(STORE, t.key()))
                .as("the copy stays")
                .isEqualTo(1);
        Profile<PlayerData> again = t.b().load(t.key());
        assertThat(again.getData().coins).isEqualTo(5);
        assertThat(admin(raw()).quarantineCount(STORE, t.key())).isEqualTo(1);
        assertThat(t.b().corruptions).isEmpty();
    }

    @Test
    @DisplayName("a record whose data has the wrong types is treated as corrupt")
    void wrongTypesAreCorrupt() {
        TwoServers t = releasedByAWithCoins("types", 12345);
        String text = new String(raw().read(STORE, t.key()).payload(), StandardCharsets.UTF_8);
        Assumptions.assumeTrue(text.contains("12345"), "payload encoding is not textual JSON");
        writeRaw(t.key(), utf8(text.replace("12345", "\"lots\"")));
        Profile<PlayerData> again = t.b().load(t.key());
        awaitReal("corruption signal", () -> t.b().corruptions.contains(STORE + "/" + t.key()));
        assertThat(again.getData().coins).isZero();
        assertThat(admin(raw()).quarantineCount(STORE, t.key())).isEqualTo(1);
    }

    @Test
    @DisplayName(
            "a global update that cannot be decoded is reported, kept aside and taken out of the inbox; later gifts work")
    void corruptUpdate() {
        TwoServers t = onTwoServers("badupdate");
        SendResult sent = raw().sendUpdates(
                        STORE, t.key(), List.of(new UpdateOp.Add("vandal-" + prefix, utf8("garbage]]"))), 1000);
        assertThat(sent.status()).isEqualTo(SendResult.Status.APPLIED);
        Profile<PlayerData> p = t.a().load(t.key());
        processGifts(p);
        awaitReal("corruption signal", () -> t.a().corruptions.contains(STORE + "/" + t.key()));
        assertThat(admin(raw()).quarantineCount(STORE, t.key())).isEqualTo(1);
        assertThat(p.isActive()).isTrue();
        assertThat(p.getGlobalUpdates().getActiveUpdates())
                .as("not offered to the game")
                .isEmpty();
        p.save();
        advanceUntil(
                "taken out of the inbox",
                () -> raw().read(STORE, t.key()).updates().isEmpty());
        drive(() -> t.b().store().globalUpdateProfile(t.key(), u -> u.addActiveUpdate(gift("late", 3))));
        advanceUntil("gift applied", () -> viewedCoins(t.b(), t.key()) == 3);
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
        LoadedOnA t = new TwoServers(server("A", b -> b.maxDataBytes(4096)), server("B"), key("big")).loadOnA();
        Profile<PlayerData> p = t.profile();
        saveCoins(p, 1, t.b());
        byte[] before = raw().read(STORE, t.key()).payload();

        PlayerData big = new PlayerData();
        big.items.add("x".repeat(10_000));
        assertThatThrownBy(() -> p.setData(big))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4096");
        assertThat(p.getData().coins).isEqualTo(1);

        int issues = t.a().issues.size();
        p.edit(d -> d.items.add("y".repeat(10_000)));
        p.save();
        advanceUntil("issue reported", () -> t.a().issues.size() > issues);
        assertThat(t.a().issues.get(issues)).contains(t.key()).contains("4096");
        assertThat(p.isActive()).as("the profile stays active").isTrue();
        assertThat(raw().read(STORE, t.key()).payload())
                .as("stored data unchanged")
                .isEqualTo(before);

        p.edit(d -> {
            d.items.clear();
            d.coins = 2;
        });
        p.save();
        advanceUntil("saved again once small", () -> viewedCoins(t.b(), t.key()) == 2);

        assertThatThrownBy(() -> t.b().store()
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
        LoadedOnA t = loadedOnA("enc");
        Profile<PlayerData> p = t.profile();
        saveCoins(p, 3, t.b());
        byte[] before = raw().read(STORE, t.key()).payload();

        Map<String, Object> cyclic = new HashMap<>();
        cyclic.put("self", cyclic);
        assertThatThrownBy(() -> p.setMetaTag("cyclic", cyclic))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cyclic");

        assertThatThrownBy(() -> t.b().store()
                        .globalUpdateProfile(key("encgift"), u -> u.addActiveUpdate(Map.of("cyclic", cyclic))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(raw().read(STORE, key("encgift")).isEmpty()).isTrue();

        int issues = t.a().issues.size();
        p.edit(d -> d.stats.put("self", d.stats));
        p.save();
        advanceUntil("issue reported", () -> t.a().issues.size() > issues);
        assertThat(p.isActive()).isTrue();
        assertThat(raw().read(STORE, t.key()).payload()).isEqualTo(before);
        p.edit(d -> {
            d.stats.clear();
            d.coins = 4;
        });
        driveRun(p::release);
        assertThat(viewedCoins(t.b(), t.key())).isEqualTo(4);
    }

    @Test
    @DisplayName(
            "NaN and infinities are refused with IllegalArgumentException (JSON has no such numbers); stored data stays")
    void nonFiniteNumbersAreRefused() {
        TwoServers t = onTwoServers("nan");
        Profile<Map<String, Object>> p = drive(
                        t.a().mapStore().loadProfileAsync(t.key(), NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        p.edit(d -> d.put("Ratio", 0.5));
        driveRun(p::save);
        advanceUntil(
                "the finite ratio saved",
                () -> Double.valueOf(0.5)
                        .equals(t.b().mapStore()
                                .viewProfile(t.key())
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
        assertThatThrownBy(() -> drive(() -> t.b().mapStore()
                        .globalUpdateProfile(
                                t.key(), u -> u.addActiveUpdate(Map.of("Amount", Float.NEGATIVE_INFINITY)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Infinity");

        // an edit that puts NaN in cannot be refused at once: its save is skipped and reported, the stored data stays
        p.edit(d -> d.put("Ratio", Double.NaN));
        p.save();
        advanceUntil("the refused save reported", () -> t.a().issues.stream().anyMatch(m -> m.contains("NaN")));
        Map<String, Object> stored =
                t.b().mapStore().viewProfile(t.key()).orElseThrow().getData();
        assertThat(stored.get("Ratio")).as("stored data as it was").isEqualTo(0.5);
        assertThat(t.b().mapStore()
                        .viewProfile(t.key())
                        .orElseThrow()
                        .getGlobalUpdates()
                        .getActiveUpdates())
                .isEmpty();
        p.edit(d -> d.put("Ratio", 0.25));
        driveRun(p::release);
        assertThat(t.b().mapStore().viewProfile(t.key()).orElseThrow().getData().get("Ratio"))
                .isEqualTo(0.25);
    }

    @Test
    @DisplayName("values that do not survive encoding (a Thread) are refused before anything is written")
    void threadValuesAreRefused() {
        TwoServers t = releasedByAWithCoins("thread", 3);
        byte[] before = raw().read(STORE, t.key()).payload();
        Profile<PlayerData> q = t.a().load(t.key());
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
        assertThatThrownBy(() -> t.b().store()
                        .globalUpdateProfile(
                                key("threadgift"), u -> u.addActiveUpdate(Map.of("thread", Thread.currentThread()))))
                .as("a global update with a Thread")
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(raw().read(STORE, key("threadgift")).isEmpty()).isTrue();
        driveRun(q::release);
        assertThat(viewedCoins(t.b(), t.key())).isEqualTo(3);
        assertThat(new String(raw().read(STORE, t.key()).payload(), StandardCharsets.UTF_8))
                .doesNotContain("contextClassLoader");
        assertThat(before).isNotNull();
    }
}
