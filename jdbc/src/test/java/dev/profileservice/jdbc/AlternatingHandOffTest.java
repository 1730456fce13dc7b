package dev.profileservice.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two real JVM processes share one store and hand one profile back and forth {@value #TOTAL}
 * times: each takes it with FORCE_LOAD (the owner is asked over the message bus, saves and
 * releases), appends its id when it is its turn, and holds it until the other takes it. The final
 * data holds every edit, strictly alternating.
 */
abstract class AlternatingHandOffTest {
    static final int TOTAL = 100;

    protected abstract String uri();

    @Test
    @Timeout(150)
    void twoProcessesHandOneProfileBackAndForth() throws Exception {
        String uri = uri();
        String store =
                "handoff_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String key = "player-1";
        Path logs = Files.createTempDirectory("handoff");
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ProcessBuilder pb = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    AlternatingHandOffWorker.class.getName(),
                    uri,
                    store,
                    key,
                    String.valueOf(i),
                    String.valueOf(TOTAL));
            pb.redirectOutput(logs.resolve("worker-" + i + ".out").toFile());
            pb.redirectError(logs.resolve("worker-" + i + ".err").toFile());
            processes.add(pb.start());
        }
        try {
            for (int i = 0; i < processes.size(); i++) {
                Process p = processes.get(i);
                assertThat(p.waitFor(120, TimeUnit.SECONDS))
                        .as("worker " + i + " finished")
                        .isTrue();
                assertThat(p.exitValue())
                        .as("worker " + i + " exit code; stderr:\n"
                                + tail(logs.resolve("worker-" + i + ".err").toFile()))
                        .isZero();
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
        try (ProfileService observer =
                ProfileService.builder().backend(uri).placeId("observer").build()) {
            ProfileStore<Map<String, Object>> view =
                    observer.getProfileStore(store, Map.of("count", 0, "edits", List.of()));
            Map<String, Object> data = view.viewProfile(key).orElseThrow().getData();
            assertThat(((Number) data.get("count")).intValue()).isEqualTo(TOTAL);
            List<?> edits = (List<?>) data.get("edits");
            assertThat(edits).hasSize(TOTAL);
            for (int i = 0; i < TOTAL; i++) {
                assertThat(((Number) edits.get(i)).intValue()).as("edit " + i).isEqualTo(i % 2);
            }
        }
    }

    private static String tail(File f) throws java.io.IOException {
        List<String> lines = Files.readAllLines(f.toPath());
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
