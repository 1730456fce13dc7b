package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.profileservice.DataModel;
import dev.profileservice.DataModelException;
import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.VersionCause;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite's tests of {@link DataModel} (issue 15): migrations on load with the
 * pre-migration data kept as a version, the refusal of newer data during a rolling deploy, failing
 * steps, and the validator on load and before saves.
 *
 * <p>One layer of the suite: third parties extend {@link ProfileServiceConformanceTest}, which runs
 * every layer; this class is not meant to be extended on its own.
 */
public abstract class ConformanceDataModelTests extends ConformanceHistoryTests {
    /** A store of its own: the servers here open it with a model each. */
    private static final String DATA_STORE = STORE + "_dm";

    /** Version 2 renames "Gold" to "Coins". */
    private static final DataModel<Map<String, Object>> V2 =
            DataModel.<Map<String, Object>>version(2).migrate(1, data -> data.put("Coins", data.remove("Gold")));

    private static ProfileStore<Map<String, Object>> v1(Server s) {
        return s.service.getProfileStore(DATA_STORE, Map.of("Gold", 0));
    }

    private static ProfileStore<Map<String, Object>> v2(Server s) {
        return s.service.getProfileStore(DATA_STORE, Map.of("Coins", 0), V2);
    }

    private static ProfileStore<Map<String, Object>> withModel(Server s, DataModel<Map<String, Object>> model) {
        return s.service.getProfileStore(DATA_STORE, Map.of("Coins", 0), model);
    }

    /** A server on the older model and one on the newer, and a key of this test. */
    private record OldAndNew(Server old, Server next, String key) {}

    /** The two servers, with {@code field = value} saved (and released) by the older one. */
    private OldAndNew savedByOld(String name, String field, int value) {
        OldAndNew t = new OldAndNew(server("Old"), server("New"), key(name));
        saveOnce(v1(t.old()), t.key(), field, value);
        return t;
    }

    /** The two servers, with {@code field = value} saved (and released) by the newer one. */
    private OldAndNew savedByNew(String name, String field, int value) {
        OldAndNew t = new OldAndNew(server("Old"), server("New"), key(name));
        saveOnce(v2(t.next()), t.key(), field, value);
        return t;
    }

