package dev.profileservice.cli.internal.sim;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of one simulation run (see {@code profiles simulate --help} for each).
 *
 * @param storeUri         the store URI; null for a SQLite file in {@code runDir}
 * @param profileStore     the profile store name; null for a fresh one per run
 * @param runDir           where logs (and the default SQLite file) go; null for a new temp folder
 */
public record SimConfig(String storeUri, String profileStore, Path runDir, int servers, int players,
                        Duration duration, Duration lease, Duration autoSave, Duration forceLoadTimeout,
                        Duration pollInterval, Duration editInterval, double giftsPerSecond,
                        boolean kill, boolean freeze, boolean cut, Duration faultEvery, Duration freezeFor,
                        Duration cutFor, Duration restartAfter, Duration lossSlack, long seed, String childJvmOptions) {
}
