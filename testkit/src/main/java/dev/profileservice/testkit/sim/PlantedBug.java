package dev.profileservice.testkit.sim;

/**
 * Known bugs the simulation can plant in the store it drives, to show that its checks find them
 * within a seed budget: a simulator that cannot fail proves nothing. Never for production use.
 */
public enum PlantedBug {
    /** The store accepts every save, whatever session it comes from (last writer wins). */
    UNFENCED_SAVES,
    /**
     * A gift the owner locks leaves the inbox in a call of its own before the owner's fenced save,
     * so a save that is then refused (the session was lost) loses the gift.
     */
    GIFT_LOCKED_OUTSIDE_SAVE,
    /**
     * Leases are judged as if each server wrote its expiry by its own clock and another compared it
     * with its own: a server whose clock runs ahead takes live servers' profiles.
     */
    LEASE_BY_LOCAL_CLOCK
}
