package dev.profileservice.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.MessageBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Redis pub/sub as the message bus: addressed per server, isolated per key prefix, never blocking. */
class RedisMessageBusTest {
    private final String prefix = RedisTestSupport.uniquePrefix();
    private final List<Backend> opened = new ArrayList<>();

    private Backend open(String keyPrefix) {
        Backend b = Backends.open(RedisTestSupport.uri(keyPrefix));
        opened.add(b);
        return b;
    }

    @AfterEach
    void close() {
        opened.forEach(Backend::close);
        RedisTestSupport.deleteAll(prefix);
    }

    @Test
    void messagesReachOnlyTheAddressedServerInOrder() {
        MessageBus a = open(prefix).messageBus().orElseThrow();
        MessageBus b = open(prefix).messageBus().orElseThrow();
        MessageBus sender = open(prefix).messageBus().orElseThrow();
        List<String> toA = new CopyOnWriteArrayList<>();
        List<String> toB = new CopyOnWriteArrayList<>();
        a.subscribe("A-" + prefix, toA::add);
        b.subscribe("B-" + prefix, toB::add);
        // SUBSCRIBE is asynchronous: wait until a probe gets through, then send the real messages.
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    sender.publish("A-" + prefix, "probe");
                    sender.publish("B-" + prefix, "probe");
                    return toA.contains("probe") && toB.contains("probe");
                });
        for (int i = 0; i < 20; i++) {
            sender.publish("A-" + prefix, "a" + i);
        }
        sender.publish("B-" + prefix, "b|with|bars|and ünïcode");
        // Late probes from the loop above may still arrive: they are left out.
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        withoutProbes(toA).size() == 20 && withoutProbes(toB).size() == 1);
        assertThat(withoutProbes(toA))
                .containsExactly(
                        "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11", "a12", "a13", "a14",
                        "a15", "a16", "a17", "a18", "a19");
        assertThat(withoutProbes(toB)).containsExactly("b|with|bars|and ünïcode");
    }

    private static List<String> withoutProbes(List<String> messages) {
        return messages.stream().filter(m -> !m.equals("probe")).toList();
    }

    @Test
    void anotherKeyPrefixIsAnotherBusAndAFailingHandlerDoesNotStopDelivery() {
        String otherPrefix = RedisTestSupport.uniquePrefix();
        MessageBus mine = open(prefix).messageBus().orElseThrow();
        MessageBus other = open(otherPrefix).messageBus().orElseThrow();
        MessageBus sender = open(prefix).messageBus().orElseThrow();
        List<String> got = new CopyOnWriteArrayList<>();
        List<String> gotOther = new CopyOnWriteArrayList<>();
        mine.subscribe("srv", m -> {
            got.add(m);
            if (m.startsWith("boom")) {
                throw new IllegalStateException("handler failure (expected by the test)");
            }
        });
        other.subscribe("srv", gotOther::add);
        await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    sender.publish("srv", "boom");
                    return !got.isEmpty();
                });
        sender.publish("srv", "after boom");
        await().atMost(Duration.ofSeconds(5)).until(() -> got.contains("after boom"));
        assertThat(gotOther).isEmpty();
        RedisTestSupport.deleteAll(otherPrefix);
    }

    @Test
    void publishingToNobodyAndAfterCloseNeitherBlocksNorThrows() {
        Backend backend = open(prefix);
        MessageBus bus = backend.messageBus().orElseThrow();
        bus.publish("nobody-listens-" + prefix, "hello");
        bus.close();
        bus.publish("nobody-listens-" + prefix, "hello again");
        assertThat(backend.read("S", "k").isEmpty())
                .as("the backend still works after its bus closed")
                .isTrue();
    }
}
