package dev.profileservice.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.Owner;
import dev.profileservice.testkit.FaultInjectingBackend;
import dev.profileservice.testkit.VirtualTime;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bulk tools' heartbeat, on a real SQLite store, renewed in virtual time. */
class ToolLeaseTest {
    @TempDir
    Path dir;

    @Test
    void heartbeatsEveryThirdOfTheLeaseUntilClosedThenRemovesItsRow() {
        VirtualTime vt = VirtualTime.create();
        Owner me = new Owner("profiles-cli-edit-1", "profiles-cli", "edit-1");
        try (Backend sqlite = Backends.open("sqlite:" + dir.resolve("p.db"))) {
            FaultInjectingBackend backend = new FaultInjectingBackend(sqlite);
            ToolLease lease = ToolLease.start(backend, me, vt.scheduler());
            assertThat(backend.calls("heartbeat"))
                    .as("at start, before any session")
                    .isEqualTo(1);
            assertThat(backend.server(me.serverId()).orElseThrow().expiresInMillis())
                    .isGreaterThan(ToolLease.LEASE.toMillis() - 5_000);

            backend.failNext("heartbeat", 1);
            vt.advance(ToolLease.LEASE.dividedBy(3));
            assertThat(backend.calls("heartbeat")).as("a failed renewal").isEqualTo(2);
            vt.advance(ToolLease.LEASE.dividedBy(3));
            assertThat(backend.calls("heartbeat"))
                    .as("retried at the next period")
                    .isEqualTo(3);

            lease.close();
            assertThat(backend.server(me.serverId())).as("row removed on close").isEmpty();
            vt.advance(Duration.ofMinutes(5));
            assertThat(backend.calls("heartbeat")).as("no renewal after close").isEqualTo(3);
        }
    }
}
