package dev.profileservice.cli.internal.sim;

/**
 * Why a join was sent ({@link JoinKind}) and when the fault behind it struck (millis; 0 when no
 * fault did), which the report measures steal times from. Immutable.
 */
record JoinReason(JoinKind kind, long faultAt) {
    /** A player coming online, after no fault. */
    static final JoinReason FRESH = new JoinReason(JoinKind.FRESH, 0);

    /** A join of {@code kind} that no fault caused. */
    static JoinReason noFault(JoinKind kind) {
        return new JoinReason(kind, 0);
    }
}
