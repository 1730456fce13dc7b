package dev.profileservice.spi;

/**
 * One server's heartbeat row, as the store judged it when it was read.
 *
 * <p>The expiry is never a time written by one process and compared with another process's clock:
 * the store computes it from its own clock at the heartbeat ({@code now + lease}) and again at the
 * read ({@code expiry - now}), so servers whose clocks disagree still agree on whether a lease has
 * run out. See {@link LeaseClock}.
 *
 * @param serverId        the server's id
 * @param placeId         its place id
 * @param jobId           its job id
 * @param expiresInMillis milliseconds until the lease runs out, by the store's {@link LeaseClock}
 *                        at the moment of the read; zero or negative once it has run out
 *                        ({@code -5000}: ran out five seconds ago)
 */
public record ServerLease(String serverId, String placeId, String jobId, long expiresInMillis) {

    /** Whether the lease ran out at least {@code graceMillis} ago, as the store judged it at the read. */
    public boolean expiredFor(long graceMillis) {
        return expiresInMillis + graceMillis <= 0;
    }
}
