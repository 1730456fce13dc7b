package dev.profileservice.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one store-URI parser: hosts, credentials, path, parameters, fragment, and the messages of bad input. */
class StoreUriTest {

    @Test
    void parsesEveryPart() {
        StoreUri u = StoreUri.parse(
                "postgresql://app:s%3Acret%40x@db.example:6543/game?poolSize=4&sslmode=require#frag", 5432);
        assertThat(u.scheme()).isEqualTo("postgresql");
        assertThat(u.hosts()).containsExactly(new StoreUri.Address("db.example", 6543));
        assertThat(u.user()).isEqualTo("app");
        assertThat(u.password()).isEqualTo("s:cret@x");
        assertThat(u.path()).isEqualTo("game");
        assertThat(u.params())
                .containsExactly(java.util.Map.entry("poolSize", "4"), java.util.Map.entry("sslmode", "require"));
        assertThat(u.fragment()).isEqualTo("frag");
        assertThat(u.masked()).doesNotContain("s%3Acret").contains("****");
        assertThat(u.toString()).isEqualTo(u.masked());
    }

    @Test
    void defaultPortSeveralHostsAndIpv6() {
        StoreUri u = StoreUri.parse("redis-sentinel://10.0.0.5,10.0.0.6:26380,[::1]:26381/0?wait=1#mymaster", 26379);
        assertThat(u.hosts())
                .containsExactly(
                        new StoreUri.Address("10.0.0.5", 26379),
                        new StoreUri.Address("10.0.0.6", 26380),
                        new StoreUri.Address("::1", 26381));
        assertThat(u.path()).isEqualTo("0");
        assertThat(u.fragment()).isEqualTo("mymaster");
        assertThat(u.hosts().get(2)).hasToString("[::1]:26381");
    }

    @Test
    void credentialsInTheQueryAndRedisBarePassword() {
        StoreUri q = StoreUri.parse("mariadb://db/test?user=root&password=pw&x=1", 3306);
        assertThat(q.user()).isEqualTo("root");
        assertThat(q.password()).isEqualTo("pw");
        assertThat(q.params()).containsOnlyKeys("x");
        assertThat(q.masked()).doesNotContain("=pw");
        StoreUri bare = StoreUri.parse("redis://hunter2@cache:6380", 6379);
        assertThat(bare.secret()).isEqualTo("hunter2");
        assertThat(bare.masked()).doesNotContain("hunter2");
    }

    @Test
    void takeConsumesParametersAndNamesBadValues() {
        StoreUri u = StoreUri.parse("redis://h?Prefix=ps2&timeout=x&cluster=maybe&keep=1", 6379);
        assertThat(u.take("prefix", "ps")).isEqualTo("ps2");
        assertThat(u.take("prefix", "ps")).as("taken once").isEqualTo("ps");
        assertThatThrownBy(() -> u.takeInt("timeout", 5))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("timeout")
                .hasMessageContaining("'x'");
        assertThatThrownBy(() -> u.takeBoolean("cluster", false))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("cluster")
                .hasMessageContaining("true or false");
        assertThat(u.params()).containsOnlyKeys("keep");
    }

    @Test
    void malformedUrisFailNamingTheUriMasked() {
        for (String bad : List.of(
                "postgresql:/nohost",
                "postgresql://user:secretpw@:5432/db",
                "redis://host:99999",
                "redis://[::1:6379",
                "redis://host:abc",
                "redis://a,,b")) {
            assertThatThrownBy(() -> StoreUri.parse(bad, 1))
                    .as(bad)
                    .isInstanceOf(BackendException.class)
                    .hasMessageContaining("malformed store URI")
                    .hasMessageNotContaining("secretpw")
                    .satisfies(e ->
                            assertThat(((BackendException) e).isTransient()).isFalse());
        }
    }

    @Test
    void withHostsPointsTheUriElsewhereKeepingTheRest() {
        StoreUri u = StoreUri.parse("postgresql://app:p%40ss@db:5432/game?poolSize=4#f", 5432);
        String moved = u.withHosts(List.of(new StoreUri.Address("127.0.0.1", 40001)));
        StoreUri again = StoreUri.parse(moved, 5432);
        assertThat(again.hosts()).containsExactly(new StoreUri.Address("127.0.0.1", 40001));
        assertThat(again.user()).isEqualTo("app");
        assertThat(again.password()).isEqualTo("p@ss");
        assertThat(again.path()).isEqualTo("game");
        assertThat(again.params()).containsEntry("poolSize", "4");
        assertThat(again.fragment()).isEqualTo("f");
    }
}
