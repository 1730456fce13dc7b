package dev.profileservice.cli.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.profileservice.spi.StoredProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --read-only}: every write is refused with 403 (from a browser and from a script), and no page offers one. */
class ConsoleReadOnlyTest {
    static ConsoleFixture console;
    static ConsoleFixture.Browser browser;

    @BeforeAll
    static void start() throws IOException {
        console = ConsoleFixture.startReadOnly();
        browser = console.login();
    }

    @AfterAll
    static void stop() throws IOException {
        console.close();
    }

    private static Map<String, String> form(String csrf) {
        return Map.of(
                "store", "PlayerData",
                "key", "Player_1",
                "data", "{\"coins\":1}",
                "version", "1",
                "confirm", "Player_1",
                "user", "42",
                "csrf", csrf);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/gift", "/release", "/restore", "/wipe", "/erase"})
    void everyWriteIs403(String action) throws IOException {
        StoredProfile before = console.record("Player_1");
        assertThat(console.post(action, form(browser.csrf()), browser.headers()).statusCode())
                .isEqualTo(403);
        assertThat(console.post(action, form(""), ConsoleFixture.bearer()).statusCode())
                .isEqualTo(403);
        StoredProfile after = console.record("Player_1");
        assertThat(after.payload()).isEqualTo(before.payload());
        assertThat(after.epoch()).isEqualTo(before.epoch());
        assertThat(after.updateSeq()).isEqualTo(before.updateSeq());
        assertThat(console.record("Player_2").payload()).isNotNull();
        assertThat(Files.readString(console.auditLog)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/restore?store=PlayerData&key=Player_1&version=1",
                "/wipe?store=PlayerData&key=Player_1",
                "/erase?store=PlayerData&user=42"
            })
    void theConfirmationPagesAre403(String page) {
        assertThat(console.get(page, browser.headers()).statusCode()).isEqualTo(403);
    }

    @Test
    void noPageOffersAWrite() {
        String profile = console.get("/profile?store=PlayerData&key=Player_Online", browser.headers())
                .body();
        String history = console.get("/history?store=PlayerData&key=Player_1", browser.headers())
                .body();
        assertThat(profile).contains("read-only").contains("Player_Online");
        for (String page : new String[] {profile, history}) {
            assertThat(page)
                    .doesNotContain("action=\"/gift\"")
                    .doesNotContain("action=\"/release\"")
                    .doesNotContain("/wipe?")
                    .doesNotContain("/restore?");
        }
    }
}
