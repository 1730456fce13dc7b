package dev.profileservice.cli.internal;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.VersionCause;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One run of a bulk command ({@code migrate}, {@code edit}) over the profiles of a store: pages
 * through the keys ({@code BackendAdmin.keys}, one page in memory at a time), and for each profile
 * whose {@link Change} would change it takes its session lock, keeps the payload before the change
 * as a version, writes the new payload and releases, all fenced by the epoch it acquired. A profile
 * held by a server is reported and left alone; any failure releases the session and is reported; the
 * run goes on. Prints a live progress line on standard error (on a terminal), the problems and a
 * summary (or one JSON document with every profile's outcome), and returns the exit code: 1 if a
 * profile failed or the run was interrupted, else 0.
 *
 * <p>Interrupting the process (Ctrl-C) stops starting profiles; those in hand finish (a shutdown hook
 * waits for them), so no profile stays locked by the tool. A run again skips what is done.
 *
 * <p>Threads: the command's thread pages, prints and waits; {@code profiles-bulk-N} threads (as many
 * as {@code --parallel}, at most the store's {@code maxConcurrentCalls}) work on the profiles of a
 * page; {@code profiles-bulk-progress} prints the live line.
 */
final class BulkRun {
    /** Keys read per page. */
    static final int PAGE = 200;

    /** How long a shutdown (Ctrl-C) waits for the profiles in hand to be written and released. */
    private static final long SHUTDOWN_WAIT_MILLIS = 30_000;

    /** What happened to one profile. */
    enum Outcome {
        /** Its data was migrated to the model's version (migrate). */
        MIGRATED("migrated"),
        /** The patch was applied (edit). */
        EDITED("edited"),
        /** The change computed to nothing: no version kept, nothing written. */
        UNCHANGED("unchanged"),
        /** Done by an earlier run: already at the model's version, or already carries this patch's mark. */
        ALREADY_DONE("already-done"),
        /** A server holds its session: not touched. */
        HELD("held"),
        /** The change failed on it (or the store did): left as it was. */
        FAILED("failed"),
        /** Not for this run: no saved data, or data newer than the model's. */
        SKIPPED("skipped"),
        /** Does not match {@code --where}: counted, not listed. */
        FILTERED("filtered-out");

        final String label;

        Outcome(String label) {
            this.label = label;
        }
    }

    /**
     * What a command does to one profile: from the stored payload (the engine's JSON), either the
     * new payload or a final outcome. Called on the worker threads, possibly twice for one profile
     * (on the record read, and on the record acquired if it changed meanwhile); must not throw for a
     * problem of one profile (return {@link Plan#failed}).
     */
    interface Change {
        Plan plan(String key, byte[] payload);
    }

    /**
     * The plan for one profile.
     *
     * @param outcome    the final outcome when nothing is to be written, else null
     * @param newPayload the payload to write, or null
     * @param userIds    the user ids after the change when they changed, else null
     * @param message    why (for skipped, failed), or null
     * @param details    what the outcome reports besides (e.g. {@code from} and {@code to} versions), in order
     */
    record Plan(Outcome outcome, byte[] newPayload, List<Long> userIds, String message, Map<String, Object> details) {
        static Plan done(Outcome outcome, String message, Map<String, Object> details) {
            return new Plan(outcome, null, null, message, details);
        }

        static Plan failed(String message, Map<String, Object> details) {
            return done(Outcome.FAILED, message, details);
        }

        static Plan change(byte[] newPayload, List<Long> userIds, Map<String, Object> details) {
            return new Plan(null, newPayload, userIds, null, details);
        }

        boolean changes() {
            return newPayload != null;
        }
    }

    /** What happened to one profile, as printed. */
    record Result(
            String key,
            Outcome outcome,
            boolean wouldChange,
            String message,
            Map<String, Object> details,
            Owner holder,
            List<String> diff) {}

    final String verb;
    final Outcome changed;
    private final VersionCause cause;
    final StoreOptions options;
    private final AdminSession session;
    private final Backend backend;
    final boolean dryRun;
    private final int parallel;
    private final Change change;
    private final Owner me;

    final EnumMap<Outcome, LongAdder> counts = new EnumMap<>(Outcome.class);
    final LongAdder wouldChange = new LongAdder();
    final LongAdder done = new LongAdder();
    private final AtomicBoolean stop = new AtomicBoolean();
    volatile long total = -1;
    boolean interrupted;

    /**
     * @param verb    the command's name ({@code migrate}, {@code edit}), for messages and the owner's job id
     * @param changed the outcome of a profile changed ({@link Outcome#MIGRATED}, {@link Outcome#EDITED})
     * @param cause   the cause the versions are kept with
     */
    BulkRun(
            String verb,
            Outcome changed,
            VersionCause cause,
            StoreOptions options,
            AdminSession session,
            BulkOptions bulk,
            Change change) {
        this.verb = verb;
        this.changed = changed;
        this.cause = cause;
        this.options = options;
        this.session = session;
        this.backend = session.backend();
        this.dryRun = bulk.dryRun;
        this.parallel = Math.max(1, Math.min(bulk.parallel, backend.maxConcurrentCalls()));
        this.change = change;
        long pid = ProcessHandle.current().pid();
        String id = Long.toHexString(System.nanoTime());
        this.me = new Owner("profiles-cli-" + verb + "-" + pid + "-" + id, "profiles-cli", verb + "-" + pid + "-" + id);
        for (Outcome o : Outcome.values()) {
            counts.put(o, new LongAdder());
        }
    }

    /** Runs over every profile of the store, page by page. */
    int runAll() {
        return run(null);
    }

    /** Runs over one profile. */
    int runOne(String key) {
        return run(key);
    }

    private int run(String onlyKey) {
        long startNanos = System.nanoTime();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    stop.set(true);
                    try {
                        finished.await(SHUTDOWN_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "profiles-bulk-shutdown");
        ToolLease lease = dryRun ? null : ToolLease.start(backend, me); // a dry run takes no session
        Runtime.getRuntime().addShutdownHook(hook);
        AtomicInteger threadIds = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "profiles-bulk-" + threadIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        BulkProgress progress = null;
        BulkOutput output = new BulkOutput(this, options.out(), startNanos);
        try {
            total = onlyKey != null ? 1 : countKeys();
            progress = BulkProgress.start(this, options.err(), startNanos);
            output.begin();
            if (onlyKey != null) {
                runPage(pool, List.of(onlyKey), output);
            } else {
                String after = null;
                while (!stop.get()) {
                    List<String> keys = session.admin().keys(options.profileStore(), after, PAGE);
                    runPage(pool, keys, output);
                    if (keys.size() < PAGE) {
                        break;
                    }
                    after = keys.get(keys.size() - 1);
                }
            }
            interrupted = stop.get();
            if (progress != null) {
                progress.stop();
                progress = null;
            }
            output.end();
            return counts.get(Outcome.FAILED).sum() > 0 || interrupted ? 1 : 0;
        } finally {
            if (progress != null) {
                progress.stop();
            }
            pool.shutdown();
            try {
                pool.awaitTermination(SHUTDOWN_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (lease != null) {
                lease.close(); // every session is released by now
            }
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that the run finished
            }
        }
    }

    /** How many keys the store holds, counted page by page (a key added meanwhile is still worked on). */
    private long countKeys() {
        long n = 0;
        String after = null;
        while (true) {
            List<String> keys = session.admin().keys(options.profileStore(), after, 1_000);
            n += keys.size();
            if (keys.size() < 1_000) {
                return n;
            }
            after = keys.get(keys.size() - 1);
        }
    }

    /** One profile of a page, through the phases of {@link #runPage}. Used by one thread at a time. */
    private static final class Work {
        final String key;
        /** The record as read (phase 1). */
        StoredProfile read;
        /** The plan on the record read, then on the record acquired. */
        Plan plan;
        /** The epoch of the session this run took (phase 2), or -1. */
        long epoch = -1;
        /** The payload the record held when this run took its session. */
        byte[] before;
        /** Whether this run still holds the session it took. */
        boolean holding;
        /** The outcome, once known. */
        Result result;

        Work(String key) {
            this.key = key;
        }
    }

    /**
     * Works on the profiles of one page, then prints their outcomes in key order: (1) reads each and
     * computes its change (in parallel), (2) takes the session of each that changes (in parallel),
     * (3) keeps the payload before as a version, (4) writes the new payloads and releases; (3) and (4)
     * as {@code saveBatch} batches, so a page costs a few round trips besides a read and an acquire a
     * profile. Whatever happens, every session taken is released before this returns.
     */
    private void runPage(ExecutorService pool, List<String> keys, BulkOutput output) {
        if (stop.get()) {
            return;
        }
        List<Work> page = new ArrayList<>(keys.size());
        keys.forEach(k -> page.add(new Work(k)));
        try {
            parallel(pool, page, this::readAndPlan);
            if (!dryRun) {
                parallel(pool, page, w -> {
                    if (w.result == null) {
                        acquire(w);
                    }
                });
                keepBefore(page);
                writeAndRelease(page);
            }
        } finally {
            for (Work w : page) {
                if (w.holding) {
                    releaseIfMine(w.key, w.epoch, w.before);
                    w.holding = false;
                    if (w.result == null) {
                        w.result = failed(w.key, "interrupted before it was written; left as it was");
                    }
                }
            }
        }
        for (Work w : page) {
            Result r = w.result != null ? w.result : failed(w.key, "not worked on (an earlier error)");
            count(r);
            output.profile(r);
        }
    }

    /** Runs {@code step} on each profile of the page on the pool, and waits for all; a step that throws fails its profile. */
    private void parallel(ExecutorService pool, List<Work> page, Consumer<Work> step) {
        List<Future<?>> futures = new ArrayList<>(page.size());
        for (Work w : page) {
            futures.add(pool.submit(() -> {
                try {
                    step.accept(w);
                } catch (RuntimeException e) {
                    if (w.result == null) {
                        w.result = failed(w.key, oneLine(e));
                    }
                }
            }));
        }
        boolean interruptedNow = false;
        for (Future<?> f : futures) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interruptedNow = true; // the profiles in hand are finished first: none stays locked
                    stop.set(true);
                } catch (ExecutionException e) {
                    break; // the step catches what it throws
                }
            }
        }
        if (interruptedNow) {
            Thread.currentThread().interrupt();
        }
    }

    private void count(Result r) {
        counts.get(r.outcome()).increment();
        if (r.wouldChange()) {
            wouldChange.increment();
        }
        done.increment();
    }

    /** Phase 1: reads the profile and computes its change; sets the result unless it is to be written. */
    private void readAndPlan(Work w) {
        StoredProfile record;
        try {
            record = backend.read(options.profileStore(), w.key);
        } catch (RuntimeException e) {
            w.result = failed(w.key, "cannot read it: " + oneLine(e));
            return;
        }
        w.read = record;
        if (record.payload() == null) {
            w.result = result(
                    w.key,
                    Plan.done(
                            Outcome.SKIPPED,
                            AdminSession.exists(record)
                                    ? "no saved data yet (only pending global updates)"
                                    : "no longer exists",
                            Map.of()));
            return;
        }
        Plan plan = change.plan(w.key, record.payload());
        w.plan = plan;
        if (!plan.changes()) {
            w.result = result(w.key, plan);
        } else if (record.owner() != null) {
            w.result = held(w.key, record.owner(), plan);
        } else if (dryRun) {
            try {
                List<String> diff = PayloadDiff.between(
                                Versions.tree(record.payload(), "the data of " + w.key),
                                Versions.tree(plan.newPayload(), "the new data of " + w.key))
                        .lines();
                w.result = new Result(w.key, changed, true, null, plan.details(), null, diff);
            } catch (RuntimeException e) {
                w.result = failed(w.key, "cannot show the change: " + oneLine(e));
            }
        }
    }

    /** Phase 2: takes the session (refused: held) and computes the change again on what it holds. */
    private void acquire(Work w) {
        String store = options.profileStore();
        AcquireResult acquired;
        try {
            acquired = backend.acquire(store, w.key, me, -1, w.read.payload());
        } catch (RuntimeException e) {
            // unknown whether it was taken: a fenced release of what it held does nothing if it was not
            releaseIfMine(w.key, w.read.epoch() + 1, w.read.payload());
            w.result = failed(w.key, "cannot take its session: " + oneLine(e));
            return;
        }
        if (!acquired.acquired()) {
            w.result = held(w.key, acquired.record().owner(), w.plan);
            return;
        }
        StoredProfile mine = acquired.record();
        w.epoch = mine.epoch();
        w.before = mine.payload();
        w.holding = true;
        if (w.epoch == 1 && w.read.epoch() >= 1 && Arrays.equals(w.before, w.read.payload())) {
            // the epoch only grows, and a record's first acquire makes it 1: the profile was deleted
            // (wiped) after the read and this acquire created it again with the payload read; undo that
            session.admin().delete(store, w.key);
            w.holding = false;
            w.result = result(w.key, Plan.done(Outcome.SKIPPED, "no longer exists (deleted meanwhile)", Map.of()));
            return;
        }
        if (!Arrays.equals(w.before, w.read.payload())) {
            w.plan = change.plan(w.key, w.before); // it changed between the read and the acquire
        }
    }

    /** Phase 3: keeps the payload before the change as a version, for every profile this run holds that changes. */
    private void keepBefore(List<Work> page) {
        List<Work> batch = new ArrayList<>();
        for (Work w : page) {
            if (w.holding && w.result == null && w.plan.changes()) {
                batch.add(w);
            }
        }
        saveAll(
                batch,
                w -> new SaveRequest(me.serverId(), w.epoch, w.before, false, List.of(), cause, null),
                (w, status) -> {
                    if (status != SaveResult.Status.SAVED) {
                        w.holding = status == SaveResult.Status.UPDATES_CHANGED;
                        w.result = failed(w.key, "its session was taken before anything was written (" + status + ")");
                    }
                });
    }

    /** Phase 4: writes the new payloads with the release, and releases those whose change came to nothing. */
    private void writeAndRelease(List<Work> page) {
        List<Work> batch = new ArrayList<>();
        for (Work w : page) {
            if (w.holding && w.result == null) {
                batch.add(w);
            }
        }
        saveAll(
                batch,
                w -> w.plan.changes()
                        ? new SaveRequest(
                                me.serverId(), w.epoch, w.plan.newPayload(), true, List.of(), cause, w.plan.userIds())
                        : new SaveRequest(me.serverId(), w.epoch, w.before, true, List.of()),
                (w, status) -> {
                    w.holding = status == SaveResult.Status.UPDATES_CHANGED;
                    if (status != SaveResult.Status.SAVED) {
                        w.result = failed(
                                w.key,
                                "its session was taken after the version before the change was kept; the change was"
                                        + " not written (" + status + ")");
                    } else if (w.plan.changes()) {
                        w.result = new Result(w.key, changed, false, null, w.plan.details(), null, List.of());
                    } else {
                        w.result = result(w.key, w.plan);
                    }
                });
    }

    /**
     * Saves one request per profile in {@code saveBatch} batches of the store's size and hands each
     * status to {@code then}. A batch that fails leaves its outcomes unknown: its profiles fail, and
     * the caller's release (fenced, of the payload before) leaves each as it was unless its change
     * was written and released.
     */
    private void saveAll(
            List<Work> works, Function<Work, SaveRequest> request, BiConsumer<Work, SaveResult.Status> then) {
        int size = Math.max(1, backend.maxBatchSize());
        for (int from = 0; from < works.size(); from += size) {
            List<Work> chunk = works.subList(from, Math.min(works.size(), from + size));
            List<SaveItem> items = new ArrayList<>(chunk.size());
            for (Work w : chunk) {
                items.add(new SaveItem(options.profileStore(), w.key, request.apply(w)));
            }
            List<SaveResult> results;
            try {
                results = size == 1
                        ? List.of(backend.save(
                                options.profileStore(),
                                items.get(0).key(),
                                items.get(0).request()))
                        : backend.saveBatch(items);
            } catch (RuntimeException e) {
                for (Work w : chunk) {
                    w.result = failed(w.key, "the store failed while writing: " + oneLine(e));
                }
                continue; // still holding: released (fenced) by runPage
            }
            for (int i = 0; i < chunk.size(); i++) {
                then.accept(chunk.get(i), results.get(i).status());
            }
        }
    }

    /**
     * Releases the session this run took, writing {@code payload} (what the record held when it was
     * taken), if the run still holds it: fenced, so it does nothing when the session is gone.
     */
    private void releaseIfMine(String key, long epoch, byte[] payload) {
        try {
            backend.save(options.profileStore(), key, SaveRequest.of(me.serverId(), epoch, payload, true));
        } catch (RuntimeException e) {
            options.err()
                    .println(verb + ": could not release " + key + " (" + oneLine(e) + "); if it stays held by "
                            + me.placeId() + "/" + me.jobId() + ", free it with 'profiles release " + key + "'");
            options.err().flush();
        }
    }

    private Result result(String key, Plan plan) {
        return new Result(key, plan.outcome(), false, plan.message(), plan.details(), null, List.of());
    }

    private Result held(String key, Owner holder, Plan plan) {
        return new Result(
                key,
                Outcome.HELD,
                false,
                "held by " + holderName(holder),
                plan == null ? Map.of() : plan.details(),
                holder,
                List.of());
    }

    private static Result failed(String key, String message) {
        return new Result(key, Outcome.FAILED, false, message, Map.of(), null, List.of());
    }

    static String holderName(Owner owner) {
        return owner == null ? "(unknown)" : owner.placeId() + "/" + owner.jobId();
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        return m.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    String label(Result r) {
        return r.wouldChange() ? "would-" + verb : r.outcome().label;
    }
}
