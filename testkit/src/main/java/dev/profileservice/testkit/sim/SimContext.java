package dev.profileservice.testkit.sim;

import java.util.Set;

/**
 * What every part of one seed's run shares: the world (time, queued work, the seeded random
 * source, the trace), the faults in force, the message channel, the oracle and the planted bugs.
 */
record SimContext(SimWorld world, SimFaults faults, SimBus bus, SimOracle oracle, Set<PlantedBug> bugs) {}
