package dev.profileservice.testkit;

import dev.profileservice.ProfileService;
import dev.profileservice.spi.BackendUris;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link HandOffWorker}s in separate JVMs that share one store and hand one profile back and
 * forth, then reads what the store holds. Used by {@link MultiProcessHandOffTest}.
 *
 * <p>Children run the current {@code java} binary with the test class path
 * ({@code surefire.test.class.path}, else {@code java.class.path}); their output goes to temporary
 * files and is included in any failure message.
 *
 * <h2>Threads</h2>
 * {@link #run} blocks the calling thread until every child exits or the timeout passes.
 */
public final class MultiProcessHandOff {

    /**
     * What the store held at the end.
     *
     * @param storeName the store the workers used
     * @param key       the key they handed over
     * @param data      the final data, or null if nothing was ever saved
     * @param summaries each worker's summary line, in worker order
     * @param elapsed   wall time from the first launch to the last exit
     */
    public record Result(
            String storeName, String key, HandOffWorker.HandOffData data, List<String> summaries, Duration elapsed) {}

    private MultiProcessHandOff() {}

    /**
     * Launches {@code processes} workers ({@code worker-0}, {@code worker-1}, ...) with
     * {@code roundsEach} rounds each on a fresh store name and key, waits for them, and reads the
     * final data through a {@link ProfileService} in this JVM.
     *
     * @throws AssertionError if a worker fails, or the workers do not finish within {@code timeout}
     *                        (they are then killed); the message includes their output
     */
    public static Result run(String backendUri, int processes, int roundsEach, Duration timeout) {
        if (processes < 1 || roundsEach < 1) {
            throw new IllegalArgumentException("processes and roundsEach must be positive");
        }
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String storeName = "handoff_" + run;
        String key = "handoff-" + run;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Process> children = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < processes; i++) {
                Path out = Files.createTempFile("handoff-worker-" + i + "-", ".log");
                out.toFile().deleteOnExit();
                outputs.add(out);
                ProcessBuilder pb = new ProcessBuilder(
                                java,
                                "-cp",
                                classPath,
                                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                                HandOffWorker.class.getName(),
                                backendUri,
                                storeName,
                                key,
                                String.valueOf(roundsEach),
                                "worker-" + i)
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile());
                children.add(pb.start());
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            for (int i = 0; i < children.size(); i++) {
                Process p = children.get(i);
                long left = deadline - System.nanoTime();
                if (!p.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
                    throw new AssertionError("hand-off workers on " + BackendUris.mask(backendUri)
                            + " did not finish within " + timeout + "\n" + describe(outputs));
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError("hand-off worker-" + i + " on " + BackendUris.mask(backendUri)
                            + " exited with " + p.exitValue() + "\n" + describe(outputs));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not launch hand-off workers with " + java, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for hand-off workers", e);
        } finally {
            for (Process p : children) {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        List<String> summaries = new ArrayList<>();
        for (Path out : outputs) {
            summaries.add(read(out)
                    .lines()
                    .filter(l -> l.startsWith("HANDOFF "))
                    .findFirst()
                    .orElse("(no summary)"));
        }
        HandOffWorker.HandOffData data;
        try (ProfileService service = ProfileService.builder()
                .backend(backendUri)
                .placeId("hand-off-check")
                .build()) {
            data = service.getProfileStore(storeName, new HandOffWorker.HandOffData())
                    .viewProfile(key)
                    .map(p -> p.getData())
                    .orElse(null);
        }
        return new Result(storeName, key, data, summaries, elapsed);
    }

    private static String describe(List<Path> outputs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < outputs.size(); i++) {
            String text = read(outputs.get(i));
            if (text.length() > 4000) {
                text = "..." + text.substring(text.length() - 4000);
            }
            b.append("--- worker-")
                    .append(i)
                    .append(" output ---\n")
                    .append(text)
                    .append('\n');
        }
        return b.toString();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + p + File.separator + ": " + e + ")";
        }
    }
}
