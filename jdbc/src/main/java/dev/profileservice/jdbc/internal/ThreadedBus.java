package dev.profileservice.jdbc.internal;

import dev.profileservice.spi.MessageBus;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link PgNotifyBus} and {@link PolledTableBus} share: the handlers of the subscribed servers,
 * one daemon thread per bus started by the first {@link #subscribe}, and {@link #close()}, which
 * stops that thread and waits up to 2 s for it. The thread calls {@link #round()} until the bus is
 * closed, waiting between rounds as long as the round asks; a round handles its own failures (it
 * logs and asks for the wait before it retries).
 *
 * <h2>Threads</h2>
 * {@link #subscribe}, {@link #publish} and {@link #close()} may be called from any thread.
 * {@link #round()}, {@link #stopped()} and therefore every handler run on the bus thread, one message
 * at a time; a handler that throws is logged and the next message is still delivered. A handler may
 * call {@link #close()} (it then does not wait for its own thread).
 */
abstract class ThreadedBus implements MessageBus {
    private final Logger log = LoggerFactory.getLogger(getClass());
    private final JdbcBackend backend;
    private final String threadName;
    private final Map<String, Consumer<String>> handlers = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private volatile boolean closed;
    private Thread thread;

    ThreadedBus(JdbcBackend backend, String threadName) {
        this.backend = backend;
        this.threadName = threadName;
    }

    /** The key a server's handler is filed under and {@link #deliver} looks up: the server id itself unless overridden. */
    String handlerKey(String serverId) {
        return serverId;
    }

    @Override
    public void subscribe(String serverId, Consumer<String> handler) {
        if (closed) {
            throw new IllegalStateException("message bus of " + backend.describe() + " is closed");
        }
        handlers.put(handlerKey(serverId), handler);
        synchronized (lock) {
            if (thread == null) {
                thread = new Thread(this::run, threadName);
                thread.setDaemon(true);
                thread.start();
            }
        }
    }

    @Override
    public final void publish(String targetServerId, String message) {
        if (closed) {
            return;
        }
        send(targetServerId, message);
    }

    /** Sends {@code message} to {@code targetServerId}; runs on the caller's thread, only while the bus is open. */
    abstract void send(String targetServerId, String message);

    /**
     * One round of the bus thread: receive and {@link #deliver} what has arrived. Catches its own
     * failures. Returns how long to wait (ms) before the next round, 0 to go on at once.
     */
    abstract long round();

    /** Called once on the bus thread after the last round, to release what the rounds held. */
    void stopped() {}

    final boolean isClosed() {
        return closed;
    }

    /** The keys that have a handler, a live view. */
    final Set<String> subscribedKeys() {
        return handlers.keySet();
    }

    /** Hands {@code body} to the handler filed under {@code key}, if any; a handler's exception is logged. */
    final void deliver(String key, String body) {
        Consumer<String> h = handlers.get(key);
        if (h != null) {
            try {
                h.accept(body);
            } catch (RuntimeException e) {
                log.warn("message handler failed on {}", backend.describe(), e);
            }
        }
    }

    /** Ends a wait of the bus thread early (a round asked for one). */
    final void wake() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    private void run() {
        try {
            while (!closed) {
                long waitMillis = round();
                if (waitMillis > 0 && !await(waitMillis)) {
                    break;
                }
            }
        } finally {
            stopped();
        }
    }

    /** Waits up to {@code millis} or until woken; false if the bus is closed or the thread interrupted. */
    private boolean await(long millis) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            try {
                lock.wait(millis);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (lock) {
            t = thread;
            lock.notifyAll();
        }
        handlers.clear();
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
