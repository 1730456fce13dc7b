package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.profileservice.ProfileService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HandOffWorkerTest {

    @Test
    void twoWorkersInOneJvmKeepEveryEdit() throws Exception {
        String uri = "memory:handoff-" + UUID.randomUUID();
        var a = CompletableFuture.supplyAsync(() -> HandOffWorker.run(uri, "HandOff", "k", 20, "worker-0"));
        var b = CompletableFuture.supplyAsync(() -> HandOffWorker.run(uri, "HandOff", "k", 20, "worker-1"));
        assertThat(a.get(60, TimeUnit.SECONDS).line()).startsWith("HANDOFF worker=worker-0 rounds=20");
        assertThat(b.get(60, TimeUnit.SECONDS).rounds()).isEqualTo(20);
        try (ProfileService s = ProfileService.builder().backend(uri).build()) {
            HandOffWorker.HandOffData d = s.getProfileStore("HandOff", new HandOffWorker.HandOffData())
                    .viewProfile("k")
                    .orElseThrow()
                    .getData();
            List<String> expected = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                for (int r = 0; r < 20; r++) {
                    expected.add("worker-" + w + "-" + r);
                }
            }
            assertThat(d.edits).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(d.counter).isEqualTo(40);
        }
    }

    @Test
    void aFailingWorkerFailsTheRunWithItsOutput() {
        assertThatThrownBy(() -> MultiProcessHandOff.run("nosuch:x", 1, 1, Duration.ofSeconds(60)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("exited with 1")
                .hasMessageContaining("nosuch");
    }
}
