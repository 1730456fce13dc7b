package dev.profileservice.testkit;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Two JVMs hand one profile back and forth through the test-only file store. */
class FileMultiProcessHandOffTest extends MultiProcessHandOffTest {

    @TempDir
    static Path dir;

    @Override
    protected String backendUri() {
        return "testfile:" + dir.resolve("handoff.store").toAbsolutePath();
    }
}
