package dev.profileservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.profileservice.spi.Backends;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder freezes its settings into an immutable value, refuses a second store and settings that contradict each other. */
class SettingsTest {

    @Test
    void defaultsAreTheNamedConstants() {
        try (ProfileService service = ProfileService.builder().build()) {
            ProfileServiceSettings s = service.settings();
            assertThat(s.backendUri()).contains(ProfileServiceSettings.DEFAULT_BACKEND_URI);
            assertThat(s.backend()).isEmpty();
            assertThat(s.placeId()).isEqualTo(ProfileServiceSettings.DEFAULT_PLACE_ID);
            assertThat(s.jobId()).isNotBlank().isEqualTo(service.getJobId());
            assertThat(s.autoSavePeriod()).isEqualTo(ProfileServiceSettings.DEFAULT_AUTO_SAVE_PERIOD);
            assertThat(s.lease()).isEqualTo(ProfileServiceSettings.DEFAULT_LEASE);
            assertThat(s.forceLoadTimeout()).isEqualTo(ProfileServiceSettings.DEFAULT_FORCE_LOAD_TIMEOUT);
            assertThat(s.pollInterval()).isEqualTo(ProfileServiceSettings.DEFAULT_POLL_INTERVAL);
            assertThat(s.criticalIssueCount()).isEqualTo(ProfileServiceSettings.DEFAULT_CRITICAL_ISSUE_COUNT);
            assertThat(s.maxDataBytes()).isEqualTo(ProfileServiceSettings.DEFAULT_MAX_DATA_BYTES);
            assertThat(s.retryBackoffMax()).isEqualTo(ProfileServiceSettings.DEFAULT_RETRY_BACKOFF_MAX);
            assertThat(s.scheduler()).isEmpty();
        }
    }

    @Test
    void laterChangesToTheBuilderDoNotReachABuiltService() {
        ProfileService.Builder b = ProfileService.builder().lease(Duration.ofSeconds(40));
        try (ProfileService service = b.build()) {
            b.lease(Duration.ofSeconds(50));
            assertThat(service.settings().lease()).isEqualTo(Duration.ofSeconds(40));
        }
    }

    @Test
    void aSecondStoreIsRefusedNamingBoth() {
        assertThatThrownBy(() -> ProfileService.builder().backend("memory:a").backend("sqlite:x.db"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("memory:a")
                .hasMessageContaining("sqlite:x.db");
        assertThatThrownBy(() -> ProfileService.builder()
                        .backend("postgresql://u:secretpw@h/db")
                        .backend(Backends.open("memory:")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already has a store")
                .hasMessageNotContaining("secretpw");
    }

    @Test
    void contradictorySettingsFailAtBuildSayingWhatToChange() {
        assertThatThrownBy(() -> ProfileService.builder()
                        .lease(Duration.ofSeconds(10))
                        .autoSavePeriod(Duration.ofSeconds(30))
                        .forceLoadTimeout(Duration.ofSeconds(5))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("autoSavePeriod (PT30S)")
                .hasMessageContaining("lease (PT10S)")
                .hasMessageContaining("set autoSavePeriod to at most the lease");
        assertThatThrownBy(() -> ProfileService.builder()
                        .forceLoadTimeout(Duration.ofSeconds(2))
                        .pollInterval(Duration.ofSeconds(5))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("set pollInterval to at most forceLoadTimeout");
    }

    @Test
    void toStringMasksThePassword() {
        ProfileService.Builder b = ProfileService.builder().backend("memory:masked");
        try (ProfileService service = b.build()) {
            assertThat(service.settings().toString()).contains("memory:masked").contains("lease=PT30S");
        }
    }
}
