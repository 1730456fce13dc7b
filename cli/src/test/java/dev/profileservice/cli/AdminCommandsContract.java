package dev.profileservice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profileservice.DataModel;
import dev.profileservice.GlobalUpdate;
import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.VersionCause;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every admin command, run through the real command line against a real store: output, exit
 * code and the store's state afterwards, including bad input (exit 2, one line, nothing written).
 * Subclasses pick the store.
 */
abstract class AdminCommandsContract {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    StoreFixture fx;

    abstract String uri();

    @BeforeEach
    void open() {
        fx = new StoreFixture(uri());
        fx.put("alice", 5);
        fx.put("bob", 7);
    }

    @AfterEach
    void close() {
        fx.close();
    }

    static void assertBadInput(Cli.Result r, String mentions) {
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err().strip()).as(r.toString()).contains(mentions).doesNotContain("\n");
        assertThat(r.out()).as(r.toString()).isEmpty();
    }

    /** Runs {@code profiles COMMAND} with the fixture's store options and {@code more}, asserting exit code 0. */
    Cli.Result succeeds(String command, String... more) {
        Cli.Result r = Cli.run(fx.args(command, more));
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    /**
     * The current version of alice, which then stops being the latest: a save changes her coins
     * from 5 to 6, so it is kept as an older version.
     */
    long aliceVersionBeforeChange() {
        long version = fx.record("alice").revision();
        fx.change("alice", p -> p.edit(d -> d.put("coins", 6)));
        return version;
    }

    // ---------------------------------------------------------------- view

    @Test
    void viewPrintsDataMetadataAndUpdates() throws Exception {
        fx.store.globalUpdateProfile("alice", u -> u.addActiveUpdate(Map.of("coins", 100)));

        Cli.Result text = succeeds("view", "alice");
        assertThat(text.out())
                .contains("Profile alice in " + fx.storeName)
                .contains("\"coins\" : 5")
                .contains("released")
                .contains("\"rank\":\"gold\"")
                .contains("active updates (1)")
                .contains("{\"coins\":100}");

        Cli.Result json = succeeds("view", "alice", "--json");
        JsonNode node = JSON.readTree(json.out());
        assertThat(node.get("data").get("coins").asInt()).isEqualTo(5);
        assertThat(node.get("metaTags").get("rank").asText()).isEqualTo("gold");
        assertThat(node.get("sessionLoadCount").asLong()).isEqualTo(1);
        assertThat(node.get("owner").isNull()).isTrue();
        assertThat(node.get("activeUpdates")).hasSize(1);
        assertThat(node.get("activeUpdates").get(0).get("data").get("coins").asInt())
                .isEqualTo(100);
        assertThat(node.get("lockedUpdates")).isEmpty();
    }

    @Test
    void viewShowsTheHolderOfAHeldProfile() throws Exception {
        Profile<Map<String, Object>> held = fx.hold("alice");
        try {
            JsonNode node =
                    JSON.readTree(Cli.run(fx.args("view", "alice", "--json")).out());
            assertThat(node.get("owner").get("jobId").asText()).isEqualTo("test-job-" + fx.storeName);
            assertThat(node.get("owner").get("placeId").asText()).isEqualTo("test-place");
        } finally {
            held.release();
        }
    }

    @Test
    void viewRejectsAMissingKeyAWrongStoreNameAndAnUnknownScheme() {
        assertBadInput(Cli.run(fx.args("view", "nobody")), "no profile 'nobody'");
        assertBadInput(
                Cli.run("view", "alice", "--store", fx.uri, "--profile-store", "NoSuchStore_x1"),
                "profile store 'NoSuchStore_x1' has no profiles");
        assertBadInput(
                Cli.run("view", "alice", "--store", "nosuch://x", "--profile-store", fx.storeName),
                "unknown backend scheme 'nosuch'");
        assertBadInput(Cli.run("view", "alice", "--profile-store", fx.storeName), "--store");
        assertBadInput(Cli.run("view", "alice", "--store", fx.uri, "--profile-store", "bad name!"), "is invalid");
    }

    // ---------------------------------------------------------------- gift

    @Test
    void giftSendsAnActiveUpdateAndPrintsItsId() throws Exception {
        Cli.Result r = succeeds("gift", "bob", "--data", "{\"coins\":250,\"reason\":\"apology\"}", "--json");
        long id = JSON.readTree(r.out()).get("id").asLong();
        assertThat(id).isPositive();

        Profile<Map<String, Object>> view = fx.store.viewProfile("bob").orElseThrow();
        List<GlobalUpdate> active = view.getGlobalUpdates().getActiveUpdates();
        assertThat(active).extracting(GlobalUpdate::id).containsExactly(id);
        assertThat(active.get(0).data()).containsEntry("coins", 250).containsEntry("reason", "apology");

        Cli.Result text = succeeds("gift", "bob", "--data", "{\"coins\":1}");
        assertThat(text.out()).startsWith("sent global update #" + (id + 1) + " to bob");
        assertThat(fx.store.viewProfile("bob").orElseThrow().getGlobalUpdates().getActiveUpdates())
                .hasSize(2);
    }

    @Test
    void giftWithBadInputWritesNothing() {
        StoredProfile before = fx.record("bob");
        assertBadInput(Cli.run(fx.args("gift", "bob", "--data", "{\"coins\":")), "malformed JSON in --data");
        assertBadInput(Cli.run(fx.args("gift", "bob", "--data", "[1,2]")), "must be a JSON object");
        assertBadInput(Cli.run(fx.args("gift", "nobody", "--data", "{\"coins\":1}")), "no profile 'nobody'");
        assertBadInput(
                Cli.run("gift", "bob", "--data", "{}", "--store", fx.uri, "--profile-store", "NoSuchStore_x2"),
                "profile store 'NoSuchStore_x2' has no profiles");
        assertThat(fx.record("bob").updateSeq()).isEqualTo(before.updateSeq());
        assertThat(fx.record("nobody").isEmpty()).isTrue();
        assertThat(BackendAdmin.of(fx.backend).keys("NoSuchStore_x2", null, 10)).isEmpty();
    }

    // ---------------------------------------------------------------- sessions

    @Test
    void listingCommandsRejectAProfileStoreWithNoProfiles() {
        for (String command : List.of("sessions", "export")) {
            assertBadInput(
                    Cli.run(command, "--store", fx.uri, "--profile-store", "NoSuchStore_x3"),
                    "profile store 'NoSuchStore_x3' has no profiles");
            assertBadInput(
                    Cli.run(command, "--store", "nosuch:x", "--profile-store", fx.storeName), "unknown backend scheme");
        }
    }

    @Test
    void sessionsListsHoldersWithTheirLease() throws Exception {
        Profile<Map<String, Object>> held = fx.hold("alice");
        try {
            Cli.Result text = succeeds("sessions");
            assertThat(text.out())
                    .contains("alice")
                    .contains("test-job-" + fx.storeName)
                    .contains("live, expires in")
                    .contains("1 session(s) held")
                    .doesNotContain("bob");

            JsonNode node = JSON.readTree(Cli.run(fx.args("sessions", "--json")).out());
            assertThat(node).hasSize(1);
            assertThat(node.get(0).get("key").asText()).isEqualTo("alice");
            assertThat(node.get(0).get("epoch").asLong())
                    .isEqualTo(fx.record("alice").epoch());
            assertThat(node.get(0).get("leaseState").asText()).isEqualTo("live");
            assertThat(node.get(0).get("leaseExpiresInMillis").asLong()).isPositive();
        } finally {
            held.release();
        }
        assertThat(Cli.run(fx.args("sessions")).out()).contains("no sessions held");
    }

    // ---------------------------------------------------------------- release

    @Test
    void releaseBumpsTheEpochSoTheOldOwnersWritesAreRefused() throws Exception {
        Profile<Map<String, Object>> held = fx.hold("alice");
        long epoch = fx.record("alice").epoch();

        Cli.Result r = succeeds("release", "alice");
        assertThat(r.out()).contains("released alice").contains("epoch " + epoch + " -> " + (epoch + 1));
        StoredProfile after = fx.record("alice");
        assertThat(after.owner()).isNull();
        assertThat(after.epoch()).isEqualTo(epoch + 1);

        // the old owner's next save is refused and it learns it lost the profile
        held.edit(d -> d.put("coins", 999));
        held.save();
        await().atMost(Duration.ofSeconds(10)).until(() -> !held.isActive());
        assertThat(fx.store.viewProfile("alice").orElseThrow().getData()).containsEntry("coins", 5);

        JsonNode again =
                JSON.readTree(Cli.run(fx.args("release", "alice", "--json")).out());
        assertThat(again.get("wasHeld").asBoolean()).isFalse();
        assertThat(again.get("epochAfter").asLong()).isEqualTo(epoch + 2);
        assertBadInput(Cli.run(fx.args("release", "nobody")), "no profile 'nobody'");
        assertThat(fx.record("nobody").isEmpty()).isTrue();
    }

    // ---------------------------------------------------------------- wipe

    @Test
    void wipeAsksForConfirmation() {
        Cli.Result no = Cli.runWithInput("no\n", fx.args("wipe", "alice"));
        assertThat(no.exit()).as(no.toString()).isEqualTo(1);
        assertThat(no.out()).contains("Delete profile 'alice'");
        assertThat(no.err()).contains("nothing deleted");
        assertThat(fx.store.viewProfile("alice")).isPresent();

        Cli.Result yes = Cli.runWithInput("yes\n", fx.args("wipe", "alice"));
        assertThat(yes.exit()).as(yes.toString()).isZero();
        assertThat(yes.out()).contains("deleted alice");
        assertThat(fx.store.viewProfile("alice")).isEmpty();
        assertThat(fx.record("alice").isEmpty()).isTrue();
    }

    @Test
    void wipeWithYesDeletesWithoutAsking() throws Exception {
        Cli.Result r = succeeds("wipe", "bob", "--yes", "--json");
        assertThat(JSON.readTree(r.out()).get("deleted").asBoolean()).isTrue();
        assertThat(BackendAdmin.of(fx.backend).keys(fx.storeName, null, 10)).containsExactly("alice");
        assertBadInput(Cli.run(fx.args("wipe", "bob", "--yes")), "no profile 'bob'");
        assertThat(BackendAdmin.of(fx.backend).keys(fx.storeName, null, 10)).containsExactly("alice");
    }

    // ---------------------------------------------------------------- history

    /** The JSON of {@code history --json} (all versions, newest first unless more arguments say). */
    JsonNode historyJson(String key, String... more) throws Exception {
        String[] args = new String[more.length + 2];
        args[0] = key;
        args[1] = "--json";
        System.arraycopy(more, 0, args, 2, more.length);
        Cli.Result r = succeeds("history", args);
        return JSON.readTree(r.out());
    }

    static List<String> field(JsonNode versions, String name) {
        List<String> out = new java.util.ArrayList<>();
        versions.forEach(v -> out.add(v.get(name).asText()));
        return out;
    }

    @Test
    void historyListsTheKeptVersionsWithTheirCausesNewestFirst() throws Exception {
        long first = fx.record("alice").revision(); // the release of put("alice", 5)
        long second = fx.change("alice", p -> p.edit(d -> d.put("coins", 6)));
        fx.store.viewProfile("alice").orElseThrow().overwrite(); // the rollback API: cause overwrite
        long third = fx.record("alice").revision();

        Cli.Result text = succeeds("history", "alice");
        List<String> rows =
                text.out().lines().filter(l -> l.matches("\\s+[0-9].*")).toList();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0))
                .startsWith("  " + third + "*")
                .contains("overwrite")
                .contains(" - ");
        assertThat(rows.get(1))
                .startsWith("  " + second + " ")
                .contains("release")
                .contains("test-place/test-job-" + fx.storeName)
                .containsPattern("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
        assertThat(rows.get(2)).startsWith("  " + first + " ").contains("release");
        assertThat(text.out()).contains("newest first").contains("3 version(s) shown");

        JsonNode json = historyJson("alice");
        JsonNode versions = json.get("versions");
        assertThat(field(versions, "version"))
                .containsExactly(String.valueOf(third), String.valueOf(second), String.valueOf(first));
        assertThat(field(versions, "cause")).containsExactly("overwrite", "release", "release");
        assertThat(versions.get(0).get("writer").isNull()).isTrue();
        assertThat(versions.get(1).get("writer").get("jobId").asText()).isEqualTo("test-job-" + fx.storeName);
        assertThat(versions.get(0).get("latest").asBoolean()).isTrue();
        assertThat(versions.get(1).get("latest").asBoolean()).isFalse();
        assertThat(versions.get(0).get("size").asInt()).isPositive();
        assertThat(field(versions, "pinned")).containsOnly("false");
        assertThat(json.get("more").asBoolean()).isFalse();

        assertThat(field(historyJson("alice", "--oldest-first").get("versions"), "cause"))
                .containsExactly("release", "release", "overwrite");
        JsonNode limited = historyJson("alice", "--limit", "2");
        assertThat(field(limited.get("versions"), "version"))
                .containsExactly(String.valueOf(third), String.valueOf(second));
        assertThat(limited.get("more").asBoolean()).isTrue();
        assertThat(Cli.run(fx.args("history", "alice", "--limit", "2")).out())
                .contains("2 version(s) shown; more are kept");
    }

    @Test
    void historyPagesThroughLongHistories() throws Exception {
        List<String> written = new java.util.ArrayList<>();
        for (int i = 0; i < 45; i++) {
            written.add(
                    String.valueOf(fx.keep("carol", VersionCause.AUTO_SAVE, "{\"coins\":" + i + "}", "{}", List.of())));
        }
        List<String> newestFirst = new java.util.ArrayList<>(written);
        java.util.Collections.reverse(newestFirst);
        assertThat(field(historyJson("carol").get("versions"), "version")).isEqualTo(newestFirst);
        assertThat(field(historyJson("carol", "--oldest-first").get("versions"), "version"))
                .isEqualTo(written);
        assertThat(field(historyJson("carol", "--limit", "41").get("versions"), "version"))
                .isEqualTo(newestFirst.subList(0, 41));
        assertThat(Cli.run(fx.args("history", "carol")).out()).contains("45 version(s) shown");
    }

    @Test
    void historyRejectsBadInput() {
        assertBadInput(Cli.run(fx.args("history", "nobody")), "no profile 'nobody'");
        assertBadInput(Cli.run(fx.args("history", "alice", "--limit", "0")), "--limit must be at least 1");
        assertBadInput(Cli.run(fx.args("history", "alice", "--limit", "x")), "--limit");
    }

    // ---------------------------------------------------------------- view --version

    @Test
    void viewOfAVersionShowsThatVersion() throws Exception {
        long v5 = aliceVersionBeforeChange();

        Cli.Result text = succeeds("view", "alice", "--version", String.valueOf(v5));
        assertThat(text.out())
                .contains("Profile alice in " + fx.storeName)
                .contains("\"coins\" : 5")
                .contains("version      " + v5 + " (kept version, saved ")
                .contains("\"rank\":\"gold\"");

        JsonNode json = JSON.readTree(Cli.run(fx.args("view", "alice", "--version", String.valueOf(v5), "--json"))
                .out());
        JsonNode latest =
                JSON.readTree(Cli.run(fx.args("view", "alice", "--json")).out());
        assertThat(json.get("data").get("coins").asInt()).isEqualTo(5);
        assertThat(json.get("version").asText()).isEqualTo(String.valueOf(v5));
        assertThat(latest.get("data").get("coins").asInt()).isEqualTo(6);
        assertThat(latest.get("version").asText())
                .isEqualTo(String.valueOf(fx.record("alice").revision()));
        List<String> names = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        List<String> latestNames = new java.util.ArrayList<>();
        latest.fieldNames().forEachRemaining(latestNames::add);
        assertThat(names).isEqualTo(latestNames); // the same shape

        assertBadInput(Cli.run(fx.args("view", "alice", "--version", "999999")), "has no kept version 999999");
        assertBadInput(Cli.run(fx.args("view", "alice", "--version", "abc")), "version 'abc' is not a version id");
        assertBadInput(Cli.run(fx.args("view", "alice", "--version", "-3")), "is not a version id");
    }

    // ---------------------------------------------------------------- diff

    @Test
    void diffPrintsOneLinePerChange() throws Exception {
        long v1 = fx.keep(
                "carol",
                VersionCause.SAVE,
                "{\"coins\":100,\"items\":[\"axe\",\"bow\"]}",
                "{\"Event\":\"x\"}",
                List.of());
        long v2 = fx.keep(
                "carol",
                VersionCause.SAVE,
                "{\"coins\":0,\"items\":[\"axe\",\"bow\",\"sword\"]}",
                "{\"rank\":\"gold\"}",
                List.of(42L));

        Cli.Result r = succeeds("diff", "carol", String.valueOf(v1), String.valueOf(v2));
        assertThat(r.out().lines())
                .contains(
                        "~ /data/coins: 100 -> 0",
                        "+ /data/items/2: \"sword\"",
                        "- /tags/Event",
                        "+ /tags/rank: \"gold\"",
                        "+ /userIds/0: 42")
                .noneMatch(l -> l.contains("loads") || l.contains("created"));
        assertThat(r.out()).startsWith("--- carol version " + v1);

        JsonNode patch = JSON.readTree(Cli.run(fx.args("diff", "carol", String.valueOf(v1), "latest", "--json"))
                .out());
        assertThat(patch.isArray()).isTrue();
        assertThat(patch)
                .anySatisfy(op -> {
                    assertThat(op.get("op").asText()).isEqualTo("replace");
                    assertThat(op.get("path").asText()).isEqualTo("/data/coins");
                    assertThat(op.get("value").asInt()).isZero();
                    assertThat(op.has("fromValue")).isFalse();
                })
                .anySatisfy(op -> {
                    assertThat(op.get("op").asText()).isEqualTo("remove");
                    assertThat(op.get("path").asText()).isEqualTo("/tags/Event");
                    assertThat(op.has("value")).isFalse();
                });

        assertThat(Cli.run(fx.args("diff", "carol", String.valueOf(v2), "latest"))
                        .out())
                .contains("no differences");
    }

    @Test
    void diffRejectsUnknownAndMalformedVersions() {
        long v = fx.record("alice").revision();
        assertBadInput(Cli.run(fx.args("diff", "alice", "999999", "latest")), "has no kept version 999999");
        assertBadInput(
                Cli.run(fx.args("diff", "alice", String.valueOf(v), "1.5")), "version '1.5' is not a version id");
        assertBadInput(Cli.run(fx.args("diff", "alice", String.valueOf(v))), "V2");
        assertBadInput(Cli.run(fx.args("diff", "nobody", "1", "latest")), "no profile 'nobody'");
    }

    // ---------------------------------------------------------------- restore

    @Test
    void restoreShowsTheChangeAsksAndRollsBack() throws Exception {
        long v5 = fx.record("alice").revision();
        fx.change("alice", p -> {
            p.edit(d -> d.put("coins", 0));
            p.addUserId(4242);
        });
        assertThat(BackendAdmin.of(fx.backend).keysOfUser(fx.storeName, 4242)).containsExactly("alice");
        StoredProfile before = fx.record("alice");

        Cli.Result no = Cli.runWithInput("no\n", fx.args("restore", "alice", "--version", String.valueOf(v5)));
        assertThat(no.exit()).as(no.toString()).isEqualTo(1);
        assertThat(no.out())
                .contains("~ /data/coins: 0 -> 5")
                .contains("- /userIds/0")
                .contains("Restore version " + v5 + " of alice");
        assertThat(no.err()).contains("nothing written");
        assertThat(fx.record("alice").revision()).isEqualTo(before.revision());

        Cli.Result yes = Cli.runWithInput("yes\n", fx.args("restore", "alice", "--version", String.valueOf(v5)));
        assertThat(yes.exit()).as(yes.toString()).isZero();
        assertThat(yes.out())
                .contains("restored alice to version " + v5)
                .contains("epoch " + before.epoch() + " -> " + (before.epoch() + 1))
                .contains("no session held it");
        StoredProfile after = fx.record("alice");
        assertThat(after.epoch()).isEqualTo(before.epoch() + 1);
        assertThat(after.owner()).isNull();
        assertThat(fx.store.viewProfile("alice").orElseThrow().getData()).containsEntry("coins", 5);
        Profile<Map<String, Object>> loaded = fx.hold("alice");
        try {
            assertThat(loaded.getData()).containsEntry("coins", 5);
            assertThat(loaded.getUserIds()).isEmpty();
        } finally {
            loaded.release();
        }
        assertThat(BackendAdmin.of(fx.backend).keysOfUser(fx.storeName, 4242)).isEmpty();

        JsonNode versions = historyJson("alice").get("versions");
        assertThat(versions).anySatisfy(v -> {
            assertThat(v.get("version").asText()).isEqualTo(String.valueOf(after.revision()));
            assertThat(v.get("cause").asText()).isEqualTo("admin");
            assertThat(v.get("writer").isNull()).isTrue();
        });
    }

    @Test
    void restoreWithYesEndsTheLiveSessionAndCanClearUpdates() throws Exception {
        long v7 = fx.record("bob").revision();
        fx.store.globalUpdateProfile("bob", u -> u.addActiveUpdate(Map.of("coins", 100)));
        Profile<Map<String, Object>> held = fx.hold("bob");
        held.edit(d -> d.put("coins", 1));
        long epoch = fx.record("bob").epoch();

        Cli.Result r = succeeds("restore", "bob", "--version", String.valueOf(v7), "--yes", "--json");
        JsonNode json = JSON.readTree(r.out());
        assertThat(json.get("epochAfter").asLong()).isEqualTo(epoch + 1);
        assertThat(json.get("endedSession").get("jobId").asText()).isEqualTo("test-job-" + fx.storeName);
        assertThat(json.get("cause").asText()).isEqualTo("admin");
        await().atMost(Duration.ofSeconds(10)).until(() -> !held.isActive());
        assertThat(fx.store.viewProfile("bob").orElseThrow().getData()).containsEntry("coins", 7);

        long v = fx.record("bob").revision();
        fx.store.globalUpdateProfile("bob", u -> u.addActiveUpdate(Map.of("coins", 5)));
        assertThat(fx.record("bob").updates()).isNotEmpty();
        Cli.Result text =
                Cli.run(fx.args("restore", "bob", "--version", String.valueOf(v), "--yes", "--clear-updates"));
        assertThat(text.exit()).as(text.toString()).isZero();
        assertThat(text.out()).contains("pending global updates cleared").contains("epoch");
        assertThat(fx.record("bob").updates()).isEmpty();

        long va = fx.record("alice").revision();
        Profile<Map<String, Object>> heldAlice = fx.hold("alice");
        Cli.Result t = succeeds("restore", "alice", "--version", String.valueOf(va), "--yes");
        assertThat(t.out()).contains("ends the live session of place test-place, job test-job-" + fx.storeName);
        await().atMost(Duration.ofSeconds(10)).until(() -> !heldAlice.isActive());
    }

    @Test
    void restoreRefusesUnknownVersionsAndWipedProfiles() {
        long v = fx.record("alice").revision();
        StoredProfile before = fx.record("alice");
        assertBadInput(
                Cli.run(fx.args("restore", "alice", "--version", "999999", "--yes")), "has no kept version 999999");
        assertBadInput(Cli.run(fx.args("restore", "alice", "--version", "v1", "--yes")), "is not a version id");
        assertBadInput(Cli.run(fx.args("restore", "alice", "--yes")), "--version");
        assertThat(fx.record("alice").revision()).isEqualTo(before.revision());
        assertThat(fx.record("alice").epoch()).isEqualTo(before.epoch());

        assertThat(Cli.run(fx.args("wipe", "alice", "--yes")).exit()).isZero();
        assertBadInput(
                Cli.run(fx.args("restore", "alice", "--version", String.valueOf(v), "--yes")), "no profile 'alice'");
        assertThat(fx.record("alice").isEmpty()).isTrue();
    }

    // ---------------------------------------------------------------- pin / unpin

    @Test
    void pinAndUnpinChangeTheFlag() throws Exception {
        long v = aliceVersionBeforeChange();

        Cli.Result pin = succeeds("pin", "alice", "--version", String.valueOf(v));
        assertThat(pin.out()).contains("pinned version " + v + " of alice");
        assertThat(field(historyJson("alice").get("versions"), "pinned")).containsExactly("false", "true");
        assertThat(Cli.run(fx.args("history", "alice")).out()).contains("pinned");

        JsonNode unpin = JSON.readTree(Cli.run(fx.args("unpin", "alice", "--version", String.valueOf(v), "--json"))
                .out());
        assertThat(unpin.get("pinned").asBoolean()).isFalse();
        assertThat(field(historyJson("alice").get("versions"), "pinned")).containsOnly("false");

        assertBadInput(Cli.run(fx.args("pin", "alice", "--version", "999999")), "has no kept version 999999");
        assertBadInput(Cli.run(fx.args("unpin", "alice", "--version", "x")), "is not a version id");
        assertBadInput(Cli.run(fx.args("pin", "alice")), "--version");
    }

    // ---------------------------------------------------------------- stores without history

    @Test
    void aStoreWithoutHistoryGetsOneLineFromEveryHistoryCommand() {
        String bare = BareBackendProvider.PREFIX + fx.uri;
        String v = String.valueOf(fx.record("alice").revision());
        long revision = fx.record("alice").revision();
        for (String[] args : List.of(
                fx.argsOn(bare, "history", "alice"),
                fx.argsOn(bare, "view", "alice", "--version", v),
                fx.argsOn(bare, "diff", "alice", v, "latest"),
                fx.argsOn(bare, "restore", "alice", "--version", v, "--yes"),
                fx.argsOn(bare, "pin", "alice", "--version", v),
                fx.argsOn(bare, "unpin", "alice", "--version", v))) {
            assertBadInput(Cli.run(args), "keeps no version history");
        }
        assertThat(fx.record("alice").revision()).isEqualTo(revision);
        assertThat(Cli.run(fx.argsOn(bare, "view", "alice")).exit()).isZero();
    }

    // ---------------------------------------------------------------- wipe --user-id

    @Test
    void wipeByUserIdErasesExactlyTheProfilesHoldingIt() throws Exception {
        fx.change("alice", p -> p.addUserId(77));
        fx.change("bob", p -> {
            p.addUserId(78);
            p.addUserId(77);
        });
        fx.put("carol", 1);
        fx.change("carol", p -> p.addUserId(78));

        Cli.Result no = Cli.runWithInput("n\n", fx.args("wipe", "--user-id", "77"));
        assertThat(no.exit()).as(no.toString()).isEqualTo(1);
        assertThat(no.out())
                .contains("2 profile(s)")
                .contains("  alice")
                .contains("  bob")
                .doesNotContain("carol");
        assertThat(no.err()).contains("nothing deleted");
        assertThat(BackendAdmin.of(fx.backend).keys(fx.storeName, null, 10)).containsExactly("alice", "bob", "carol");

        Cli.Result yes = Cli.runWithInput("yes\n", fx.args("wipe", "--user-id", "77"));
        assertThat(yes.exit()).as(yes.toString()).isZero();
        assertThat(yes.out()).contains("deleted alice").contains("deleted bob").contains("deleted 2 profile(s)");
        assertThat(BackendAdmin.of(fx.backend).keys(fx.storeName, null, 10)).containsExactly("carol");
        assertThat(BackendAdmin.of(fx.backend).keysOfUser(fx.storeName, 77)).isEmpty();
        assertThat(fx.backend
                        .history()
                        .orElseThrow()
                        .versions(fx.storeName, "alice", dev.profileservice.spi.VersionPage.newestFirst(10)))
                .isEmpty();

        JsonNode none = JSON.readTree(
                Cli.run(fx.args("wipe", "--user-id", "77", "--yes", "--json")).out());
        assertThat(none.get("deleted")).isEmpty();
        JsonNode json = JSON.readTree(
                Cli.run(fx.args("wipe", "--user-id", "78", "--yes", "--json")).out());
        assertThat(json.get("deleted").get(0).asText()).isEqualTo("carol");
        assertThat(BackendAdmin.of(fx.backend).keys(fx.storeName, null, 10)).isEmpty();
    }

    @Test
    void wipeByUserIdNeedsTheStoresIndexOfUserIds() {
        fx.change("alice", p -> p.addUserId(77));
        assertBadInput(
                Cli.run(fx.argsOn(BareBackendProvider.PREFIX + fx.uri, "wipe", "--user-id", "77", "--yes")),
                "keeps no index of user ids");
        assertThat(BackendAdmin.of(fx.backend).keys(fx.storeName, null, 10)).containsExactly("alice", "bob");
    }

    @Test
    void wipeTakesAKeyOrAUserIdNotBoth() {
        assertBadInput(Cli.run(fx.args("wipe", "alice", "--user-id", "77", "--yes")), "mutually exclusive");
        assertBadInput(Cli.run(fx.args("wipe", "--yes")), "KEY");
        assertBadInput(Cli.run(fx.args("wipe", "--user-id", "seven", "--yes")), "--user-id");
        assertThat(BackendAdmin.of(fx.backend).keys(fx.storeName, null, 10)).containsExactly("alice", "bob");
    }

    // ---------------------------------------------------------------- export / import

    @Test
    void exportWritesOneJsonLinePerProfile() throws Exception {
        Cli.Result r = succeeds("export");
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.get("key").asText()).isEqualTo("alice");
        assertThat(first.get("dataVersion").asInt()).isEqualTo(1);
        assertThat(first.get("data").get("coins").asInt()).isEqualTo(5);
        assertThat(first.get("metaTags").get("rank").asText()).isEqualTo("gold");
        assertThat(JSON.readTree(lines.get(1)).get("key").asText()).isEqualTo("bob");
        assertThat(r.err()).contains("exported 2 profile(s)");

        Path file = dir.resolve("out.jsonl");
        assertThat(Cli.run(fx.args("export", "--output", file.toString())).exit())
                .isZero();
        assertThat(Files.readAllLines(file)).hasSize(2);
    }

    @Test
    void importLoadsProfilesAndSkipsHeldOnes() throws Exception {
        Path file = dir.resolve("in.jsonl");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "{\"key\":\"carol\",\"data\":{\"coins\":30},\"metaTags\":{\"vip\":true}}",
                        "",
                        "{\"key\":\"alice\",\"data\":{\"coins\":40}}",
                        "{\"key\":\"bob\",\"data\":{\"coins\":50}}"),
                StandardCharsets.UTF_8);
        Profile<Map<String, Object>> held = fx.hold("bob");
        try {
            Cli.Result r = succeeds("import", file.toString());
            assertThat(r.out())
                    .contains("imported 2 profile(s)")
                    .contains("skipped 1")
                    .contains("bob held by place test-place, job test-job-" + fx.storeName);
        } finally {
            held.release();
        }
        assertThat(fx.store.viewProfile("carol").orElseThrow().getData()).containsEntry("coins", 30);
        assertThat(fx.store.viewProfile("carol").orElseThrow().getMetaData().getMetaTags())
                .containsEntry("vip", true);
        assertThat(fx.store.viewProfile("alice").orElseThrow().getData()).containsEntry("coins", 40);
        assertThat(fx.store.viewProfile("bob").orElseThrow().getData()).containsEntry("coins", 7);
        assertThat(fx.record("carol").owner()).isNull();
    }

    @Test
    void importRoundTripsAnExportIntoANewStore() throws Exception {
        Path file = dir.resolve("all.jsonl");
        assertThat(Cli.run(fx.args("export", "-o", file.toString())).exit()).isZero();
        String target = fx.storeName + "_copy";
        Cli.Result r = Cli.run("import", file.toString(), "--store", fx.uri, "--profile-store", target, "--json");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(JSON.readTree(r.out()).get("imported").asInt()).isEqualTo(2);
        assertThat(BackendAdmin.of(fx.backend).keys(target, null, 10)).containsExactly("alice", "bob");
        Cli.Result view = Cli.run("view", "bob", "--store", fx.uri, "--profile-store", target, "--json");
        assertThat(JSON.readTree(view.out()).get("data").get("coins").asInt()).isEqualTo(7);
    }

    /**
     * Data a newer game version migrated keeps its data version through export and import: written
     * back at version 3, it is not taken for version 1 data (and migrated again) by the next load.
     */
    @Test
    void exportAndImportCarryTheDataVersion() throws Exception {
        DataModel<Map<String, Object>> v3 = DataModel.<Map<String, Object>>version(3)
                .migrate(1, d -> d.put("gems", 0))
                .migrate(2, d -> d.put("season", 1));
        try (ProfileService newer = ProfileService.builder()
                .backend(fx.uri)
                .placeId("test-place")
                .jobId("newer-" + fx.storeName)
                .build()) {
            Profile<Map<String, Object>> carol = newer.getProfileStore(fx.storeName, new LinkedHashMap<>(), v3)
                    .loadProfile("carol")
                    .orElseThrow();
            carol.edit(d -> d.put("gems", 9));
            carol.release();
        }
        Path file = dir.resolve("v3.jsonl");
        Files.writeString(
                file,
                succeeds("export")
                        .out()
                        .lines()
                        .filter(l -> l.contains("\"carol\""))
                        .findFirst()
                        .orElseThrow());
        JsonNode line = JSON.readTree(Files.readString(file));
        assertThat(line.get("dataVersion").asInt()).isEqualTo(3);
        assertThat(line.get("data").get("gems").asInt()).isEqualTo(9);

        String target = fx.storeName + "_v3";
        Cli.Result r = Cli.run("import", file.toString(), "--store", fx.uri, "--profile-store", target);
        assertThat(r.exit()).as(r.toString()).isZero();
        JsonNode stored = JSON.readTree(fx.backend.read(target, "carol").payload());
        assertThat(stored.get("dataVersion").asInt()).isEqualTo(3);
        assertThat(stored.get("data").get("gems").asInt()).isEqualTo(9);

        // onto a profile stored at version 1: not in the file's shape, reported and left as it was
        Files.writeString(file, "{\"key\":\"alice\",\"dataVersion\":3,\"data\":{\"coins\":1,\"gems\":1}}\n");
        byte[] alice = fx.record("alice").payload();
        Cli.Result onto = Cli.run(fx.args("import", file.toString()));
        assertThat(onto.exit()).as(onto.toString()).isEqualTo(1);
        assertThat(onto.out()).contains("failed: alice: ").contains("older than the file's 3");
        assertThat(fx.record("alice").payload()).as("left as it was").isEqualTo(alice);
        assertThat(fx.record("alice").owner()).isNull();

        Files.writeString(file, "{\"key\":\"x1\",\"data\":{}}\n{\"key\":\"x2\",\"dataVersion\":2,\"data\":{}}\n");
        assertBadInput(Cli.run(fx.args("import", file.toString())), "line 2 holds data at version 2");
        Files.writeString(file, "{\"key\":\"x1\",\"dataVersion\":0,\"data\":{}}\n");
        assertBadInput(Cli.run(fx.args("import", file.toString())), "\"dataVersion\" must be a whole number from 1");
        assertThat(fx.record("x1").payload()).isNull();
    }

    @Test
    void importOfAMalformedFileWritesNothing() throws Exception {
        String target = fx.storeName + "_bad";
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"key\":\"x1\",\"data\":{\"coins\":1}}\n{\"key\":\"x2\",\"data\":{\"coins\":\n");
        assertBadInput(Cli.run("import", bad.toString(), "--store", fx.uri, "--profile-store", target), "line 2");
        Path noKey = dir.resolve("nokey.jsonl");
        Files.writeString(noKey, "{\"data\":{}}\n");
        assertBadInput(Cli.run("import", noKey.toString(), "--store", fx.uri, "--profile-store", target), "no \"key\"");
        assertBadInput(
                Cli.run(
                        "import",
                        dir.resolve("missing.jsonl").toString(),
                        "--store",
                        fx.uri,
                        "--profile-store",
                        target),
                "does not exist");
        assertThat(BackendAdmin.of(fx.backend).keys(target, null, 10)).isEmpty();
    }

    // ---------------------------------------------------------------- help

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of(
                "simulate",
                "view",
                "gift",
                "sessions",
                "release",
                "wipe",
                "export",
                "import",
                "history",
                "diff",
                "restore",
                "pin",
                "unpin")) {
            Cli.Result r = Cli.run(command, "--help");
            assertThat(r.exit()).as(command).isZero();
            assertThat(r.out()).as(command).contains("Usage: profiles " + command);
        }
        assertThat(Cli.run("--help").out())
                .contains("simulate")
                .contains("gift")
                .contains("wipe")
                .contains("history")
                .contains("restore");
    }
}
