package dev.profileservice.micrometer;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@link MetricsScenarios} on SQLite: one database file for the class (each test uses its own keys). */
class MetricsSqliteTest extends MetricsScenarios {
    private static final String URI = "sqlite:" + tempFile();

    private static Path tempFile() {
        try {
            Path dir = Files.createTempDirectory("profileservice-metrics");
            dir.toFile().deleteOnExit();
            return dir.resolve("metrics.db");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected Backend openBackend() {
        return Backends.open(URI);
    }

    @Override
    protected String expectedBackendKind() {
        return "sqlite";
    }
}
