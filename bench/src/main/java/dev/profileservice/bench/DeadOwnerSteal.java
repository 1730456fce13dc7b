package dev.profileservice.bench;

import static dev.profileservice.bench.Blocking.await;
import static dev.profileservice.bench.Profiles.load;
import static dev.profileservice.bench.Profiles.touch;

import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.ServerLease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/** Time for B's FORCE_LOAD to take a profile from a server that stopped (no heartbeat, no answers). */
final class DeadOwnerSteal extends MacroMeasurement {

    DeadOwnerSteal(BackendRun run) {
        super("dead-owner steal", run);
    }

    @Override
    void measure() {
        Samples steal = new Samples();
        Duration lease = settings.stealLease();
        int lateWritesRefused = 0;
        List<String> deadJobs = new ArrayList<>();
        try (CountedService b = run.open("thief")) {
            ProfileStore<Map<String, Object>> storeB = run.store(b, "steal");
            for (int i = 0; i < settings.stealSamples(); i++) {
                String key = "d-" + i;
                // A plays dead from kill() on: no heartbeat, no answers, but its objects stay alive.
                String role = "dead" + i;
                CountedService a = run.open(role, x -> x.lease(lease).autoSavePeriod(lease));
                deadJobs.add(run.jobId(role));
                Profile<Map<String, Object>> held = load(run.store(a, "steal"), key);
                touch(held, 1);
                // Kill A right after one of its heartbeats, so its lease is as fresh as it gets.
                long beats = a.backend().calls("heartbeat");
                long deadline = System.nanoTime() + lease.toNanos() * 3;
                while (a.backend().calls("heartbeat") == beats) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(
                                "A sent no heartbeat within 3 leases (" + lease.multipliedBy(3) + ")");
                    }
                    LockSupport.parkNanos(1_000_000);
                }
                a.backend().kill();
                long t0 = System.nanoTime();
                Profile<Map<String, Object>> p = storeB.loadProfile(key, NotReleasedHandler.FORCE_LOAD)
                        .orElseThrow(() -> new IllegalStateException("B's FORCE_LOAD of " + key + " returned empty"));
                steal.add(System.nanoTime() - t0);
                touch(p, 777);
                p.release();
                // A comes back: its late writes must be refused (fencing) and it must let go; then close it.
                a.backend().revive();
                try {
                    touch(held, 3);
                    held.save();
                } catch (IllegalStateException alreadyInactive) {
                    // A found out on its own
                }
                await(CompletableFuture.runAsync(a::close), "closing the revived dead owner");
                if (held.isActive()) {
                    throw new IllegalStateException("the revived owner still thinks it holds " + key);
                }
                Object coins = storeB.viewProfile(key).orElseThrow().getData().get("coins");
                if (!(coins instanceof Number c) || c.longValue() != 777) {
                    throw new IllegalStateException(
                            "a late write of the dead owner overwrote " + key + ": coins=" + coins);
                }
                lateWritesRefused++;
            }
            // Tidy the dead servers' heartbeat rows.
            for (ServerLease row : BackendAdmin.of(b.backend()).servers()) {
                if (deadJobs.contains(row.jobId())) {
                    b.backend().removeServer(row.serverId());
                }
            }
        }
        report.rowAgainstProfileService(
                String.format(
                        Locale.ROOT,
                        "dead-owner steal (lease %d s, FORCE_LOAD timeout default), %s",
                        lease.toSeconds(),
                        steal.size() == 1 ? "1 sample" : "max of " + steal.size()),
                steal.percentile(100),
                60e9,
                "ForceLoad: 8 steps, ~1 min+; without ForceLoad the dead lock is trusted 30 min");
        report.note(
                "Dead owner: A (lease " + lease.toSeconds() + " s) is killed right after a heartbeat: every store call "
                        + "it makes fails from then on and it hears no messages. Expected: lease + 1 s. Afterwards A is revived: "
                        + lateWritesRefused + " of " + steal.size()
                        + " revived owner(s) had their late save refused and let the profile go.");
    }
}
