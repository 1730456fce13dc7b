package dev.profileservice.spi;

/**
 * Outcome of {@link Backend#acquire}.
 *
 * @param acquired whether the caller now owns the record
 * @param record   the record after the operation: with the caller as owner and the new epoch when
 *                 {@code acquired}, otherwise the record as it was (naming the current owner)
 */
public record AcquireResult(boolean acquired, StoredProfile record) {}
