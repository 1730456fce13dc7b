package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several JVM processes share one store and hand one profile back and forth with FORCE_LOAD; the
 * final data must hold every edit of every worker exactly once. A backend module subclasses it
 * with the URI of a store that separate processes can share:
 *
 * <pre>{@code
 * class SqliteMultiProcessHandOffTest extends MultiProcessHandOffTest {
 *     protected String backendUri() { return "sqlite:" + tempDir.resolve("p.db"); }
 * }
 * }</pre>
 *
 * <p>The child JVMs need the backend on the test class path, which surefire provides.
 */
public abstract class MultiProcessHandOffTest {

    /** The store URI every process opens (must be shared between processes: not {@code memory:}). */
    protected abstract String backendUri();

    /** Worker processes. Default 2. */
    protected int processes() {
        return 2;
    }

    /** Rounds (load, edit, release) per worker. Default 50. */
    protected int roundsEach() {
        return 50;
    }

    /** Time allowed for all workers. Default 100 s. */
    protected Duration timeout() {
        return Duration.ofSeconds(100);
    }

    @Test
    @DisplayName("processes hand one profile back and forth; every edit of every worker is there exactly once")
    @Timeout(180)
    void everyEditExactlyOnce() {
        MultiProcessHandOff.Result result = MultiProcessHandOff.run(backendUri(), processes(), roundsEach(), timeout());
        List<String> expected = new ArrayList<>();
        for (int w = 0; w < processes(); w++) {
            for (int r = 0; r < roundsEach(); r++) {
                expected.add("worker-" + w + "-" + r);
            }
        }
        assertThat(result.data()).as("final data of %s", result.key()).isNotNull();
        assertThat(result.data().edits).as("every edit exactly once").containsExactlyInAnyOrderElementsOf(expected);
        assertThat(result.data().counter).isEqualTo((long) processes() * roundsEach());
        for (int w = 0; w < processes(); w++) {
            String worker = "worker-" + w;
            List<String> own = result.data().edits.stream()
                    .filter(e -> e.startsWith(worker + "-"))
                    .toList();
            List<String> inOrder = new ArrayList<>();
            for (int r = 0; r < roundsEach(); r++) {
                inOrder.add(worker + "-" + r);
            }
            assertThat(own).as("%s's edits in the order it made them", worker).containsExactlyElementsOf(inOrder);
        }
        assertThat(result.summaries()).hasSize(processes()).allMatch(s -> s.startsWith("HANDOFF "));
    }
}
