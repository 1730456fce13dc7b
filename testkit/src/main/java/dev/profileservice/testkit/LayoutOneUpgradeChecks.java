package dev.profileservice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * What a store upgraded in place from layout 1 (each profile's global updates as one JSON inbox)
 * must hold, for the upgrade tests of the stores that had a layout 1 (JDBC and Redis). Each test
 * writes the same layout-1 fixture by hand, in its store's own terms, in profile store {@code S}:
 *
 * <ul>
 *   <li>{@code gifted}: an inbox with the Active updates 2 ({@code {"coins":5}}) and 3
 *       ({@code {"gem":"x"}}), next id 4, and a Locked update 1 in its payload;
 *   <li>{@code locked-above-next}: a Locked update 7 in its payload, an empty inbox with next id 5;
 *   <li>{@code broken}: payload {@code p} and an inbox that is not JSON.
 * </ul>
 */
public final class LayoutOneUpgradeChecks {
    private LayoutOneUpgradeChecks() {}

    /**
     * The fixture after the upgrade: the inboxes' updates moved with their ids, ids continuing after
     * them (this sends two updates to {@code gifted}), and the unreadable inbox quarantined.
     *
     * @param giftedPayload the payload the fixture gave {@code gifted}
     */
    public static void assertInboxesMoved(Backend upgraded, byte[] giftedPayload) {
        StoredProfile g = upgraded.read("S", "gifted");
        assertThat(g.payload()).isEqualTo(giftedPayload);
        assertThat(g.updates())
                .extracting(
                        PendingUpdate::id, PendingUpdate::version, u -> new String(u.data(), StandardCharsets.UTF_8))
                .containsExactly(tuple(2L, 1L, "{\"coins\":5}"), tuple(3L, 1L, "{\"gem\":\"x\"}"));
        assertThat(g.updateSeq()).as("the inbox's next id less one").isEqualTo(3);
        assertThat(upgraded.sendUpdates(
                                "S",
                                "gifted",
                                List.of(
                                        new UpdateOp.Add("legacy-2", bytes("{}")),
                                        new UpdateOp.Add("after-upgrade", bytes("{}"))),
                                100)
                        .addedIds())
                .as("a moved update keeps its id under the token legacy-<id>; new ones continue after")
                .containsExactly(2L, 4L);
        assertThat(upgraded.read("S", "locked-above-next").updateSeq())
                .as("ids used by Locked updates are never given again")
                .isEqualTo(7);
        StoredProfile broken = upgraded.read("S", "broken");
        assertThat(broken.updates()).isEmpty();
        assertThat(broken.payload()).isEqualTo(bytes("p"));
        assertThat(BackendAdmin.of(upgraded).quarantineCount("S", "broken"))
                .as("the unreadable inbox is kept aside")
                .isEqualTo(1);
    }

    /** The store opened once more after {@link #assertInboxesMoved}: nothing upgraded again. */
    public static void assertSecondStartChangesNothing(Backend again) {
        assertThat(BackendAdmin.of(again).quarantineCount("S", "broken"))
                .as("a second start changes nothing")
                .isEqualTo(1);
        assertThat(again.read("S", "gifted").updates()).hasSize(3);
    }

    /** Opening a store recorded at a layout newer than this release's fails for good, naming both layouts. */
    public static void assertNewerLayoutRefused(ThrowingCallable open, int recorded, int latest) {
        assertThatThrownBy(open)
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("layout " + recorded)
                .hasMessageContaining("(" + latest + ")")
                .satisfies(e -> assertThat(((BackendException) e).isTransient())
                        .as("retrying cannot help")
                        .isFalse());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
