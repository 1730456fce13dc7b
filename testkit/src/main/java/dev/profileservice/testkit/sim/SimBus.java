package dev.profileservice.testkit.sim;

import dev.profileservice.spi.MessageBus;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The simulated servers' message channel: every message becomes a timer of the receiving process,
 * so it may be lost, duplicated, delayed and overtaken as {@link SimFaults} say, and a crashed
 * receiver never gets it.
 */
final class SimBus {
    private final SimWorld world;
    private final SimFaults faults;
    private final Map<String, Subscriber> subscribers = new HashMap<>();

    SimBus(SimWorld world, SimFaults faults) {
        this.world = world;
        this.faults = faults;
    }

    private record Subscriber(SimProcess process, Consumer<String> handler) {}

    /** The bus as {@code process}'s backend hands it to its engine. */
    MessageBus endpoint(SimProcess process) {
        return new MessageBus() {
            @Override
            public void subscribe(String serverId, Consumer<String> handler) {
                subscribers.put(serverId, new Subscriber(process, handler));
            }

            @Override
            public void publish(String targetServerId, String message) {
                send(process, targetServerId, message);
            }

            @Override
            public void close() {
                subscribers.values().removeIf(s -> s.process == process);
            }
        };
    }

    private void send(SimProcess from, String target, String message) {
        Subscriber to = subscribers.get(target);
        if (to == null) {
            return;
        }
        if (world.random.nextDouble() < faults.messageLoss) {
            world.trace().add(world.now(), from.name(), "message to " + to.process.name() + " lost");
            return;
        }
        int copies = world.random.nextDouble() < faults.messageDuplicate ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = faults.messageDelayMillis == 0 ? 0 : world.random.nextLong(faults.messageDelayMillis + 1);
            world.schedule(to.process, delay, () -> to.handler.accept(message));
        }
    }
}