    /** Loads {@code key} on {@code store}, puts {@code field = value}, releases. */
    private void saveOnce(ProfileStore<Map<String, Object>> store, String key, String field, int value) {
        Profile<Map<String, Object>> p = drive(
                        store.loadProfileAsync(key, dev.profileservice.NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        p.edit(d -> d.put(field, value));
        driveRun(p::release);
    }

    private String stored(String key) {
        byte[] payload = raw().read(DATA_STORE, key).payload();
        return payload == null ? null : new String(payload, StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("data saved at an older version is migrated on load, the data as it was is kept as a version (cause"
            + " migration), and the next save writes the new version")
    void olderDataIsMigratedOnLoad() {
        OldAndNew t = savedByOld("migrate", "Gold", 7);
        assertThat(stored(t.key())).as("saved without a model").doesNotContain("dataVersion");
        String k = t.key();

        Profile<Map<String, Object>> p = drive(
                        v2(t.next()).loadProfileAsync(k, dev.profileservice.NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        assertThat(p.getData()).containsEntry("Coins", 7).doesNotContainKey("Gold");
        driveRun(p::release);
        assertThat(stored(k))
                .contains("\"dataVersion\":2")
                .contains("\"Coins\":7")
                .doesNotContain("Gold");

        if (raw().history().isPresent()) {
            List<StoredVersion> versions =
                    raw().history().get().versions(DATA_STORE, k, dev.profileservice.spi.VersionPage.oldestFirst(100));
            assertThat(versions)
                    .extracting(StoredVersion::cause)
                    .containsSubsequence(VersionCause.RELEASE, VersionCause.MIGRATION, VersionCause.MIGRATION);
            StoredVersion before = versions.stream()
                    .filter(v -> v.cause() == VersionCause.MIGRATION)
                    .findFirst()
                    .orElseThrow();
            assertThat(new String(before.payload(), StandardCharsets.UTF_8))
                    .as("the data as it was before the migration")
                    .contains("\"Gold\":7");
            Profile<Map<String, Object>> view = v2(t.next())
                    .viewProfile(k, Long.toString(before.revision()))
                    .orElseThrow();
            assertThat(view.getData())
                    .as("a view of an old version is migrated too")
                    .containsEntry("Coins", 7);
        }
    }

    @Test
    @DisplayName("a rolling deploy: a server on the older model refuses to load data a newer server migrated, naming"
            + " both versions, and writes nothing; its views read the data as stored and refuse to overwrite it")
    void olderServerRefusesNewerData() {
        OldAndNew t = savedByNew("rolling", "Coins", 9);
        String k = t.key();
        StoredProfile before = raw().read(DATA_STORE, k);

        assertThatThrownBy(
                        () -> drive(v1(t.old()).loadProfileAsync(k, dev.profileservice.NotReleasedHandler.FORCE_LOAD)))
                .isInstanceOf(DataModelException.class)
                .hasMessageContaining("version 2")
                .hasMessageContaining("version 1");
        StoredProfile after = raw().read(DATA_STORE, k);
        assertThat(after.payload()).as("the data as the newer server saved it").isEqualTo(before.payload());
        assertThat(after.owner())
                .as("the session taken to read it was given back")
                .isNull();
        Profile<Map<String, Object>> view = v1(t.old()).viewProfile(k).orElseThrow();
        assertThat(view.getData()).as("a view reads newer data as stored").containsEntry("Coins", 9);
        assertThatThrownBy(view::overwrite)
                .as("but never writes it back in the older shape")
                .isInstanceOf(DataModelException.class)
                .hasMessageContaining("version 2");
        assertThat(t.old().issues).anySatisfy(i -> assertThat(i).contains(k).contains("version 2"));

        saveOnce(v2(t.next()), k, "Coins", 10); // the newer server goes on as if nothing happened
        assertThat(stored(k)).contains("\"Coins\":10");
    }

    @Test
    @DisplayName("a migration step that throws fails the load, writes nothing and is reported")
    void failingStepFailsTheLoad() {
        OldAndNew t = savedByOld("boom", "Gold", 3);
        String k = t.key();
        byte[] before = raw().read(DATA_STORE, k).payload();
        DataModel<Map<String, Object>> broken = DataModel.<Map<String, Object>>version(2)
                .migrate(1, data -> {
                    throw new IllegalStateException("boom in step 1");
                });
        assertThatThrownBy(() -> drive(withModel(t.next(), broken)
                        .loadProfileAsync(k, dev.profileservice.NotReleasedHandler.FORCE_LOAD)))
                .isInstanceOf(DataModelException.class)
                .hasMessageContaining("boom in step 1")
                .hasMessageContaining("from data version 1 to 2");
        assertThat(raw().read(DATA_STORE, k).payload()).isEqualTo(before);
        assertThat(raw().read(DATA_STORE, k).owner()).isNull();
        assertThat(t.next().issues).anySatisfy(i -> assertThat(i).contains(k).contains("boom in step 1"));
    }

    @Test
    @DisplayName("the validator refuses a save of invalid data (reported, the store keeps the last valid state, the"
            + " profile stays active) and a load of invalid stored data")
    void validatorGuardsSavesAndLoads() {
        Server s = server("A");
        Server plain = server("Plain");
        DataModel<Map<String, Object>> checked = DataModel.<Map<String, Object>>version(1)
                .validate(d -> ((Number) d.getOrDefault("Coins", 0)).intValue() < 0 ? "Coins is negative" : null);
        String k = key("valid");
        Profile<Map<String, Object>> p = drive(
                        withModel(s, checked).loadProfileAsync(k, dev.profileservice.NotReleasedHandler.FORCE_LOAD))
                .orElseThrow();
        p.edit(d -> d.put("Coins", 5));
        p.save();
        advanceUntil("the valid save", () -> String.valueOf(stored(k)).contains("\"Coins\":5"));
        p.edit(d -> d.put("Coins", -1));
        p.save();
        advanceUntil(
                "the invalid save reported", () -> s.issues.stream().anyMatch(i -> i.contains("Coins is negative")));
        assertThat(s.issues).anySatisfy(i -> assertThat(i).contains(k).contains("Coins is negative"));
        assertThat(stored(k)).contains("\"Coins\":5");
        assertThat(p.isActive()).isTrue();
        driveRun(p::release);
        assertThat(stored(k)).as("the release wrote the last valid state").contains("\"Coins\":5");
        assertThat(raw().read(DATA_STORE, k).owner()).isNull();

        String bad = key("invalid");
        Map<String, Object> negative = new LinkedHashMap<>();
        negative.put("Coins", 0);
        saveOnce(plain.service.getProfileStore(DATA_STORE, negative), bad, "Coins", -5);
        byte[] before = raw().read(DATA_STORE, bad).payload();
        assertThatThrownBy(() -> drive(
                        withModel(s, checked).loadProfileAsync(bad, dev.profileservice.NotReleasedHandler.FORCE_LOAD)))
                .isInstanceOf(DataModelException.class)
                .hasMessageContaining("Coins is negative");
        assertThat(raw().read(DATA_STORE, bad).payload()).isEqualTo(before);
    }

    @Test
    @DisplayName("a model without every step, or a second model for an open store, is refused when the store is opened")
    void modelsAreCheckedWhenTheStoreOpens() {
        Server s = server("A");
        assertThatThrownBy(() -> withModel(s, DataModel.version(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no migration step from version 1");
        v2(s);
        assertThatThrownBy(() -> v1(s))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("data version 2");
        assertThatThrownBy(() -> DataModel.version(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> V2.migrate(2, d -> {})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> V2.migrate(1, d -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("twice");
    }
}
