package dev.profileservice.spi;

import java.util.Objects;

/**
 * The session that holds a profile: which server process ({@code serverId}, unique per
 * {@code ProfileService} instance and the identity its heartbeat is kept under) and the
 * user-facing {@code placeId}/{@code jobId} of that process.
 *
 * @param serverId unique id of the owning {@code ProfileService} instance; never null
 * @param placeId  the owner's place id, as given to its builder; never null
 * @param jobId    the owner's job id, as given to its builder; never null
 */
public record Owner(String serverId, String placeId, String jobId) {
    public Owner {
        Objects.requireNonNull(serverId, "serverId");
        Objects.requireNonNull(placeId, "placeId");
        Objects.requireNonNull(jobId, "jobId");
    }
}
