package dev.profileservice.cli.internal.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.profileservice.spi.StoreUri;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Server-store URIs are pointed at each slot's proxy; embedded stores are left alone. */
class StoreLinksTest {

    private static String pointedAt(String uri, int port) {
        return StoreLinks.parse(uri).withHosts(List.of(new StoreUri.Address("127.0.0.1", port)));
    }

    @Test
    void serverStoreUrisArePointedAtTheProxy() {
        StoreUri pg = StoreLinks.parse("postgresql://app:s3cret@db.example:6543/game?poolSize=4");
        assertThat(pg.host().host()).isEqualTo("db.example");
        assertThat(pg.host().port()).isEqualTo(6543);
        assertThat(pointedAt("postgresql://app:s3cret@db.example:6543/game?poolSize=4", 4000))
                .isEqualTo("postgresql://app:s3cret@127.0.0.1:4000/game?poolSize=4");
        StoreUri redis = StoreLinks.parse("redis://127.0.0.1");
        assertThat(redis.host().port()).isEqualTo(6379);
        assertThat(pointedAt("redis://127.0.0.1", 5000)).isEqualTo("redis://127.0.0.1:5000");
        assertThat(StoreLinks.parse("mariadb://root@localhost/test").host().port())
                .isEqualTo(3306);
        assertThat(StoreLinks.isServerStore("sqlite:/tmp/x.db")).isFalse();
        assertThat(StoreLinks.isServerStore("postgresql://h/db")).isTrue();
    }

    @Test
    void aUriACutCannotHandleIsRefusedNamingTheWayOut() {
        assertThatThrownBy(() -> StoreLinks.parse("other://db/x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot tell the port")
                .hasMessageContaining("--no-cut");
        assertThatThrownBy(() -> StoreLinks.parse("redis-sentinel://a:26379,b:26379/0#m"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one host")
                .hasMessageContaining("--no-cut");
    }

    @Test
    void eachSlotOfAServerStoreGetsItsOwnProxy() {
        try (StoreLinks links = StoreLinks.open("redis://user:pw@127.0.0.1:6379/0", 2, true)) {
            assertThat(links.cuttable()).isTrue();
            StoreUri first = StoreUri.parse(links.uri(0), 6379);
            StoreUri second = StoreUri.parse(links.uri(1), 6379);
            assertThat(first.host().port())
                    .isNotEqualTo(6379)
                    .isNotEqualTo(second.host().port());
            assertThat(first.password()).isEqualTo("pw");
            assertThat(first.path()).isEqualTo("0");
        }
        try (StoreLinks links = StoreLinks.open("sqlite:/tmp/x.db", 2, true)) {
            assertThat(links.cuttable()).isFalse();
            assertThat(links.uri(1)).isEqualTo("sqlite:/tmp/x.db");
        }
    }
}
