package dev.profileservice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The raw baselines do what the library does, against the real servers (they fail, never skip,
 * when a server is unreachable): a save is fenced by epoch and owner in the store, and each
 * operation costs the round trips the report claims.
 */
class RawStoreTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql", "mariadb", "redis"})
    void fencesSavesAndCountsRoundTrips(String backend) {
        MacroBench.Target target = MacroBench.target(backend, tmp);
        byte[] first = "first".getBytes(StandardCharsets.UTF_8);
        byte[] second = "second".getBytes(StandardCharsets.UTF_8);
        try (RawStore raw = target.raw().apply(2)) {
            raw.prepare(List.of("k1", "k2"), first);

            long before = raw.roundTrips();
            RawStore.Session a = raw.acquire("k1", "A");
            long acquireTrips = raw.roundTrips() - before;
            assertThat(acquireTrips).isEqualTo(backend.equals("mariadb") ? 2 : 1);
            assertThat(a.payload()).isEqualTo(first);
            assertThat(a.epoch()).isEqualTo(1);
            assertThatThrownBy(() -> raw.acquire("k1", "B"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("k1");

            before = raw.roundTrips();
            assertThat(raw.save(a, second)).isTrue();
            assertThat(raw.roundTrips() - before).isEqualTo(1);
            assertThat(raw.release(a, second)).isTrue();

            RawStore.Session b = raw.acquire("k1", "B");
            assertThat(b.epoch()).isEqualTo(2);
            assertThat(b.payload()).isEqualTo(second);
            // A's session ended: its late writes are refused by the store.
            assertThat(raw.save(a, first)).isFalse();
            assertThat(raw.release(a, first)).isFalse();
            assertThat(raw.save(b, first)).isTrue();
        }
    }
}
