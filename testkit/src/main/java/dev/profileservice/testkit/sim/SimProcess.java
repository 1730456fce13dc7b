package dev.profileservice.testkit.sim;

import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One run of one simulated game server: the executors, scheduler and clock its {@code
 * ProfileService} is built with, all queuing into the {@link SimWorld}. A crash ends the process
 * (its queued work and timers are dropped; nothing is closed or released, as with {@code kill -9});
 * the server comes back as a new process. A pause holds all of its work (a stop-the-world GC, a
 * frozen VM) until it resumes.
 */
final class SimProcess {
    private final SimWorld world;
    private final String name;
    private final long skewMillis;
    private boolean paused;
    private boolean crashed;
    private final ScheduledExecutorService scheduler;

    SimProcess(SimWorld world, String name, long skewMillis) {
        this.world = world;
        this.name = name;
        this.skewMillis = skewMillis;
        this.scheduler = new SimScheduler(world, this);
    }

    String name() {
        return name;
    }

    long skewMillis() {
        return skewMillis;
    }

    boolean isRunning() {
        return !paused && !crashed;
    }

    boolean isCrashed() {
        return crashed;
    }

    boolean isPaused() {
        return paused;
    }

    void crash() {
        crashed = true;
    }

    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
    }

    /** The store calls' executor: any order, like a pool of threads. */
    Executor storeExecutor() {
        return task -> world.submit(this, "io", false, task);
    }

    /** The listeners' executor: one lane in order, like a game's main thread. */
    Executor listenerExecutor() {
        return task -> world.submit(this, "main", true, task);
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** This host's clock: the world's time off by this host's skew. */
    Clock clock() {
        return world.clock(skewMillis);
    }

    @Override
    public String toString() {
        return name;
    }
}
