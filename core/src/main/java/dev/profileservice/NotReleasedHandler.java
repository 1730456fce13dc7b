package dev.profileservice;

/**
 * Decides what a load does when the profile is session-locked by another server: ProfileService's
 * {@code not_released_handler}. Called on the thread running the load (the I/O executor for
 * {@code loadProfileAsync}); it may be called several times for one load while it returns
 * {@link NotReleasedAction#REPEAT}. It must not block.
 */
@FunctionalInterface
public interface NotReleasedHandler {

    /** Always {@link NotReleasedAction#FORCE_LOAD}: ProfileService's {@code "ForceLoad"}. */
    NotReleasedHandler FORCE_LOAD = (placeId, jobId) -> NotReleasedAction.FORCE_LOAD;

    /** Always {@link NotReleasedAction#STEAL}: ProfileService's {@code "Steal"}. */
    NotReleasedHandler STEAL = (placeId, jobId) -> NotReleasedAction.STEAL;

    /**
     * @param placeId the owner's place id
     * @param jobId   the owner's job id
     * @return never null
     */
    NotReleasedAction onNotReleased(String placeId, String jobId);
}
