package dev.profileservice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profileservice.Profile;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.VersionCause;
import dev.profileservice.spi.VersionPage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bulk tools {@code profiles migrate} and {@code profiles edit}, run through the real command
 * line against a real store: held profiles skipped and reported, a kept version before every
 * change, nothing done twice by a second run, nothing written by a dry run, per-profile failures,
 * bad input (exit 2, one line, nothing written). Subclasses pick the store.
 */
abstract class BulkCommandsContract {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String MODEL = BulkTestModel.class.getName();
    static final String ADD_SEASON = "[{\"op\":\"add\",\"path\":\"/data/season\",\"value\":2}]";

    @TempDir
    Path dir;

    StoreFixture fx;
    final List<Profile<Map<String, Object>>> held = new ArrayList<>();
    /** The store's URI, given the test's temporary folder. */
    private final java.util.function.Function<Path, String> uri;

    BulkCommandsContract(java.util.function.Function<Path, String> uri) {
        this.uri = uri;
    }

    String uri() {
        return uri.apply(dir);
    }

    /** Whether the store is a shared server whose records the test deletes afterwards (a temporary file is not). */
    private boolean deleteAfterwards() {
        return !uri().startsWith("sqlite:");
    }

    @BeforeEach
    void open() {
        fx = new StoreFixture(uri());
    }

    @AfterEach
    void close() {
        held.forEach(Profile::release);
        try {
            if (deleteAfterwards()) {
                BackendAdmin admin = BackendAdmin.of(fx.backend);
                String after = null;
                while (true) {
                    List<String> keys = admin.keys(fx.storeName, after, 1_000);
                    keys.parallelStream().forEach(k -> admin.delete(fx.storeName, k));
                    if (keys.size() < 1_000) {
                        break;
                    }
                    after = keys.get(keys.size() - 1);
                }
            }
        } finally {
            fx.close();
        }
    }

    static String key(int i) {
        return String.format(Locale.ROOT, "p%05d", i);
    }

    static String payload(String data, int dataVersion) {
        return "{\"v\":1,\"created\":1700000000000,\"loads\":1,\"tags\":{},\"locked\":[]"
                + (dataVersion == 1 ? "" : ",\"dataVersion\":" + dataVersion) + ",\"data\":" + data + "}";
    }

    /**
     * Writes {@code n} released profiles {@code p00000}, {@code p00001}, ... through the SPI, fast: an
     * acquire each (which stores the payload), then the releasing saves in {@code saveBatch} batches.
     */
    void seed(int n, int dataVersion, IntFunction<String> data) {
        Owner seeder = new Owner("bulk-seeder", "seed-place", "seed-job");
        for (int from = 0; from < n; from += 200) {
            List<SaveItem> batch = IntStream.range(from, Math.min(n, from + 200))
                    .parallel()
                    .mapToObj(i -> {
                        byte[] bytes = payload(data.apply(i), dataVersion).getBytes(StandardCharsets.UTF_8);
                        var acquired = fx.backend.acquire(fx.storeName, key(i), seeder, -1, bytes);
                        assertThat(acquired.acquired()).isTrue();
                        return new SaveItem(
                                fx.storeName,
                                key(i),
                                SaveRequest.of(
                                        seeder.serverId(), acquired.record().epoch(), bytes, true));
                    })
                    .toList();
            for (List<SaveItem> chunk : SaveItem.chunks(batch, Math.max(1, fx.backend.maxBatchSize()), 1 << 20)) {
                assertThat(fx.backend.saveBatch(chunk))
                        .allSatisfy(r -> assertThat(r.status()).isEqualTo(SaveResult.Status.SAVED));
            }
        }
    }

    /** A live ProfileService (the fixture's) loads and keeps these profiles. */
    void hold(List<String> keys) {
        keys.forEach(k -> held.add(fx.hold(k)));
    }

    JsonNode data(String key) throws Exception {
        return JSON.readTree(fx.record(key).payload()).get("data");
    }

    JsonNode tree(byte[] payload) throws Exception {
        return JSON.readTree(payload);
    }

    List<StoredVersion> versions(String key) {
        return fx.backend.history().orElseThrow().versions(fx.storeName, key, VersionPage.newestFirst(100));
    }

    Map<String, Long> revisions(List<String> keys) {
        Map<String, Long> out = new HashMap<>();
        keys.forEach(k -> out.put(k, fx.record(k).revision()));
        return out;
    }

