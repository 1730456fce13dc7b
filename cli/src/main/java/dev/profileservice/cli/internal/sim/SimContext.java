package dev.profileservice.cli.internal.sim;

import java.util.Random;

/**
 * What the parts of one simulation run share ({@link ServerSupervisor}, {@link PlayerDriver},
 * {@link FaultInjector}, {@link GiftSender}, {@link ProgressPrinter}): the simulation lock, the
 * settings, the run's seeded random choices, the timed actions and the history the report checks.
 *
 * <p>Made once by the driving thread; {@code rnd}, {@code timers} and {@code history} are used only
 * under {@code lock}, whichever thread uses them.
 */
record SimContext(Object lock, SimConfig cfg, Random rnd, Timers timers, SimHistory history) {}
