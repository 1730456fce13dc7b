package dev.profileservice.spi;

import java.util.Objects;

/**
 * A fenced write by the owning session: applied only if the record's epoch still equals
 * {@code epoch} and its owner's {@code serverId} equals {@code serverId}.
 *
 * @param serverId             the writer's server id
 * @param epoch                the epoch the writer acquired the record under
 * @param payload              the new payload; never null
 * @param release              when true, the same atomic write also clears the owner (the epoch
 *                             stays as it is; the next acquire increments it)
 * @param expectedInboxVersion only meaningful when {@code newInbox != null}: the inbox version
 *                             the writer based {@code newInbox} on
 * @param newInbox             when non-null, the inbox is replaced by these bytes in the same atomic
 *                             write, but only if the record's inbox version still equals
 *                             {@code expectedInboxVersion} (the version then increments by one);
 *                             used to move global updates from the inbox into the payload
 */
public record SaveRequest(String serverId, long epoch, byte[] payload, boolean release,
                          long expectedInboxVersion, byte[] newInbox) {
    public SaveRequest {
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(payload, "payload");
    }

    /** A plain save (or release) that leaves the inbox alone. */
    public static SaveRequest of(String serverId, long epoch, byte[] payload, boolean release) {
        return new SaveRequest(serverId, epoch, payload, release, 0, null);
    }
}
