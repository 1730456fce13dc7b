package dev.profileservice.internal;

import dev.profileservice.Signal;
import dev.profileservice.Subscription;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A list of listeners fired on a {@link SerialExecutor}. Also the {@link Signal} implementation.
 *
 * @param <L> listener type
 */
final class Listeners<L> implements Signal<L> {
    /** Copy-on-write array of the connected entries; shared empty array while none (most profiles have few listeners). */
    private volatile Entry[] entries = emptyEntries();

    private final Executor executor;

    Listeners(Executor serialExecutor) {
        this.executor = serialExecutor;
    }

    @Override
    public Subscription connect(L listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        Entry e = new Entry(listener);
        synchronized (this) {
            Entry[] now = entries;
            Entry[] next = java.util.Arrays.copyOf(now, now.length + 1);
            next[now.length] = e;
            entries = next;
        }
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
    void fireOne(Subscription connection, Consumer<L> call) {
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

    private synchronized void remove(Entry e) {
        Entry[] now = entries;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == e) {
                Entry[] next = emptyEntries();
                if (now.length > 1) {
                    next = java.util.Arrays.copyOf(now, now.length - 1);
                    System.arraycopy(now, i + 1, next, i, now.length - i - 1);
                }
                entries = next;
                return;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Entry[] emptyEntries() {
        return (Entry[]) EMPTY;
    }

    private static final Listeners<?>.Entry[] EMPTY =
            (Listeners<?>.Entry[]) java.lang.reflect.Array.newInstance(Listeners.Entry.class, 0);

    private final class Entry implements Subscription {
        final L listener;
        volatile boolean connected = true;

        Entry(L listener) {
            this.listener = listener;
        }

        @Override
        public void disconnect() {
            connected = false;
            remove(this);
        }

        @Override
        public boolean isConnected() {
            return connected;
        }
    }
}
