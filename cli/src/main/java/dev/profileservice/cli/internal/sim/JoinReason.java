package dev.profileservice.cli.internal.sim;

/**
 * Why a join was sent ({@link JoinKind}), when the fault behind it struck (millis; 0 when no fault
 * did), which the report measures steal times from, and for a hand-over a fault overtook, which
 * fault that was (else null), which the report sorts hand-over times by. Immutable.
 */
record JoinReason(JoinKind kind, long faultAt, FaultKind during) {
    /** A player coming online, after no fault. */
    static final JoinReason FRESH = new JoinReason(JoinKind.FRESH, 0);

    JoinReason(JoinKind kind, long faultAt) {
        this(kind, faultAt, null);
    }

    /** A join of {@code kind} that no fault caused. */
    static JoinReason noFault(JoinKind kind) {
        return new JoinReason(kind, 0);
    }

    /** A hand-over that {@code fault} (on either server) overtook. */
    static JoinReason handOverDuring(FaultKind fault) {
        return new JoinReason(JoinKind.DURING_FAULT, 0, fault);
    }
}
