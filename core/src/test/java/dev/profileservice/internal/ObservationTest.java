package dev.profileservice.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.profileservice.ProfileServiceObserver;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The engine's guard around an observer, and the backend kinds it reads from descriptions. */
class ObservationTest {

    @Test
    void backendKindFromHowEachBuiltInStoreDescribesItself() {
        assertThat(Observation.backendKind("memory:")).isEqualTo("memory");
        assertThat(Observation.backendKind("memory:conformance-1")).isEqualTo("memory");
        assertThat(Observation.backendKind("sqlite:/tmp/profiles.db")).isEqualTo("sqlite");
        assertThat(Observation.backendKind("postgresql://postgres:***@127.0.0.1:5432/test"))
                .isEqualTo("postgresql");
        assertThat(Observation.backendKind("postgresql DataSource HikariDataSource"))
                .isEqualTo("postgresql");
        assertThat(Observation.backendKind("mariadb://root@127.0.0.1:3306/test"))
                .isEqualTo("mariadb");
        assertThat(Observation.backendKind("mysql://root@h/db")).isEqualTo("mariadb");
        assertThat(Observation.backendKind("mariadb DataSource MariaDbPoolDataSource"))
                .isEqualTo("mariadb");
        assertThat(Observation.backendKind("redis://127.0.0.1:6379")).isEqualTo("redis");
        assertThat(Observation.backendKind("redis-sentinel://10.0.0.5:26379/0?wait=1#mymaster"))
                .isEqualTo("redis");
        assertThat(Observation.backendKind("my own store")).isEqualTo("other");
        assertThat(Observation.backendKind("")).isEqualTo("other");
        assertThat(Observation.backendKind(null)).isEqualTo("other");
    }

    @Test
    void offCallsNothingAndReadsNoTime() {
        assertThat(Observation.OFF.on).isFalse();
        assertThat(Observation.OFF.nanos()).isZero();
        assertThatCode(() -> Observation.OFF.giftsSent("s", 1)).doesNotThrowAnyException();
    }

    @Test
    void aThrowingObserverIsIgnoredAndDurationsFollowAnInjectedClock() {
        AtomicInteger calls = new AtomicInteger();
        long[] seen = new long[1];
        ProfileServiceObserver o = new ProfileServiceObserver() {
            @Override
            public void loadFinished(String store, LoadOutcome outcome, long nanos) {
                seen[0] = nanos;
                calls.incrementAndGet();
                throw new IllegalStateException("on purpose");
            }

            @Override
            public void issue() {
                calls.incrementAndGet();
                throw new AssertionError("on purpose");
            }
        };
        Clock at1000 = Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC);
        Observation obs = new Observation(o, at1000);
        assertThat(obs.nanos()).isEqualTo(1_000_000_000L);
        assertThatCode(() -> obs.loadFinished("s", ProfileServiceObserver.LoadOutcome.LOADED, 400_000_000L))
                .doesNotThrowAnyException();
        assertThatCode(obs::issue).doesNotThrowAnyException();
        assertThat(calls).hasValue(2);
        assertThat(seen[0]).as("600 ms of the injected clock").isEqualTo(600_000_000L);
    }
}
