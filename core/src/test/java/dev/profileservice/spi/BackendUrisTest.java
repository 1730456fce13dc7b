package dev.profileservice.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackendUrisTest {

    @Test
    void masksEveryPasswordForm() {
        assertThat(BackendUris.mask("postgresql://app:s3cret@db:5432/game"))
                .isEqualTo("postgresql://app:****@db:5432/game");
        assertThat(BackendUris.mask("redis://:s3cret@cache:6379")).isEqualTo("redis://:****@cache:6379");
        assertThat(BackendUris.mask("redis://s3cret@cache:6379/2")).isEqualTo("redis://****@cache:6379/2");
        assertThat(BackendUris.mask("rediss://s3cret@cache")).isEqualTo("rediss://****@cache");
        assertThat(BackendUris.mask("mariadb://db/game?user=app&password=s3cret&x=1"))
                .isEqualTo("mariadb://db/game?user=app&password=****&x=1");
        assertThat(BackendUris.mask("postgresql://app@db/game")).isEqualTo("postgresql://app@db/game");
        assertThat(BackendUris.mask("sqlite:profiles.db")).isEqualTo("sqlite:profiles.db");
        assertThat(BackendUris.mask(null)).isEqualTo("null");
    }

    @Test
    void schemeIsLowerCaseOrEmpty() {
        assertThat(BackendUris.scheme("SQLite:x.db")).isEqualTo("sqlite");
        assertThat(BackendUris.scheme("redis://h")).isEqualTo("redis");
        assertThat(BackendUris.scheme("no-scheme")).isEmpty();
        assertThat(BackendUris.scheme(":x")).isEmpty();
    }

    @Test
    void unknownSchemeNamesTheUriMaskedAndTheKnownSchemes() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Backends.open("nosuch://u:pw@h/db"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nosuch://u:****@h/db")
                .hasMessageContaining("memory")
                .hasMessageNotContaining("pw@");
    }
}
