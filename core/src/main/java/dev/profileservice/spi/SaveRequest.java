package dev.profileservice.spi;

import java.util.List;
import java.util.Objects;

/**
 * A fenced write by the owning session: applied only if the record's epoch still equals
 * {@code epoch} and its owner's {@code serverId} equals {@code serverId}.
 *
 * @param serverId the writer's server id
 * @param epoch    the epoch the writer acquired the record under
 * @param payload  the new payload; never null
 * @param release  when true, the same atomic write also clears the owner (the epoch stays as it
 *                 is; the next acquire increments it)
 * @param consume  the Active updates this write takes out of the inbox (the engine moved them into
 *                 the payload as Locked, or set them aside), each as {@code (id, version)} it read:
 *                 the write is applied only if every one is still pending at that version, else
 *                 nothing is written ({@link SaveResult.Status#UPDATES_CHANGED}); consuming never
 *                 conflicts with updates added meanwhile
 * @param keepAs   when not null, the store also keeps this payload as a version with this cause
 *                 ({@link VersionHistory}), in the same atomic write; null: the save only advances
 *                 the revision. A store without {@link Backend#history()} ignores it
 * @param userIds  when not null, the profile's user ids after this write, which the store's index of
 *                 user ids ({@link BackendAdmin#keysOfUser}) takes in the same atomic write; null:
 *                 they did not change (the engine sends them only when they do)
 */
public record SaveRequest(
        String serverId,
        long epoch,
        byte[] payload,
        boolean release,
        List<Consume> consume,
        VersionCause keepAs,
        List<Long> userIds) {
    public SaveRequest {
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(payload, "payload");
        userIds = userIds == null ? null : List.copyOf(userIds);
        consume = List.copyOf(consume);
        if (consume.stream().map(Consume::id).distinct().count() != consume.size()) {
            throw new IllegalArgumentException("a save names an update to consume twice: " + consume);
        }
    }

    /** A save that keeps no version. */
    public SaveRequest(String serverId, long epoch, byte[] payload, boolean release, List<Consume> consume) {
        this(serverId, epoch, payload, release, consume, null, null);
    }

    /** A save that leaves the user ids as they are. */
    public SaveRequest(
            String serverId, long epoch, byte[] payload, boolean release, List<Consume> consume, VersionCause keepAs) {
        this(serverId, epoch, payload, release, consume, keepAs, null);
    }

    /** The user ids as the index stores them: a JSON array ({@code [1001,2002]}), or null when unchanged. */
    public String userIdsJson() {
        return userIds == null ? null : userIds.toString().replace(" ", "");
    }

    /** One update a save takes out of the inbox, at the version the owner read. */
    public record Consume(long id, long version) {}

    /** A plain save (or release) that consumes no update. */
    public static SaveRequest of(String serverId, long epoch, byte[] payload, boolean release) {
        return new SaveRequest(serverId, epoch, payload, release, List.of());
    }
}
