package dev.profileservice.bench;

import dev.profileservice.ProfileService;
import dev.profileservice.spi.Backends;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A JMH state for the micro-benchmarks that go through the public API: a service over the in-memory
 * backend, so the store costs next to nothing and what is left is the library, behind a
 * {@link CountingBackend} whose {@link CountingBackend#savedOk()} tells when a save has reached the
 * store. A benchmark takes it as a parameter of its own {@code @Setup}, which JMH runs after this
 * one's. Opened once per trial and closed after it.
 */
@State(Scope.Benchmark)
public class InMemoryService {

    private CountingBackend backend;
    private ProfileService service;

    @Setup(Level.Trial)
    public void open() {
        backend = new CountingBackend(Backends.open("memory:"));
        service = ProfileService.builder().backend(backend).placeId("jmh").build();
    }

    @TearDown(Level.Trial)
    public void close() {
        service.close();
    }

    ProfileService service() {
        return service;
    }

    CountingBackend backend() {
        return backend;
    }
}
