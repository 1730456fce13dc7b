package dev.profileservice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.profileservice.cli.internal.AdminSession;
import dev.profileservice.cli.internal.console.ConsoleServer;
import dev.profileservice.cli.internal.console.ConsoleSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code profiles console}'s options (bad ones are bad input, exit 2, before anything is served),
 * and the store's password, which no page shows (on PostgreSQL, whose trust authentication on
 * loopback ignores the password the URI carries).
 */
class ConsoleCommandTest {

    @Test
    void aShortTokenIsBadInput(@TempDir Path dir) {
        Cli.Result r =
                Cli.run("console", "--store", "sqlite:" + dir.resolve("s.db"), "--token", "short", "--port", "0");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("at least 16 characters");
    }

    @Test
    void aBadProfileStoreNameIsBadInput(@TempDir Path dir) {
        Cli.Result r = Cli.run("console", "--store", "sqlite:" + dir.resolve("s.db"), "-s", "bad name", "--port", "0");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("profile store name 'bad name' is invalid");
    }

    @Test
    void anUnknownStoreSchemeIsBadInput() {
        Cli.Result r = Cli.run("console", "--store", "nosuch://x", "--port", "0");
        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    }

    @Test
    void theStorePasswordAppearsOnNoPage(@TempDir Path dir) throws Exception {
        String uri = TestStores.postgres().replaceFirst("://postgres@", "://postgres:s3cret-pw@");
        assertThat(uri).contains("s3cret-pw");
        String token = "password-test-token-0123456789";
        try (ConsoleServer server = ConsoleServer.start(
                AdminSession.open(uri, "PlayerData"),
                new ConsoleSettings("127.0.0.1", 0, token, false, dir.resolve("audit.jsonl"), List.of("PlayerData")))) {
            HttpClient http = HttpClient.newHttpClient();
            for (String path : new String[] {"/", "/keys?store=PlayerData", "/profile?store=PlayerData&key=Nobody"}) {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(server.url()).resolve(path))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.body()).as(path).doesNotContain("s3cret-pw");
                if (r.headers().firstValue("Content-Type").orElse("").startsWith("text/html")) {
                    assertThat(r.body()).as(path).contains("****");
                }
            }
        }
        assertThat(Files.readString(dir.resolve("audit.jsonl"))).doesNotContain("s3cret-pw");
    }
}
