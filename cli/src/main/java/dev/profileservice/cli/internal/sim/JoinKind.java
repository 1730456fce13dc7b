package dev.profileservice.cli.internal.sim;

/** Why a player's join was sent; decides which figure of the report its latency counts towards. */
enum JoinKind {
    /** A player coming online. */
    FRESH,
    /** Leave, then join another server (the profile was released first). */
    HOP,
    /** Join another server while the current one still holds the profile: FORCE_LOAD asks the live owner. */
    HANDOVER,
    /** A join after the player's server was killed or died: a steal once the lease expires. */
    AFTER_KILL,
    /** A join after the player's server was frozen: a steal of a profile whose owner does not answer. */
    AFTER_FREEZE,
    /** A hand-over that a fault (a connection or message cut, a slow store) overtook: no longer between healthy servers. */
    DURING_FAULT,
    /** A join of the drain at the end, which brings every player online to deliver pending gifts. */
    DRAIN
}
