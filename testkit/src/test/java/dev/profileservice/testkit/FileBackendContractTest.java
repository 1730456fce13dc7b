package dev.profileservice.testkit;

import dev.profileservice.spi.Backend;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The backend contract on the test-only {@link FileBackend} (so the multi-process test below runs on a checked backend). */
class FileBackendContractTest extends BackendContractTest {

    @TempDir
    static Path dir;

    @Override
    protected Backend openBackend() {
        return new FileBackend(dir.resolve("contract.store"));
    }

    @Override
    protected int fuzzIterations() {
        return 60;
    }
}