    static JsonNode json(Cli.Result r, int exit) throws Exception {
        assertThat(r.exit()).as(r.toString()).isEqualTo(exit);
        return JSON.readTree(r.out());
    }

    static List<String> keysWith(JsonNode doc, String outcome) {
        List<String> out = new ArrayList<>();
        doc.get("profiles").forEach(p -> {
            if (p.get("outcome").asText().equals(outcome)) {
                out.add(p.get("key").asText());
            }
        });
        return out;
    }

    static void assertBadInput(Cli.Result r, String mentions) {
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().strip()).as(r.toString()).contains(mentions).doesNotContain("\n");
        assertThat(r.out()).as(r.toString()).isEmpty();
    }

    // ---------------------------------------------------------------- 10,000 profiles

    @Test
    void migrateAndEditTenThousandProfilesLeavingTheHeldOnes() throws Exception {
        int n = 10_000;
        long t0 = System.nanoTime();
        seed(n, 1, i -> "{\"gold\":" + i + "}");
        List<String> heldKeys = List.of(key(3), key(4321), key(9999));
        hold(heldKeys);
        List<String> sample = List.of(key(0), key(2500), key(5000), key(9998));
        long t1 = System.nanoTime();

        JsonNode migrated = json(Cli.run(fx.args("migrate", "--model", MODEL, "--json")), 0);
        long t2 = System.nanoTime();
        assertThat(migrated.get("totals").get("profiles").asLong()).isEqualTo(n);
        assertThat(migrated.get("totals").get("migrated").asLong()).isEqualTo(n - 3);
        assertThat(migrated.get("totals").get("held").asLong()).isEqualTo(3);
        assertThat(migrated.get("totals").get("failed").asLong()).isZero();
        assertThat(keysWith(migrated, "held")).containsExactlyElementsOf(heldKeys);
        assertThat(migrated.get("profiles").get(3).get("heldBy").get("jobId").asText())
                .isEqualTo("test-job-" + fx.storeName);
        for (String k : sample) {
            int i = Integer.parseInt(k.substring(1));
            StoredProfile record = fx.record(k);
            assertThat(record.owner()).isNull();
            JsonNode now = tree(record.payload());
            assertThat(now.get("dataVersion").asInt()).isEqualTo(3);
            assertThat(now.get("data").get("coins").asInt()).isEqualTo(i);
            assertThat(now.get("data").get("gems").asInt()).isZero();
            assertThat(now.get("data").has("gold")).isFalse();
            List<StoredVersion> kept = versions(k);
            assertThat(kept.get(0).revision()).isEqualTo(record.revision());
            assertThat(kept.get(0).cause()).isEqualTo(VersionCause.MIGRATION);
            assertThat(kept.get(1).cause()).isEqualTo(VersionCause.MIGRATION);
            JsonNode before = tree(kept.get(1).payload());
            assertThat(before.has("dataVersion")).isFalse();
            assertThat(before.get("data").get("gold").asInt()).isEqualTo(i);
        }
        for (String k : heldKeys) {
            assertThat(tree(fx.record(k).payload()).has("dataVersion")).isFalse();
        }

        // a second run (as after an interruption): everything is done already, nothing is written
        Map<String, Long> revisions = revisions(sample);
        JsonNode again = json(Cli.run(fx.args("migrate", "--model", MODEL, "--json")), 0);
        long t3 = System.nanoTime();
        assertThat(again.get("totals").get("migrated").asLong()).isZero();
        assertThat(again.get("totals").get("already-done").asLong()).isEqualTo(n - 3);
        assertThat(keysWith(again, "held")).containsExactlyElementsOf(heldKeys);
        assertThat(revisions(sample)).isEqualTo(revisions);

        JsonNode edited = json(Cli.run(fx.args("edit", "--all", "--patch", ADD_SEASON, "--json")), 0);
        long t4 = System.nanoTime();
        assertThat(edited.get("totals").get("edited").asLong()).isEqualTo(n - 3);
        assertThat(edited.get("totals").get("held").asLong()).isEqualTo(3);
        assertThat(keysWith(edited, "held")).containsExactlyElementsOf(heldKeys);
        for (String k : sample) {
            JsonNode now = tree(fx.record(k).payload());
            assertThat(now.get("data").get("season").asInt()).isEqualTo(2);
            assertThat(now.get("tags").get("profiles-edit").asText()).hasSize(16);
            assertThat(now.get("dataVersion").asInt()).isEqualTo(3);
            List<StoredVersion> kept = versions(k);
            assertThat(kept.get(0).cause()).isEqualTo(VersionCause.ADMIN);
            assertThat(kept.get(1).cause()).isEqualTo(VersionCause.ADMIN);
            assertThat(tree(kept.get(1).payload()).get("data").has("season")).isFalse();
        }
        revisions = revisions(sample);
        JsonNode editedAgain = json(Cli.run(fx.args("edit", "--all", "--patch", ADD_SEASON, "--json")), 0);
        long t5 = System.nanoTime();
        assertThat(editedAgain.get("totals").get("edited").asLong()).isZero();
        assertThat(editedAgain.get("totals").get("already-done").asLong()).isEqualTo(n - 3);
        assertThat(revisions(sample)).isEqualTo(revisions);

        System.out.printf(
                Locale.ROOT,
                "%s: 10,000 profiles: seed %.1fs, migrate %.1fs, again %.1fs, edit %.1fs, again %.1fs%n",
                getClass().getSimpleName(),
                (t1 - t0) / 1e9,
                (t2 - t1) / 1e9,
                (t3 - t2) / 1e9,
                (t4 - t3) / 1e9,
                (t5 - t4) / 1e9);
    }

    // ---------------------------------------------------------------- migrate

    @Test
    void migrateReportsHeldNewerFailingAndInvalidProfilesAndLeavesThemAsTheyWere() throws Exception {
        seed(10, 1, i -> "{\"gold\":" + i + "}");
        byte[] newer = payload("{\"coins\":1,\"shiny\":true}", 9).getBytes(StandardCharsets.UTF_8);
        put("newer", newer);
        put("poisoned", payload("{\"gold\":1,\"poison\":true}", 1).getBytes(StandardCharsets.UTF_8));
        put("negative", payload("{\"gold\":-5}", 1).getBytes(StandardCharsets.UTF_8));
        put("current", payload("{\"coins\":3,\"gems\":1}", 3).getBytes(StandardCharsets.UTF_8));
        fx.store.globalUpdateProfile("giftonly", u -> u.addActiveUpdate(Map.of("coins", 1)));
        hold(List.of(key(1)));
        List<String> untouched = List.of("newer", "poisoned", "negative", "current"); // and the held one
        Map<String, Long> revisions = revisions(untouched);

        Cli.Result r = Cli.run(fx.args("migrate", "--model", MODEL));
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out())
                .contains("held: " + key(1) + ", held by test-place/test-job-" + fx.storeName + " (not touched)")
                .contains("skipped: newer: its data is at version 9, newer than the model's (3)")
                .contains("failed: poisoned: the migration step from data version 1 to 2 failed")
                .contains("failed: negative: the migrated data fails the model's validator: coins are negative: -5")
                .contains("skipped: giftonly: no saved data yet")
                .contains("migrate " + fx.storeName + ": 15 of 15 profile(s): 9 migrated, 1 already done,"
                        + " 0 unchanged, 1 held, 2 failed, 2 skipped");
        assertThat(revisions(untouched)).isEqualTo(revisions);
        for (String k : untouched) {
            assertThat(fx.record(k).owner()).as(k).isNull();
        }
        assertThat(tree(fx.record(key(1)).payload()).has("dataVersion")).isFalse();
        assertThat(versions(key(1))).extracting(StoredVersion::cause).doesNotContain(VersionCause.MIGRATION);
        assertThat(fx.record("newer").payload()).isEqualTo(newer);
        assertThat(data(key(2)).get("coins").asInt()).isEqualTo(2);

        // run again: only the same problems, nothing more migrated
        Cli.Result again = Cli.run(fx.args("migrate", "--model", MODEL, "--json"));
        JsonNode doc = json(again, 1);
        assertThat(doc.get("totals").get("migrated").asInt()).isZero();
        assertThat(doc.get("totals").get("already-done").asInt()).isEqualTo(10);
        assertThat(keysWith(doc, "failed")).containsExactly("negative", "poisoned");
        for (JsonNode p : doc.get("profiles")) {
            if (p.get("key").asText().equals("negative")) {
                assertThat(p.get("from").asInt()).isEqualTo(1);
                assertThat(p.get("to").asInt()).isEqualTo(3);
                assertThat(p.get("error").asText()).contains("coins are negative");
            }
        }
    }

    /** Writes a released profile holding {@code payload} through the SPI. */
    void put(String key, byte[] payload) {
        Owner writer = new Owner("bulk-writer", "seed-place", "seed-job");
        var acquired = fx.backend.acquire(fx.storeName, key, writer, -1, payload);
        assertThat(acquired.acquired()).isTrue();
        assertThat(fx.backend
                        .save(
                                fx.storeName,
                                key,
                                SaveRequest.of(
                                        writer.serverId(), acquired.record().epoch(), payload, true))
                        .status())
                .isEqualTo(SaveResult.Status.SAVED);
    }

    @Test
    void dryRunsReadEverythingAndWriteNothing() throws Exception {
        seed(20, 1, i -> "{\"gold\":" + i + (i % 2 == 0 ? ",\"banned\":true" : "") + "}");
        hold(List.of(key(5)));
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            if (i != 5) {
                all.add(key(i)); // not the held one, which its server writes
            }
        }
        Map<String, Long> revisions = revisions(all);
        Map<String, Long> epochs = new HashMap<>();
        all.forEach(k -> epochs.put(k, fx.record(k).epoch()));

        Cli.Result migrate = Cli.run(fx.args("migrate", "--model", MODEL, "--dry-run"));
        assertThat(migrate.exit()).as(migrate.toString()).isZero();
        assertThat(migrate.out())
                .contains("would migrate " + key(0) + " (data version 1 -> 3):\n")
                .contains("  - /data/gold\n")
                .contains("  + /data/gems: 0\n")
                .contains("  + /data/coins: 0\n")
                .contains("held: " + key(5))
                .contains("(dry run, nothing written): 19 would be migrated");

        Cli.Result edit = Cli.run(fx.args(
                "edit",
                "--all",
                "--where",
                "/data/banned=true",
                "--patch",
                "[{\"op\":\"replace\",\"path\":\"/data/gold\",\"value\":-1}]",
                "--dry-run",
                "--json"));
        JsonNode doc = json(edit, 0);
        assertThat(doc.get("dryRun").asBoolean()).isTrue();
        assertThat(doc.get("totals").get("would-edit").asInt())
                .as(edit.toString())
                .isEqualTo(10);
        assertThat(doc.get("totals").get("filtered-out").asInt()).isEqualTo(10);
        assertThat(keysWith(doc, "would-edit"))
                .hasSize(10)
                .allSatisfy(
                        k -> assertThat(Integer.parseInt(k.substring(1)) % 2).isZero());
        assertThat(doc.get("profiles").get(1).get("changes").get(0).asText()).isEqualTo("~ /data/gold: 2 -> -1");

        assertThat(revisions(all)).isEqualTo(revisions);
        all.forEach(k -> {
            assertThat(fx.record(k).epoch()).as(k).isEqualTo(epochs.get(k));
            assertThat(fx.record(k).owner()).as(k).isNull();
        });
        assertThat(versions(key(0))).isEmpty();
    }

    // ---------------------------------------------------------------- edit

    @Test
    void editAppliesAPatchOnceAndReportsTheProfilesItFailsOn() throws Exception {
        seed(12, 1, i -> "{\"coins\":" + i + ",\"vip\":" + (i < 4) + ",\"items\":[]}");
        String patch = "[{\"op\":\"test\",\"path\":\"/data/vip\",\"value\":true},"
                + "{\"op\":\"add\",\"path\":\"/data/items/-\",\"value\":\"crown\"},"
                + "{\"op\":\"add\",\"path\":\"/userIds/-\",\"value\":4242}]";
        Path file = dir.resolve("patch.json");
        Files.writeString(file, patch);
        Map<String, Long> before = revisions(List.of(key(4), key(11)));

        Cli.Result r = Cli.run(fx.args("edit", "--all", "--patch", "@" + file));
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out())
                .contains("failed: " + key(4) + ": the patch does not apply: ")
                .contains("4 edited, 0 already done, 0 unchanged, 0 held, 8 failed, 0 skipped");
        assertThat(revisions(List.of(key(4), key(11)))).isEqualTo(before);
        assertThat(fx.record(key(4)).owner()).isNull();
        assertThat(data(key(0)).get("items").toString()).isEqualTo("[\"crown\"]");
        assertThat(BackendAdmin.of(fx.backend).keysOfUser(fx.storeName, 4242))
                .containsExactly(key(0), key(1), key(2), key(3));
        assertThat(tree(fx.record(key(2)).payload()).get("userIds").toString()).isEqualTo("[4242]");

        // again (as after an interruption), then the same patch on one profile: never applied twice
        Cli.Result again = Cli.run(fx.args("edit", "--all", "--patch", "@" + file));
        assertThat(again.out()).contains("0 edited, 4 already done");
        Cli.Result one = Cli.run(fx.args("edit", key(1), "--patch", patch, "--json"));
        JsonNode doc = json(one, 0);
        assertThat(doc.get("profiles").get(0).get("outcome").asText()).isEqualTo("already-done");
        assertThat(data(key(1)).get("items").toString()).isEqualTo("[\"crown\"]");

        // one key, a where filter, a patch that changes nothing
        Cli.Result single = Cli.run(fx.args(
                "edit", key(7), "--patch", "[{\"op\":\"replace\",\"path\":\"/data/coins\",\"value\":70}]", "--json"));
        assertThat(json(single, 0).get("totals").get("edited").asInt()).isEqualTo(1);
        assertThat(data(key(7)).get("coins").asInt()).isEqualTo(70);
        assertThat(versions(key(7)))
                .extracting(StoredVersion::cause)
                .containsExactly(VersionCause.ADMIN, VersionCause.ADMIN);
        Cli.Result where = Cli.run(fx.args(
                "edit",
                "--all",
                "--where",
                "/data/coins=70",
                "--patch",
                "[{\"op\":\"add\",\"path\":\"/tags/Checked\",\"value\":\"yes\"}]",
                "--json"));
        JsonNode whereDoc = json(where, 0);
        assertThat(keysWith(whereDoc, "edited")).containsExactly(key(7));
        assertThat(whereDoc.get("totals").get("filtered-out").asInt()).isEqualTo(11);
        long rev = fx.record(key(8)).revision();
        Cli.Result nothing = Cli.run(
                fx.args("edit", key(8), "--patch", "[{\"op\":\"replace\",\"path\":\"/data/coins\",\"value\":8}]"));
        assertThat(nothing.out()).contains("0 edited, 0 already done, 1 unchanged");
        assertThat(fx.record(key(8)).revision()).isEqualTo(rev); // nothing to change: not even locked
        assertThat(fx.record(key(8)).owner()).isNull();
        assertThat(versions(key(8))).isEmpty();
    }

    @Test
    void editLeavesAHeldProfileAlone() throws Exception {
        seed(3, 1, i -> "{\"coins\":" + i + "}");
        hold(List.of(key(1)));
        Cli.Result r = Cli.run(fx.args("edit", key(1), "--patch", ADD_SEASON));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("held: " + key(1) + ", held by test-place/test-job-" + fx.storeName);
        // its server may have saved it meanwhile (its revision moves), but never with the patch
        assertThat(data(key(1)).has("season")).isFalse();
        assertThat(versions(key(1))).extracting(StoredVersion::cause).doesNotContain(VersionCause.ADMIN);
        assertThat(fx.record(key(1)).owner().jobId()).isEqualTo("test-job-" + fx.storeName);
    }

    /**
     * Ctrl-C for real: {@code profiles edit --all} runs in its own JVM and gets SIGINT part way
     * through. It finishes the profiles in hand, reports itself interrupted, leaves none locked; a
     * run again edits exactly the rest, so a patch that appends to a list is applied once everywhere.
     */
    @Test
    void editInterruptedByCtrlCLeavesNothingLockedAndARunAgainDoesNothingTwice() throws Exception {
        int n = 3_000;
        seed(n, 1, i -> "{\"items\":[]}");
        String appendGift = "[{\"op\":\"add\",\"path\":\"/data/items/-\",\"value\":\"gift\"}]";
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(fx.args("edit", "--all", "--patch", appendGift, "--parallel", "1", "--json")));
        Path out = dir.resolve("interrupted.json");
        Process run = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(dir.resolve("interrupted.err").toFile())
                .start();
        try {
            Awaitility.await("the run edits its first profiles")
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> edited(key(20)) || !run.isAlive());
            assertThat(run.isAlive()).as("still running when interrupted").isTrue();
            assertThat(new ProcessBuilder("kill", "-INT", Long.toString(run.pid()))
                            .start()
                            .waitFor())
                    .isZero();
            assertThat(run.waitFor(60, TimeUnit.SECONDS))
                    .as("exits after Ctrl-C")
                    .isTrue();
        } finally {
            run.destroyForcibly();
        }
        JsonNode first = JSON.readTree(out.toFile());
        assertThat(first.path("interrupted").asBoolean())
                .as("a whole report that says it was interrupted: %s", Files.readString(out))
                .isTrue();
        long editedFirst = first.get("totals").get("edited").asLong();
        assertThat(editedFirst).as("interrupted part way").isBetween(21L, n - 1L);

        List<String> marked = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            StoredProfile record = fx.record(key(i));
            assertThat(record.owner())
                    .as("%s left locked by the interrupted run", key(i))
                    .isNull();
            if (edited(key(i))) {
                marked.add(key(i));
            }
        }
        assertThat(marked).as("what the interrupted run reported edited").hasSize((int) editedFirst);

        JsonNode again = json(Cli.run(fx.args("edit", "--all", "--patch", appendGift, "--json")), 0);
        assertThat(again.get("totals").get("already-done").asLong()).isEqualTo(editedFirst);
        assertThat(again.get("totals").get("edited").asLong()).isEqualTo(n - editedFirst);
        for (int i = 0; i < n; i++) {
            assertThat(data(key(i)).get("items").toString()).as(key(i)).isEqualTo("[\"gift\"]");
        }
    }

    /** Whether {@code key} carries the mark of an edit by {@code profiles edit}. */
    private boolean edited(String key) throws Exception {
        return tree(fx.record(key).payload()).get("tags").has("profiles-edit");
    }

    // ---------------------------------------------------------------- bad input

    @Test
    void badInputExitsWithOneLineAndWritesNothing() {
        seed(3, 1, i -> "{\"gold\":" + i + "}");
        Map<String, Long> revisions = revisions(List.of(key(0), key(1), key(2)));

        assertBadInput(
                Cli.run(fx.args("migrate", "--model", "com.example.NoSuchModel")),
                "no class 'com.example.NoSuchModel'");
        assertBadInput(
                Cli.run(fx.args("migrate", "--model", BulkTestModel.NotAModel.class.getName())),
                "does not implement java.util.function.Supplier");
        assertBadInput(
                Cli.run(fx.args(
                        "migrate",
                        "--model",
                        MODEL,
                        "--classpath",
                        dir.resolve("nope.jar").toString())),
                "nope.jar does not exist");
        assertBadInput(Cli.run(fx.args("migrate")), "--model");
        assertBadInput(Cli.run(fx.args("edit", "--all", "--patch", "[{\"op\":")), "malformed JSON in --patch");
        assertBadInput(Cli.run(fx.args("edit", "--all", "--patch", "{\"op\":\"add\"}")), "must be a JSON array");
        assertBadInput(
                Cli.run(fx.args("edit", "--all", "--patch", "[{\"op\":\"frobnicate\",\"path\":\"/data/x\"}]")),
                "not a valid JSON patch");
        assertBadInput(Cli.run(fx.args("edit", "--all", "--patch", "[]")), "no operations");
        assertBadInput(
                Cli.run(fx.args("edit", "--all", "--patch", "@" + dir.resolve("missing.json"))),
                "cannot read the --patch file");
        assertBadInput(Cli.run(fx.args("edit", "--all", "--where", "banned", "--patch", ADD_SEASON)), "--where");
        assertBadInput(
                Cli.run(fx.args("edit", "--all", "--where", "data/banned=true", "--patch", ADD_SEASON)),
                "must start with '/'");
        assertBadInput(
                Cli.run(fx.args("edit", key(0), "--where", "/data/banned=true", "--patch", ADD_SEASON)),
                "--where filters --all");
        assertBadInput(Cli.run(fx.args("edit", key(0), "--all", "--patch", ADD_SEASON)), "mutually exclusive");
        assertBadInput(Cli.run(fx.args("edit", "nobody", "--patch", ADD_SEASON)), "no profile 'nobody'");
        assertBadInput(Cli.run(fx.args("edit", "--all", "--patch", ADD_SEASON, "--parallel", "0")), "--parallel");
        assertBadInput(
                Cli.run("edit", "--all", "--patch", ADD_SEASON, "--store", fx.uri, "--profile-store", "NoSuch_b1"),
                "profile store 'NoSuch_b1' has no profiles");

        assertThat(revisions(List.of(key(0), key(1), key(2)))).isEqualTo(revisions);
        assertThat(versions(key(0))).isEmpty();
    }
}
