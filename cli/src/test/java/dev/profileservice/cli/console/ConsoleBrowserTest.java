package dev.profileservice.cli.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.profileservice.GlobalUpdate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The console end to end in a real browser: {@code src/test/browser/console.spec.mjs} drives
 * headless Chromium (Debian's {@code chromium}, npm's {@code playwright-core}) against a console
 * started here on a seeded SQLite store: log in with the token, search a key, open a profile, send a
 * gift and see it pending, diff and restore a version, watch the sessions page update, wipe with the
 * typed key, and open a hostile profile without any script running. Then this test checks the store
 * itself. The script saves a screenshot of each page under {@code target/console-screenshots}.
 *
 * <p>Skipped (with the reason) where node, chromium or playwright-core are missing; {@code .ci/run}
 * installs them, so CI runs it.
 */
class ConsoleBrowserTest {
    static final Path BROWSER_DIR = Path.of("src/test/browser");
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));

    @Test
    void anOperatorDoesTheIssuesWalkThroughInChromium() throws Exception {
        assumeTrue(nodeWorks(), "node is not installed (apt-get install -y nodejs npm); skipping the browser test");
        assumeTrue(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing (apt-get install -y chromium); skipping");
        assumeTrue(
                Files.isDirectory(BROWSER_DIR.resolve("node_modules/playwright-core")),
                "playwright-core is not installed (cd cli/src/test/browser && npm ci); skipping the browser test");

        try (ConsoleFixture console = ConsoleFixture.start()) {
            Path log = Files.createTempFile("console-spec", ".log");
            ProcessBuilder pb = new ProcessBuilder("node", "console.spec.mjs")
                    .directory(BROWSER_DIR.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            env.put("CONSOLE_URL", console.server.url());
            env.put("CONSOLE_TOKEN", ConsoleFixture.TOKEN);
            env.put("STORE", ConsoleFixture.STORE);
            env.put("RESTORE_VERSION", String.valueOf(console.richVersion));
            env.put(
                    "SCREENSHOT_DIR",
                    Path.of("target/console-screenshots").toAbsolutePath().toString());
            env.put("CHROMIUM", CHROMIUM.toString());
            Process node = pb.start();
            boolean ended = node.waitFor(3, TimeUnit.MINUTES);
            if (!ended) {
                node.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.delete(log);
            System.out.println(output); // the steps, in the test's report
            assertThat(ended)
                    .as("the browser script ended within 3 minutes:\n" + output)
                    .isTrue();
            assertThat(node.exitValue())
                    .as("the browser script's steps:\n" + output)
                    .isZero();

            // what the browser did, as the store has it
            List<GlobalUpdate> pending = console.players
                    .viewProfile("Player_1")
                    .orElseThrow()
                    .getGlobalUpdates()
                    .getActiveUpdates();
            assertThat(pending).anySatisfy(u -> assertThat(u.data()).containsEntry("coins", 250));
            assertThat(console.data("Player_1")).containsEntry("coins", 100);
            assertThat(console.record("Player_2").payload()).isNull();
            assertThat(console.players.viewProfile("Player_2")).isEmpty();
            assertThat(Files.readString(console.auditLog))
                    .contains("\"action\":\"gift\"")
                    .contains("\"action\":\"restore\"")
                    .contains("\"action\":\"wipe\"");
        }
    }

    private static boolean nodeWorks() {
        try {
            Process p = new ProcessBuilder("node", "--version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
