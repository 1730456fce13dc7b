package dev.profileservice.spi;

/**
 * One server's heartbeat row.
 *
 * @param serverId        the server's id
 * @param placeId         its place id
 * @param jobId           its job id
 * @param expiresAtMillis epoch millis (by the heartbeating server's clock) after which its sessions
 *                        may be taken by others
 */
public record ServerLease(String serverId, String placeId, String jobId, long expiresAtMillis) {
}
