package dev.profileservice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short real simulation on SQLite: two game-server processes, twenty players, ten seconds, with
 * kill -9 and SIGSTOP. Gifts must arrive exactly once and the store must never accept a save from a
 * session that had lost its profile.
 */
class SimulationTest {

    @TempDir
    Path dir;

    @Test
    void shortSimulationWithKillAndSigstopKeepsEveryGuarantee() throws Exception {
        Path report = dir.resolve("report.json");
        Cli.Result r = Cli.run(
                "simulate",
                "--servers",
                "2",
                "--players",
                "20",
                "--duration",
                "10s",
                "--gifts-per-second",
                "6",
                "--fault-every",
                "3s",
                "--seed",
                "42",
                "--run-dir",
                dir.resolve("run").toString(),
                "--report",
                report.toString());

        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertThat(json.get("faults").get("kill9").asInt()).as(r.out()).isGreaterThanOrEqualTo(1);
        assertThat(json.get("faults").get("sigstop").asInt()).as(r.out()).isGreaterThanOrEqualTo(1);
        assertThat(json.get("gifts").get("acknowledged").asInt()).as(r.out()).isPositive();
        assertThat(json.get("gifts").get("lost").asInt()).as(r.out()).isZero();
        assertThat(json.get("gifts").get("duplicated").asInt()).as(r.out()).isZero();
        assertThat(json.get("gifts").get("pending").asInt()).as(r.out()).isZero();
        assertThat(json.get("gifts").get("storm").get("gifts").asInt())
                .as(r.out())
                .isPositive();
        assertThat(json.get("gifts").get("storm").get("failed").asInt())
                .as(r.out())
                .isZero();
        assertThat(json.get("epochViolations").asInt()).as(r.out()).isZero();
        assertThat(json.get("traffic").get("gracefulReleasesChecked").asInt())
                .as(r.out())
                .isPositive();
        assertThat(json.get("traffic").get("steals").asInt()).as(r.out()).isPositive();
        assertThat(r.out()).contains("Result: PASS");
        assertThat(r.exit()).as(r.toString()).isZero();
    }
}
