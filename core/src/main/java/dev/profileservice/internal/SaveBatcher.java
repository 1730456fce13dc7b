package dev.profileservice.internal;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of profile saves: profiles that want a sync queue here, and a few flushers on the
 * I/O pool each take up to {@link Backend#maxBatchSize()} of them, let each encode its snapshot,
 * and write all of them with one {@link Backend#saveBatch} (one round trip on the built-in stores).
 *
 * <p>A lone save on a quiet server goes out at once in a batch of one. When saves arrive faster
 * than the store answers, they wait for a flusher and so gather into larger batches, which is when
 * batching pays. A flusher runs one batch and then goes to the back of the I/O queue, so loads and
 * reads interleave with saves instead of waiting behind all of them; at most {@code maxFlushers}
 * batches are at the store at once, which leaves I/O threads (and pooled connections) for loads.
 *
 * <p>Saves leave in the order they were queued, except releases ({@link #submitFirst}), which go
 * to the front: a server waiting for a hand-over should not wait behind a backlog of auto-saves.
 *
 * <p>Threads: {@link #submit}, {@link #submitFirst} and {@link #submitAll} from any thread (timer, I/O, game threads);
 * {@link Sync#begin}, {@link PendingSave#complete} and {@link PendingSave#fail} on an I/O thread.
 * The caller guarantees a profile is queued at most once at a time (its {@code saving} flag), so one
 * batch never holds the same record twice.
 */
final class SaveBatcher {
    private static final Logger LOG = LoggerFactory.getLogger(SaveBatcher.class);

    /** Something that wants its state written: a profile. */
    interface Sync {
        /**
         * Prepares the next write, on the flusher's I/O thread. Returns null when nothing is to be
         * batched (released meanwhile, nothing changed so a read was handed on, or a failure that the
         * profile already scheduled a retry for).
         */
        PendingSave begin();
    }

    /** One prepared write and what to do with its outcome. Both callbacks must not throw. */
    interface PendingSave {
        SaveItem item();

        void complete(SaveResult result);

        /** The store call failed: the outcome of the write is unknown. */
        void fail(RuntimeException e);
    }

    private final Backend backend;
    private final Executor io;
    private final int batchSize;
    private final int maxFlushers;
    private final ConcurrentLinkedDeque<Sync> queue = new ConcurrentLinkedDeque<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicInteger flushers = new AtomicInteger();
    /** Saves at the store now (for the observer's gauge). */
    private final AtomicInteger inFlight = new AtomicInteger();

    private final Observation observe;

    SaveBatcher(Backend backend, Executor io, int ioThreads) {
        this(backend, io, ioThreads, Observation.OFF);
    }

    SaveBatcher(Backend backend, Executor io, int ioThreads, Observation observe) {
        this.backend = backend;
        this.observe = observe;
        this.io = io;
        this.batchSize = Math.max(1, backend.maxBatchSize());
        // keep a quarter of the I/O threads for loads, reads and gifts
        this.maxFlushers = Math.max(1, ioThreads - Math.max(1, ioThreads / 4));
    }

    int batchSize() {
        return batchSize;
    }

    /** Saves waiting for a flusher. */
    int queued() {
        return Math.max(0, queued.get());
    }

    /** Saves sent to the store whose answer has not come yet. */
    int inFlight() {
        return inFlight.get();
    }

    void submit(Sync s) {
        queue.add(s);
        queued.incrementAndGet();
        kick();
    }

    /**
     * Like {@link #submit}, but ahead of everything queued: for a release, which another server may
     * be waiting for (a hand-over), so it does not wait behind a backlog of auto-saves.
     */
    void submitFirst(Sync s) {
        queue.addFirst(s);
        queued.incrementAndGet();
        kick();
    }

    void submitAll(Collection<? extends Sync> all) {
        if (all.isEmpty()) {
            return;
        }
        queue.addAll(all);
        queued.addAndGet(all.size());
        kick();
    }

    /** Starts flushers: one per full batch waiting, at least one while anything waits, at most maxFlushers. */
    private void kick() {
        while (true) {
            int waiting = queued.get();
            if (waiting <= 0) {
                return;
            }
            int want = Math.min(maxFlushers, (waiting + batchSize - 1) / batchSize);
            int running = flushers.get();
            if (running >= want) {
                return;
            }
            if (flushers.compareAndSet(running, running + 1)) {
                try {
                    io.execute(this::flushOne);
                } catch (RejectedExecutionException e) {
                    flushers.decrementAndGet();
                    LOG.debug("service closed; {} queued save(s) dropped", queued.get());
                    return;
                }
            }
        }
    }

    private void flushOne() {
        try {
            List<PendingSave> batch = new ArrayList<>(Math.min(batchSize, 64));
            while (batch.size() < batchSize) {
                Sync s = queue.poll();
                if (s == null) {
                    break;
                }
                queued.decrementAndGet();
                PendingSave p = s.begin();
                if (p != null) {
                    batch.add(p);
                }
            }
            if (!batch.isEmpty()) {
                write(batch);
            }
        } finally {
            flushers.decrementAndGet();
            kick();
        }
    }

    private void write(List<PendingSave> batch) {
        observe.batchWritten(batch.size());
        inFlight.addAndGet(batch.size());
        try {
            writeAll(batch);
        } finally {
            inFlight.addAndGet(-batch.size());
        }
    }

    private void writeAll(List<PendingSave> batch) {
        if (batch.size() == 1) {
            PendingSave p = batch.get(0);
            SaveResult result;
            try {
                SaveItem item = p.item();
                result = backend.save(item.store(), item.key(), item.request());
            } catch (RuntimeException e) {
                p.fail(e);
                return;
            }
            p.complete(result);
            return;
        }
        List<SaveItem> items = new ArrayList<>(batch.size());
        for (PendingSave p : batch) {
            items.add(p.item());
        }
        List<SaveResult> results;
        try {
            results = backend.saveBatch(items);
            if (results == null || results.size() != items.size()) {
                throw new IllegalStateException(
                        backend.describe() + " returned " + (results == null ? "null" : results.size() + " results")
                                + " for a batch of " + items.size() + " saves");
            }
        } catch (RuntimeException e) {
            for (PendingSave p : batch) {
                p.fail(e);
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).complete(results.get(i));
        }
    }
}
