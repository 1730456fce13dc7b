package dev.profileservice.internal;

import dev.profileservice.Connection;
import dev.profileservice.Signal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A list of listeners fired on a {@link SerialExecutor}. Also the {@link Signal} implementation.
 *
 * @param <L> listener type
 */
final class Listeners<L> implements Signal<L> {
    private final List<Entry> entries = new CopyOnWriteArrayList<>();
    private final Executor executor;

    Listeners(Executor serialExecutor) {
        this.executor = serialExecutor;
    }

    @Override
    public Connection connect(L listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        Entry e = new Entry(listener);
        entries.add(e);
        return e;
    }

    /** Calls {@code call} with every connected listener, on the executor, checking the connection at call time. */
    void fire(Consumer<L> call) {
        for (Entry e : entries) {
            executor.execute(() -> {
                if (e.connected) {
                    call.accept(e.listener);
                }
            });
        }
    }

    /** Calls {@code call} with the listener behind {@code connection} only (if it is one of ours and still connected). */
    void fireOne(Connection connection, Consumer<L> call) {
        for (Entry e : entries) {
            if (e == connection) {
                executor.execute(() -> {
                    if (e.connected) {
                        call.accept(e.listener);
                    }
                });
            }
        }
    }

    private final class Entry implements Connection {
        final L listener;
        volatile boolean connected = true;

        Entry(L listener) {
            this.listener = listener;
        }

        @Override
        public void disconnect() {
            connected = false;
            entries.remove(this);
        }

        @Override
        public boolean isConnected() {
            return connected;
        }
    }
}
