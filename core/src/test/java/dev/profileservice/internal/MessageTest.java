package dev.profileservice.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessageTest {
    @Test
    void anAskToReleaseCarriesTheSessionItMeansAndAKeyWithBars() {
        Message m = new Message(Message.Kind.RELEASE_SESSION, "srv-1", "PlayerData", "a|b|c", 42);
        assertThat(m.encode()).isEqualTo("P|srv-1|PlayerData|42|a|b|c");
        assertThat(Message.decode(m.encode())).contains(m);
    }

    @Test
    void theOlderKindsKeepTheirWireForm() {
        Message m = new Message(Message.Kind.PLEASE_RELEASE, "srv-1", "PlayerData", "k|1");
        assertThat(m.encode()).isEqualTo("R|srv-1|PlayerData|k|1");
        assertThat(Message.decode("R|srv-1|PlayerData|k|1")).contains(m);
        assertThat(Message.decode("W|srv-1|PlayerData|k").orElseThrow().epoch()).isEqualTo(Message.NO_EPOCH);
    }

    @Test
    void garbageAndUnknownKindsAreNotMessages() {
        assertThat(Message.decode("P|srv-1|PlayerData|notanumber|k")).isEmpty();
        assertThat(Message.decode("P|srv-1|PlayerData|7")).isEmpty();
        assertThat(Message.decode("Z|srv-1|PlayerData|k")).isEmpty();
        assertThat(Message.decode("R|srv-1")).isEmpty();
    }
}
