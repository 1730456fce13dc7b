package dev.profileservice.cli.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.profileservice.spi.StoredProfile;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's refusals, each with its status code and nothing written: no token, a wrong token,
 * a cross-site POST (no CSRF token, a wrong one, a foreign Origin, Sec-Fetch-Site cross-site), bad
 * input; and what a good request leaves behind (the store changed, the audit log written).
 * Read-only mode is {@link ConsoleReadOnlyTest}.
 */
class ConsoleSecurityTest {
    static ConsoleFixture console;
    static ConsoleFixture.Browser browser;

    @BeforeAll
    static void start() throws IOException {
        console = ConsoleFixture.start();
        browser = console.login();
    }

    @AfterAll
    static void stop() throws IOException {
        console.close();
    }

    private static Map<String, String> giftForm(String csrf) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("store", ConsoleFixture.STORE);
        f.put("key", "Player_2");
        f.put("data", "{\"coins\":7}");
        if (csrf != null) {
            f.put("csrf", csrf);
        }
        return f;
    }

    @Test
    void aPageWithoutATokenSendsTheBrowserToTheLoginPage() {
        HttpResponse<String> r = console.get("/profile?store=PlayerData&key=Player_1");
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue("/login");
        assertThat(r.body()).doesNotContain("coins");
    }

    @Test
    void theApiWithoutATokenOrWithAWrongOneIs401() {
        assertThat(console.get("/api/sessions?store=PlayerData").statusCode()).isEqualTo(401);
        HttpResponse<String> wrong =
                console.get("/api/sessions?store=PlayerData", "Authorization", "Bearer not-the-token");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).doesNotContain("Player_Online");
        assertThat(console.get("/api/sessions?store=PlayerData", "Authorization", "Basic Zm9vOmJhcg==")
                        .statusCode())
                .isEqualTo(401);
        HttpResponse<String> right = console.get("/api/sessions?store=PlayerData", ConsoleFixture.bearer());
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(right.body()).contains("Player_Online").contains("\"leaseState\":\"live\"");
    }

    @Test
    void aWrongTokenAtTheLoginPageIs401AndSetsNoCookie() {
        HttpResponse<String> r = console.post("/login", Map.of("token", "guess"));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void theSessionCookieIsHttpOnlyAndSameSiteStrict() {
        HttpResponse<String> r = console.post("/login", Map.of("token", ConsoleFixture.TOKEN));
        assertThat(r.statusCode()).isEqualTo(303);
        String cookie = r.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict");
        assertThat(cookie).doesNotContain(ConsoleFixture.TOKEN);
    }

    @Test
    void aForgedSessionCookieIsRefused() {
        assertThat(console.get("/api/sessions?store=PlayerData", "Cookie", "profiles_console=forged")
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void crossSitePostsAreRefusedWith403AndWriteNothing() {
        StoredProfile before = console.record("Player_2");
        // no CSRF token
        assertThat(console.post("/gift", giftForm(null), browser.headers()).statusCode())
                .isEqualTo(403);
        // a wrong CSRF token
        assertThat(console.post("/gift", giftForm("wrong"), browser.headers()).statusCode())
                .isEqualTo(403);
        // the right token, from another site's page
        assertThat(console.post(
                                "/gift",
                                giftForm(browser.csrf()),
                                "Cookie",
                                browser.cookie(),
                                "Origin",
                                "http://evil.example")
                        .statusCode())
                .isEqualTo(403);
        assertThat(console.post(
                                "/gift",
                                giftForm(browser.csrf()),
                                "Cookie",
                                browser.cookie(),
                                "Sec-Fetch-Site",
                                "cross-site")
                        .statusCode())
                .isEqualTo(403);
        // a script's bearer token does not make a foreign Origin acceptable
        String[] bearerFromElsewhere = {
            "Authorization", "Bearer " + ConsoleFixture.TOKEN, "Origin", "http://evil.example"
        };
        assertThat(console.post("/gift", giftForm(null), bearerFromElsewhere).statusCode())
                .isEqualTo(403);
        // no session at all
        assertThat(console.post("/gift", giftForm(browser.csrf())).statusCode()).isEqualTo(401);
        assertThat(console.record("Player_2").updateSeq()).isEqualTo(before.updateSeq());
    }

    @Test
    void aSameOriginFormWithItsCsrfTokenWritesAndIsAudited() throws IOException {
        long before = console.record("Player_2").updateSeq();
        HttpResponse<String> r = console.post("/gift", giftForm(browser.csrf()), browser.headers());
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(console.record("Player_2").updateSeq()).isEqualTo(before + 1);
        List<String> audit = Files.readAllLines(console.auditLog);
        assertThat(audit)
                .anySatisfy(line -> assertThat(line)
                        .contains("\"action\":\"gift\"")
                        .contains("\"key\":\"Player_2\"")
                        .contains("\"versionBefore\":"));
        HttpResponse<String> page = console.get("/profile?store=PlayerData&key=Player_2", browser.headers());
        assertThat(page.body()).contains("Sent gift #").contains("id=\"audit\"");
    }

    @Test
    void aScriptWritesWithItsBearerTokenAndGetsJson() {
        HttpResponse<String> r = console.post("/gift", giftForm(null), ConsoleFixture.bearer());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"key\":\"Player_2\"").contains("\"id\":");
    }

    @Test
    void badInputIs400AndWritesNothing() {
        StoredProfile before = console.record("Player_2");
        Map<String, String> badJson = giftForm(browser.csrf());
        badJson.put("data", "{coins: 7");
        HttpResponse<String> r = console.post("/gift", badJson, browser.headers());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("malformed JSON");
        Map<String, String> notObject = giftForm(null);
        notObject.put("data", "[1,2]");
        assertThat(console.post("/gift", notObject, ConsoleFixture.bearer()).statusCode())
                .isEqualTo(400);

        Map<String, String> restore =
                new LinkedHashMap<>(Map.of("store", "PlayerData", "key", "Player_2", "version", "999999"));
        HttpResponse<String> unknown = console.post("/restore", restore, ConsoleFixture.bearer());
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("no kept version 999999");
        restore.put("version", "abc");
        assertThat(console.post("/restore", restore, ConsoleFixture.bearer()).statusCode())
                .isEqualTo(400);

        assertThat(console.get("/profile?store=PlayerData&key=No_Such", ConsoleFixture.bearer())
                        .statusCode())
                .isEqualTo(400);
        assertThat(console.get("/profile?store=PlayerData&key=bad%01key", ConsoleFixture.bearer())
                        .statusCode())
                .isEqualTo(400);
        assertThat(console.get("/keys?store=bad%20name", ConsoleFixture.bearer())
                        .statusCode())
                .isEqualTo(400);

        Map<String, String> wipe =
                new LinkedHashMap<>(Map.of("store", "PlayerData", "key", "Player_2", "confirm", "Player_"));
        assertThat(console.post("/wipe", wipe, ConsoleFixture.bearer()).statusCode())
                .isEqualTo(400);
        Map<String, String> erase = new LinkedHashMap<>(Map.of("store", "PlayerData", "user", "42", "confirm", "43"));
        assertThat(console.post("/erase", erase, ConsoleFixture.bearer()).statusCode())
                .isEqualTo(400);

        StoredProfile after = console.record("Player_2");
        assertThat(after.payload()).isEqualTo(before.payload());
        assertThat(after.updateSeq()).isEqualTo(before.updateSeq());
        assertThat(console.record("Player_1").payload()).isNotNull();
    }

    @Test
    void everyPageSetsAStrictContentSecurityPolicy() {
        HttpResponse<String> r = console.get("/", browser.headers());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("script-src 'self'")
                .contains("frame-ancestors 'none'");
    }

    @Test
    void theStoreUriIsShownMasked() {
        String page = console.get("/", browser.headers()).body();
        assertThat(page).contains(console.uri.replace("&", "&amp;"));
    }

    @Test
    void releasingAStuckSessionBumpsTheEpochAndIsAudited() throws IOException {
        StoredProfile before = console.record("Player_Stuck");
        assertThat(before.owner()).isNotNull();
        HttpResponse<String> r = console.post(
                "/release",
                Map.of("store", "PlayerData", "key", "Player_Stuck", "csrf", browser.csrf()),
                browser.headers());
        assertThat(r.statusCode()).isEqualTo(303);
        StoredProfile after = console.record("Player_Stuck");
        assertThat(after.owner()).isNull();
        assertThat(after.epoch()).isEqualTo(before.epoch() + 1);
        assertThat(Files.readString(console.auditLog))
                .contains("\"action\":\"release\",\"store\":\"PlayerData\",\"key\":\"Player_Stuck\"");
    }

    @Test
    void erasingAUserIdAsksForTheIdThenDeletesEveryProfileHoldingIt() throws IOException {
        String confirm = console.get("/erase?store=PlayerData&user=77", browser.headers())
                .body();
        assertThat(confirm).contains("<li>Erase_A</li>").contains("<li>Erase_B</li>");
        Map<String, String> form =
                new LinkedHashMap<>(Map.of("store", "PlayerData", "user", "77", "csrf", browser.csrf()));
        form.put("confirm", "7");
        assertThat(console.post("/erase", form, browser.headers()).statusCode()).isEqualTo(400);
        assertThat(console.record("Erase_A").payload()).isNotNull();
        form.put("confirm", "77");
        assertThat(console.post("/erase", form, browser.headers()).statusCode()).isEqualTo(303);
        assertThat(console.record("Erase_A").payload()).isNull();
        assertThat(console.record("Erase_B").payload()).isNull();
        assertThat(Files.readAllLines(console.auditLog).stream().filter(l -> l.contains("\"action\":\"erase-user\"")))
                .hasSize(2);
    }

    @Test
    void keysAreFoundByPrefixAndByUserId() {
        String byPrefix = console.get("/keys?store=PlayerData&prefix=Player_", browser.headers())
                .body();
        assertThat(byPrefix).contains(">Player_1<").contains(">Player_2<").doesNotContain(">Erase_A<");
        String byUser =
                console.get("/keys?store=PlayerData&user=42", browser.headers()).body();
        assertThat(byUser).contains(">Player_1<").contains(">Player_2<").doesNotContain(">Player_Online<");
        assertThat(console.get("/keys?store=PlayerData&user=x", browser.headers())
                        .statusCode())
                .isEqualTo(400);
    }

    @Test
    void aRequestForAnotherHostIsRefused() throws IOException {
        // what a DNS-rebinding page would send: the right address, another host name (raw HTTP, as
        // java.net.http does not let a caller set Host)
        try (Socket socket = new Socket("127.0.0.1", console.server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /api/sessions?store=PlayerData HTTP/1.1\r\nHost: evil.example:" + console.server.port()
                            + "\r\nAuthorization: Bearer " + ConsoleFixture.TOKEN + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 403").doesNotContain("Player_Online");
        }
    }
}
