package dev.profileservice.internal;

import dev.profileservice.spi.Backend;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/** The builder's settings, frozen. Not API. */
public record EngineConfig(String backendUri, Backend backend, String placeId, String jobId,
                           Duration autoSavePeriod, Duration lease, Duration forceLoadTimeout,
                           Duration pollInterval, int criticalIssueCount, Duration criticalWindow,
                           Duration criticalCooldown, int maxDataBytes, Duration retryBackoffMax,
                           Clock clock, ScheduledExecutorService scheduler, Executor listenerExecutor) {
}
