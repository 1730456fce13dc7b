package dev.profileservice.cli.internal;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Owner;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The heartbeat of a tool that holds sessions (the bulk commands), as a game server keeps its own:
 * one row renewed every third of the lease, removed on close. Without it the sessions the tool
 * takes belong to a server with no heartbeat row, which every game server may take at once: a
 * player joining mid-run would make the tool's fenced write fail. With it, a game server asks (its
 * handler sees the tool's place and job) and waits for the tool's release like for any owner.
 *
 * <p>A failed renewal is ignored: the next one retries, and if the lease runs out meanwhile the
 * tool's writes are refused by fencing, never half-applied. Renewals run on {@code scheduler}.
 */
final class ToolLease implements AutoCloseable {
    /** The tool's lease, as a game server's default. */
    static final Duration LEASE = Duration.ofSeconds(30);

    private final Backend backend;
    private final Owner me;
    private final ScheduledExecutorService scheduler;
    private final boolean ownScheduler;
    private final ScheduledFuture<?> renewal;

    private ToolLease(Backend backend, Owner me, ScheduledExecutorService scheduler, boolean ownScheduler) {
        this.backend = backend;
        this.me = me;
        this.scheduler = scheduler;
        this.ownScheduler = ownScheduler;
        backend.heartbeat(me, LEASE); // before the first session is taken: a failure here stops the run
        long period = LEASE.toMillis() / 3;
        this.renewal = scheduler.scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    /** Starts heartbeating {@code me} on a daemon thread of its own. */
    static ToolLease start(Backend backend, Owner me) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "profiles-tool-heartbeat");
            t.setDaemon(true);
            return t;
        });
        return new ToolLease(backend, me, scheduler, true);
    }

    /** Starts heartbeating {@code me} on {@code scheduler} (tests drive it in virtual time). */
    static ToolLease start(Backend backend, Owner me, ScheduledExecutorService scheduler) {
        return new ToolLease(backend, me, scheduler, false);
    }

    private void renew() {
        try {
            backend.heartbeat(me, LEASE);
        } catch (RuntimeException e) {
            // the next renewal retries; fencing covers a lease that ran out meanwhile
        }
    }

    /** Stops heartbeating and removes the row (best effort: a row left behind simply runs out). */
    @Override
    public void close() {
        renewal.cancel(false);
        if (ownScheduler) {
            scheduler.shutdownNow();
        }
        try {
            backend.removeServer(me.serverId());
        } catch (RuntimeException e) {
            // it runs out by itself
        }
    }
}
