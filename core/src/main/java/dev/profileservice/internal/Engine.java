package dev.profileservice.internal;

import dev.profileservice.ProfileStore;
import dev.profileservice.Signal;

import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Placeholder while the engine is written. Not API. */
public final class Engine {
    private final EngineConfig config;

    private Engine(EngineConfig config) {
        this.config = config;
    }

    public static Engine start(EngineConfig config) {
        throw new UnsupportedOperationException("engine not written yet");
    }

    public EngineConfig config() {
        return config;
    }

    public <T> ProfileStore<T> store(String name, T template) {
        throw new UnsupportedOperationException();
    }

    public boolean isLocked() {
        throw new UnsupportedOperationException();
    }

    public Signal<Consumer<String>> issueSignal() {
        throw new UnsupportedOperationException();
    }

    public Signal<BiConsumer<String, String>> corruptionSignal() {
        throw new UnsupportedOperationException();
    }

    public Signal<Consumer<Boolean>> criticalStateSignal() {
        throw new UnsupportedOperationException();
    }

    public void close() {
    }
}
