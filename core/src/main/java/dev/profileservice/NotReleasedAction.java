package dev.profileservice;

/** What {@link ProfileStore#loadProfile(String, NotReleasedHandler)} does when another server holds the profile. */
public enum NotReleasedAction {
    /** Look again after a short wait (the service's poll interval, or sooner if the owner releases), then ask the handler again. */
    REPEAT,
    /** Give up: the load returns {@link java.util.Optional#empty()}. */
    CANCEL,
    /**
     * Ask the owner to release, take the profile as soon as it does, and take it anyway (steal)
     * after the force-load timeout if it does not answer. The handler is not asked again.
     */
    FORCE_LOAD,
    /**
     * Take the profile at once, without asking the owner or waiting for its lease, whether it is
     * alive or not: ProfileService's {@code "Steal"}. The owner's next write is refused by fencing,
     * so whatever it changed since its last save is lost, and its release listeners fire; it is told
     * at once where the store has a message channel. For an admin tool or a stuck session, not for
     * normal joins. The handler is not asked again.
     */
    STEAL
}
