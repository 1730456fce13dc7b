package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class VirtualTimeTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void clockStandsStillUntilAdvanced() {
        VirtualTime vt = VirtualTime.startingAt(T0);
        assertThat(vt.clock().instant()).isEqualTo(T0);
        assertThat(vt.now()).isEqualTo(T0);
        vt.advance(Duration.ofMillis(1500));
        assertThat(vt.clock().millis()).isEqualTo(T0.toEpochMilli() + 1500);
        assertThat(vt.clock().withZone(ZoneId.of("Europe/Paris")).instant()).isEqualTo(T0.plusMillis(1500));
        assertThat(vt.clock().getZone()).isEqualTo(java.time.ZoneOffset.UTC);
        assertThatThrownBy(() -> vt.advance(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tasksRunInDueOrderAtTheirDueTime() {
        VirtualTime vt = VirtualTime.startingAt(T0);
        ScheduledExecutorService s = vt.scheduler();
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        s.schedule(() -> log.add("c@" + vt.now()), 3, TimeUnit.SECONDS);
        s.schedule(() -> log.add("a@" + vt.now()), 1, TimeUnit.SECONDS);
        s.schedule(() -> log.add("b@" + vt.now()), 2, TimeUnit.SECONDS);
        s.schedule(() -> log.add("b2@" + vt.now()), 2, TimeUnit.SECONDS);
        assertThat(vt.pendingTasks()).isEqualTo(4);
        assertThat(vt.nextDueTime()).isEqualTo(T0.plusSeconds(1));

        assertThat(vt.advance(Duration.ofMillis(2500))).isEqualTo(3);
        assertThat(log).containsExactly("a@" + T0.plusSeconds(1), "b@" + T0.plusSeconds(2), "b2@" + T0.plusSeconds(2));
        assertThat(vt.now()).isEqualTo(T0.plusMillis(2500));
        assertThat(vt.pendingTasks()).isEqualTo(1);

        vt.advance(Duration.ofSeconds(1));
        assertThat(log).hasSize(4).last().isEqualTo("c@" + T0.plusSeconds(3));
        assertThat(vt.pendingTasks()).isZero();
    }

    @Test
    void zeroDelayTasksRunOnlyAtTheNextAdvanceOrRunDueTasks() {
        VirtualTime vt = VirtualTime.startingAt(T0);
        AtomicInteger runs = new AtomicInteger();
        vt.scheduler().execute(runs::incrementAndGet);
        vt.scheduler().schedule(runs::incrementAndGet, 0, TimeUnit.SECONDS);
        vt.scheduler().schedule(runs::incrementAndGet, -5, TimeUnit.SECONDS);
        assertThat(runs).hasValue(0);
        assertThat(vt.runDueTasks()).isEqualTo(3);
        assertThat(runs).hasValue(3);
        assertThat(vt.now()).isEqualTo(T0);

        vt.scheduler().execute(runs::incrementAndGet);
        vt.advance(Duration.ZERO);
        assertThat(runs).hasValue(4);
    }

    @Test
    void tasksScheduledByTasksWithinTheWindowRunToo() {
        VirtualTime vt = VirtualTime.startingAt(T0);
        List<Instant> when = new ArrayList<>();
        vt.scheduler()
                .schedule(
                        () -> {
                            when.add(vt.now());
                            vt.scheduler()
                                    .schedule(
                                            () -> {
                                                when.add(vt.now());
                                                vt.scheduler().execute(() -> when.add(vt.now()));
                                                vt.scheduler().schedule(() -> when.add(vt.now()), 10, TimeUnit.SECONDS);
                                            },
                                            2,
                                            TimeUnit.SECONDS);
                        },
                        1,
                        TimeUnit.SECONDS);
        vt.advance(Duration.ofSeconds(5));
        assertThat(when).containsExactly(T0.plusSeconds(1), T0.plusSeconds(3), T0.plusSeconds(3));
        assertThat(vt.pendingTasks()).isEqualTo(1);
        vt.advance(Duration.ofSeconds(8));
        assertThat(when).last().isEqualTo(T0.plusSeconds(13));
    }

    @Test
    void fixedRateReArmsFromThePreviousDueTime() {
        VirtualTime vt = VirtualTime.startingAt(T0);
        List<Instant> when = new ArrayList<>();
        ScheduledFuture<?> f = vt.scheduler().scheduleAtFixedRate(() -> when.add(vt.now()), 1, 2, TimeUnit.SECONDS);
        vt.advance(Duration.ofSeconds(6));
        assertThat(when).containsExactly(T0.plusSeconds(1), T0.plusSeconds(3), T0.plusSeconds(5));
        assertThat(f.isDone()).isFalse();
        assertThat(f.getDelay(TimeUnit.MILLISECONDS)).isEqualTo(1000);
        assertThat(f.cancel(false)).isTrue();
        assertThat(f.isCancelled()).isTrue();
        assertThat(vt.pendingTasks()).isZero();
        vt.advance(Duration.ofSeconds(10));
        assertThat(when).hasSize(3);
    }

    @Test
    void fixedDelayReArmsFromTheEndOfTheRun() {
        VirtualTime vt = VirtualTime.startingAt(T0);
        List<Instant> when = new ArrayList<>();
        // the task itself advances nothing, but a task scheduled meanwhile must not shift the rhythm
        vt.scheduler().scheduleWithFixedDelay(() -> when.add(vt.now()), 0, 3, TimeUnit.SECONDS);
        vt.advance(Duration.ofSeconds(7));
        assertThat(when).containsExactly(T0, T0.plusSeconds(3), T0.plusSeconds(6));
    }

    @Test
    void periodicTaskThatThrowsStopsAndIsRecorded() {
        VirtualTime vt = VirtualTime.startingAt(T0);
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> f = vt.scheduler()
                .scheduleAtFixedRate(
                        () -> {
                            if (runs.incrementAndGet() == 2) {
                                throw new IllegalStateException("boom");
                            }
                        },
                        1,
                        1,
                        TimeUnit.SECONDS);
        vt.advance(Duration.ofSeconds(10));
        assertThat(runs).hasValue(2);
        assertThat(f.isDone()).isTrue();
        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).hasRootCauseMessage("boom");
        assertThat(vt.taskFailures())
                .singleElement()
                .extracting(Throwable::getMessage)
                .isEqualTo("boom");
    }

    @Test
    void callablesAndSubmitCompleteTheirFutures() throws Exception {
        VirtualTime vt = VirtualTime.startingAt(T0);
        ScheduledFuture<String> f = vt.scheduler().schedule(() -> "done", 5, TimeUnit.SECONDS);
        Future<Integer> g = vt.scheduler().submit(() -> 42);
        Future<String> h = vt.scheduler().submit(() -> {}, "r");
        assertThat(f.isDone()).isFalse();
        assertThat(f.getDelay(TimeUnit.SECONDS)).isEqualTo(5);
        vt.runDueTasks();
        assertThat(g.get()).isEqualTo(42);
        assertThat(h.get()).isEqualTo("r");
        assertThat(f.isDone()).isFalse();
        vt.advance(Duration.ofSeconds(5));
        assertThat(f.get()).isEqualTo("done");
    }

    @Test
    void cancelledTasksNeverRun() {
        VirtualTime vt = VirtualTime.startingAt(T0);
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> f = vt.scheduler().schedule(runs::incrementAndGet, 1, TimeUnit.SECONDS);
        vt.scheduler().schedule(runs::incrementAndGet, 2, TimeUnit.SECONDS);
        f.cancel(true);
        assertThat(vt.pendingTasks()).isEqualTo(1);
        vt.advance(Duration.ofSeconds(3));
        assertThat(runs).hasValue(1);
        assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
    }

    @Test
    void shutdownRejectsNewTasksAndDropsPeriodicOnes() throws Exception {
        VirtualTime vt = VirtualTime.startingAt(T0);
        AtomicInteger oneShot = new AtomicInteger();
        AtomicInteger periodic = new AtomicInteger();
        vt.scheduler().schedule(oneShot::incrementAndGet, 1, TimeUnit.SECONDS);
        vt.scheduler().scheduleAtFixedRate(periodic::incrementAndGet, 1, 1, TimeUnit.SECONDS);
        vt.scheduler().shutdown();
        assertThat(vt.scheduler().isShutdown()).isTrue();
        assertThat(vt.scheduler().isTerminated()).isFalse();
        assertThatThrownBy(() -> vt.scheduler().execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
        vt.advance(Duration.ofSeconds(5));
        assertThat(oneShot).hasValue(1);
        assertThat(periodic).hasValue(0);
        assertThat(vt.scheduler().isTerminated()).isTrue();
        assertThat(vt.scheduler().awaitTermination(1, TimeUnit.MILLISECONDS)).isTrue();

        VirtualTime vt2 = VirtualTime.startingAt(T0);
        vt2.scheduler().schedule(() -> {}, 1, TimeUnit.SECONDS);
        assertThat(vt2.scheduler().shutdownNow()).hasSize(1);
        assertThat(vt2.pendingTasks()).isZero();
    }

    @Test
    void otherThreadsMayScheduleWhileTheTestThreadAdvances() throws Exception {
        VirtualTime vt = VirtualTime.startingAt(T0);
        int threads = 4;
        int perThread = 500;
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int seed = t;
            Thread th = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    vt.scheduler().schedule(runs::incrementAndGet, (seed * 7L + i) % 50, TimeUnit.MILLISECONDS);
                }
                done.countDown();
            });
            th.start();
        }
        while (done.getCount() > 0) {
            vt.advance(Duration.ofMillis(1));
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        vt.advance(Duration.ofMillis(100));
        assertThat(runs).hasValue(threads * perThread);
        assertThat(vt.pendingTasks()).isZero();
    }

    @Test
    void getBlocksUntilAnotherThreadAdvances() throws Exception {
        VirtualTime vt = VirtualTime.startingAt(T0);
        ScheduledFuture<String> f = vt.scheduler().schedule(() -> "x", 1, TimeUnit.MINUTES);
        Thread advancer = new Thread(() -> vt.advance(Duration.ofMinutes(1)));
        advancer.start();
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("x");
        advancer.join();
    }
}
