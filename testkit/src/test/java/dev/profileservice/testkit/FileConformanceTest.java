package dev.profileservice.testkit;

import dev.profileservice.spi.Backend;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The conformance suite on the test-only {@link FileBackend}: a store without a message bus (polling only). */
class FileConformanceTest extends ProfileServiceConformanceTest {

    @TempDir
    static Path dir;

    @Override
    protected Backend openBackend() {
        return new FileBackend(dir.resolve("conformance.store"));
    }
}
