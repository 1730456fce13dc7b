package dev.profileservice.internal;

import dev.profileservice.ProfileServiceSettings;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * ProfileService's critical state: on after {@code count} issues within {@code window}, off once no
 * issue happened for {@code cooldown}. Times come from the injected clock; the "off" check is a
 * timer on the injected scheduler.
 */
final class CriticalState {
    private final ProfileServiceSettings config;
    private final ScheduledExecutorService scheduler;
    private final Consumer<Boolean> onChange;
    private final ArrayDeque<Long> recent = new ArrayDeque<>();
    private boolean critical;
    private long lastIssue;
    private ScheduledFuture<?> offTimer;
    private boolean stopped;

    CriticalState(ProfileServiceSettings config, ScheduledExecutorService scheduler, Consumer<Boolean> onChange) {
        this.config = config;
        this.scheduler = scheduler;
        this.onChange = onChange;
    }

    synchronized void record() {
        long now = config.clock().millis();
        lastIssue = now;
        recent.addLast(now);
        long windowStart = now - config.criticalWindow().toMillis();
        while (!recent.isEmpty() && recent.peekFirst() < windowStart) {
            recent.pollFirst();
        }
        if (!critical && recent.size() >= config.criticalIssueCount()) {
            critical = true;
            onChange.accept(true);
        }
        if (critical) {
            armOffTimer(config.criticalCooldown().toMillis());
        }
    }

    private void armOffTimer(long delayMs) {
        if (stopped) {
            return;
        }
        if (offTimer != null) {
            offTimer.cancel(false);
        }
        offTimer = scheduler.schedule(this::checkOff, delayMs, TimeUnit.MILLISECONDS);
    }

    private synchronized void checkOff() {
        if (!critical) {
            return;
        }
        long quietFor = config.clock().millis() - lastIssue;
        long cooldown = config.criticalCooldown().toMillis();
        if (quietFor >= cooldown) {
            critical = false;
            recent.clear();
            onChange.accept(false);
        } else {
            armOffTimer(cooldown - quietFor);
        }
    }

    /** Whether the state is critical now (for gauges). */
    synchronized boolean isCritical() {
        return critical;
    }

    synchronized void stop() {
        stopped = true;
        if (offTimer != null) {
            offTimer.cancel(false);
        }
    }
}
