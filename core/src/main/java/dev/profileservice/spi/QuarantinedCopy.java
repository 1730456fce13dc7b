package dev.profileservice.spi;

/**
 * A copy of a record (or of a global update) that could not be decoded and was set aside by
 * {@link Backend#quarantine}, as {@link BackendAdmin#quarantined} lists it.
 *
 * @param payload  the bytes as they were stored (not copied: do not modify)
 * @param reason   why it was set aside, as the engine said it
 * @param atMillis when, in epoch milliseconds, by the clock of the server that set it aside
 */
public record QuarantinedCopy(byte[] payload, String reason, long atMillis) {}
