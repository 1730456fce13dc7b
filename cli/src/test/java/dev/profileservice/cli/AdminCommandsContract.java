package dev.profileservice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profileservice.GlobalUpdate;
import dev.profileservice.Profile;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.StoredProfile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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

    // ---------------------------------------------------------------- view

    @Test
    void viewPrintsDataMetadataAndUpdates() throws Exception {
        fx.store.globalUpdateProfile("alice", u -> u.addActiveUpdate(Map.of("coins", 100)));

        Cli.Result text = Cli.run(fx.args("view", "alice"));
        assertThat(text.exit()).as(text.toString()).isZero();
        assertThat(text.out())
                .contains("Profile alice in " + fx.storeName)
                .contains("\"coins\" : 5")
                .contains("released")
                .contains("\"rank\":\"gold\"")
                .contains("active updates (1)")
                .contains("{\"coins\":100}");

        Cli.Result json = Cli.run(fx.args("view", "alice", "--json"));
        assertThat(json.exit()).as(json.toString()).isZero();
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
        Cli.Result r = Cli.run(fx.args("gift", "bob", "--data", "{\"coins\":250,\"reason\":\"apology\"}", "--json"));
        assertThat(r.exit()).as(r.toString()).isZero();
        long id = JSON.readTree(r.out()).get("id").asLong();
        assertThat(id).isPositive();

        Profile<Map<String, Object>> view = fx.store.viewProfile("bob").orElseThrow();
        List<GlobalUpdate> active = view.getGlobalUpdates().getActiveUpdates();
        assertThat(active).extracting(GlobalUpdate::id).containsExactly(id);
        assertThat(active.get(0).data()).containsEntry("coins", 250).containsEntry("reason", "apology");

        Cli.Result text = Cli.run(fx.args("gift", "bob", "--data", "{\"coins\":1}"));
        assertThat(text.exit()).as(text.toString()).isZero();
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
            Cli.Result text = Cli.run(fx.args("sessions"));
            assertThat(text.exit()).as(text.toString()).isZero();
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

        Cli.Result r = Cli.run(fx.args("release", "alice"));
        assertThat(r.exit()).as(r.toString()).isZero();
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
        Cli.Result r = Cli.run(fx.args("wipe", "bob", "--yes", "--json"));
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(JSON.readTree(r.out()).get("deleted").asBoolean()).isTrue();
        assertThat(BackendAdmin.of(fx.backend).keys(fx.storeName, null, 10)).containsExactly("alice");
        assertBadInput(Cli.run(fx.args("wipe", "bob", "--yes")), "no profile 'bob'");
        assertThat(BackendAdmin.of(fx.backend).keys(fx.storeName, null, 10)).containsExactly("alice");
    }

    // ---------------------------------------------------------------- export / import

    @Test
    void exportWritesOneJsonLinePerProfile() throws Exception {
        Cli.Result r = Cli.run(fx.args("export"));
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.get("key").asText()).isEqualTo("alice");
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
            Cli.Result r = Cli.run(fx.args("import", file.toString()));
            assertThat(r.exit()).as(r.toString()).isZero();
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
        for (String command : List.of("simulate", "view", "gift", "sessions", "release", "wipe", "export", "import")) {
            Cli.Result r = Cli.run(command, "--help");
            assertThat(r.exit()).as(command).isZero();
            assertThat(r.out()).as(command).contains("Usage: profiles " + command);
        }
        assertThat(Cli.run("--help").out())
                .contains("simulate")
                .contains("gift")
                .contains("wipe");
    }
}
