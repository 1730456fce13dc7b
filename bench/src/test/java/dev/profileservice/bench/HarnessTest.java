package dev.profileservice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pieces the macro benchmark's figures rest on: percentiles, URIs, data sizes, counting. */
class HarnessTest {

    /** The payload a first load stores (the SPI needs one; these tests do not decode it). */
    private static final byte[] INITIAL = "{\"initial\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @Test
    void percentilesAreNearestRank() {
        Samples s = new Samples();
        for (int i = 100; i >= 1; i--) {
            s.add(i);
        }
        assertThat(s.size()).isEqualTo(100);
        assertThat(s.percentile(50)).isEqualTo(50);
        assertThat(s.percentile(99)).isEqualTo(99);
        assertThat(s.percentile(100)).isEqualTo(100);
        assertThat(s.mean()).isEqualTo(50.5);
        assertThat(Samples.ms(1_234_567)).isEqualTo("1.235 ms");
    }

    @Test
    void storeUrisBecomeJdbcUrls() {
        assertThat(MacroBench.jdbcUrl("postgresql://postgres@127.0.0.1:5432/test"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
        assertThat(MacroBench.jdbcUrl("mariadb://root:s3cret@db:3306/test?sslMode=disable"))
                .isEqualTo("jdbc:mariadb://db:3306/test?user=root&password=s3cret&sslMode=disable");
        assertThat(MacroBench.jdbcUrl("jdbc:postgresql://h/d")).isEqualTo("jdbc:postgresql://h/d");
        assertThat(MacroBench.libraryUri("jdbc:postgresql://h/d")).isEqualTo("postgresql://h/d");
    }

    @Test
    void profileDataHasTheAskedSize() {
        for (int bytes : new int[] {2_048, 102_400}) {
            Map<String, Object> data = Payloads.profile(bytes);
            assertThat(Payloads.jsonSize(data)).isBetween(bytes, bytes + 100);
            assertThat(Payloads.deepCopy(data)).isEqualTo(data).isNotSameAs(data);
        }
    }

    @Test
    void countingBackendCountsWritesRoundTripsAndCanPlayDead() {
        CountingBackend b = new CountingBackend(Backends.open("memory:"));
        Owner me = new Owner("s1", "p", "j");
        assertThat(b.acquire("S", "k", me, -1, INITIAL).acquired()).isTrue();
        b.save("S", "k", SaveRequest.of("s1", 1, new byte[] {1, 2, 3}, false));
        b.read("S", "k");
        assertThat(b.writes()).isEqualTo(2);
        assertThat(b.calls("read")).isEqualTo(1);
        assertThat(b.roundTrips()).isEqualTo(3);
        assertThat(b.savedOk()).isEqualTo(1);
        assertThat(b.lastPayload()).containsExactly(1, 2, 3);
        assertThat(b.takeMaxSavesInFlight()).isEqualTo(1);
        assertThat(b.maxConcurrentCalls()).isEqualTo(Backends.open("memory:").maxConcurrentCalls());

        b.kill();
        assertThatThrownBy(() -> b.read("S", "k"))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("playing dead");
        assertThat(b.roundTrips()).isEqualTo(3);
    }
}
