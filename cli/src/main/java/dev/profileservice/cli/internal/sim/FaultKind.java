package dev.profileservice.cli.internal.sim;

/** The faults of a run: the kinds the simulation injects, and a server that died by itself. */
enum FaultKind {
    /** {@code kill -9} ({@code Process.destroyForcibly}); the slot is restarted after {@code --restart-after}. */
    KILL("kill", "kill -9"),
    /** {@code kill -STOP} for {@code --freeze-for}, then {@code kill -CONT}. */
    FREEZE("freeze", "SIGSTOP"),
    /** Every connection of one server to the store cut at its proxy for {@code --cut-for}. */
    CUT("cut", "connection cut"),
    /** One server's message channel cut alone for {@code --cut-for}, its store calls going through. */
    BUS_CUT("bus-cut", "message channel cut"),
    /** Every store call of one server slower than the lease for {@code --cut-for}. */
    SLOW("slow", "store slower than the lease"),
    /** The Redis primary of a {@code redis-sentinel://} store shut down at once (see {@link SentinelPrimary}). */
    PRIMARY_KILL("primary-kill", "Redis primary killed"),
    /** A server that exited without being asked to or killed; never injected, always a failed check. */
    UNEXPECTED_EXIT(null, "unexpected exit");

    private final String configName;
    private final String label;

    FaultKind(String configName, String label) {
        this.configName = configName;
        this.label = label;
    }

    /** The name in the report's configuration ({@code "faults": ["kill", "freeze", "cut"]}); null if never injected. */
    String configName() {
        return configName;
    }

    /** The name the report gives a fault of this kind. */
    String label() {
        return label;
    }

    /** Whether the server lost what it held in memory (a crash), rather than its profiles to a steal. */
    boolean crash() {
        return this == KILL || this == UNEXPECTED_EXIT;
    }
}
