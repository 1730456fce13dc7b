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

    /** What one {@code profiles simulate} printed and reported. */
    private record Run(Cli.Result result, JsonNode report) {}

    /**
     * {@code profiles simulate} with two game servers, {@code players} players for {@code duration},
     * random seed {@code seed} and {@code options} (separated by spaces); its run folder and JSON report are
     * {@code name} and {@code name.json} in this test's folder.
     */
    private Run simulate(String name, int players, String duration, int seed, String options) throws Exception {
        Path report = dir.resolve(name + ".json");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
                "simulate",
                "--servers",
                "2",
                "--players",
                Integer.toString(players),
                "--duration",
                duration,
                "--seed",
                Integer.toString(seed),
                "--run-dir",
                dir.resolve(name).toString(),
                "--report",
                report.toString()));
        args.addAll(java.util.List.of(options.split(" ")));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        return new Run(r, new ObjectMapper().readTree(report.toFile()));
    }

    @Test
    void shortSimulationWithKillAndSigstopKeepsEveryGuarantee() throws Exception {
        Run run = simulate("run", 20, "14s", 42, "--gifts-per-second 6 --fault-every 3s --rollbacks 20 --wipes 1");
        Cli.Result r = run.result();

        JsonNode json = run.report();
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
        assertThat(json.get("rollbacks").get("done").asInt()).as(r.out()).isPositive();
        assertThat(json.get("rollbacks").get("checked").asInt()).as(r.out()).isPositive();
        assertThat(json.get("rollbacks").get("checkFailures").asInt())
                .as(r.out())
                .isZero();
        assertThat(json.get("wipes").get("done").asInt()).as(r.out()).isEqualTo(1);
        assertThat(json.get("wipes").get("staleOverwritesRefused").asInt())
                .as(r.out())
                .isEqualTo(1);
        assertThat(json.get("wipes").get("checkFailures").asInt()).as(r.out()).isZero();
        assertThat(r.out())
                .contains("[PASS] admin rollbacks are what the next session loads")
                .contains("[PASS] no rollback resurrects a wiped profile");
        assertThat(r.out()).contains("Result: PASS");
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    @Test
    void aDegradedStoreKeepsEveryGuaranteeAndTheReportSortsHandOversByFault() throws Exception {
        Cli.Result bad = Cli.run("simulate", "--latency", "10ms", "--jitter", "20ms");
        assertThat(bad.exit()).as(bad.toString()).isEqualTo(2);
        assertThat(bad.err()).contains("--jitter at most --latency");

        Run run = simulate(
                "degraded",
                20,
                "16s",
                7,
                "--no-kill --no-freeze --latency 40ms --jitter 20ms --fault-every 3s --cut-for 2s");
        Cli.Result r = run.result();

        JsonNode json = run.report();
        assertThat(json.get("config").get("latencyMs").asInt()).isEqualTo(40);
        assertThat(json.get("faults").get("messageChannelCuts").asInt())
                .as(r.out())
                .isGreaterThanOrEqualTo(1);
        assertThat(json.get("faults").get("slowStores").asInt()).as(r.out()).isGreaterThanOrEqualTo(1);
        assertThat(json.get("timings").get("handOverDuringFaultMs").isObject()).isTrue();
        assertThat(json.get("timings").get("giftDeliveryDuringFaultMs").isObject())
                .isTrue();
        assertThat(r.out()).contains("gift delivery to an online player (acknowledged to applied): p50");
        assertThat(json.get("gifts").get("lost").asInt()).as(r.out()).isZero();
        assertThat(json.get("gifts").get("duplicated").asInt()).as(r.out()).isZero();
        assertThat(json.get("epochViolations").asInt()).as(r.out()).isZero();
        assertThat(r.out()).contains("message channel cut x").contains("Result: PASS");
        assertThat(r.exit()).as(r.toString()).isZero();
    }

    /**
     * The rollback and wipe checks can fail: a planted bug in the admin driver (it expects one edit
     * more than the version it rolled back to holds, and overwrites the stale view before the wipe
     * instead of after it) must turn both checks, and the run, to FAIL, and only those.
     */
    @Test
    void plantedRollbackAndWipeBugsFailTheirChecks() throws Exception {
        String property = "profiles.simulate.plant";
        System.setProperty(property, "rollback-wrong-counter,wipe-overwrite-first");
        Run run;
        try {
            run = simulate(
                    "planted",
                    10,
                    "8s",
                    7,
                    "--gifts-per-second 2 --storm-gifts 0 --no-kill --no-freeze --rollbacks 30 --wipes 1");
        } finally {
            System.clearProperty(property);
        }
        Cli.Result r = run.result();

        JsonNode json = run.report();
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out())
                .contains("[FAIL] admin rollbacks are what the next session loads")
                .contains("[FAIL] no rollback resurrects a wiped profile")
                .contains("Result: FAIL");
        assertThat(json.get("rollbacks").get("checkFailures").asInt())
                .as(r.out())
                .isPositive();
        assertThat(json.get("wipes").get("checkFailures").asInt()).as(r.out()).isEqualTo(1);
        for (JsonNode check : json.get("checks")) {
            String name = check.get("name").asText();
            boolean planted = name.startsWith("admin rollbacks") || name.startsWith("no rollback resurrects");
            assertThat(check.get("passed").asBoolean())
                    .as(name + "\n" + r.out())
                    .isEqualTo(!planted);
        }
        assertThat(r.out()).contains("the next session (epoch").contains("succeeded: it wrote the profile");
    }
}
