package dev.profileservice.cli.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.VersionCause;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The admin action "restore": rolls a profile back to a kept version, in two steps so that a face
 * can show what will change before it writes: {@link #plan} reads (the version, and its diff from
 * the latest data), {@link #apply} writes it as the newest version with
 * {@link dev.profileservice.spi.VersionHistory#overwrite}, cause {@code admin}, which bumps the
 * epoch and clears the owner, so a live session ends. Used by {@code profiles restore} and the web
 * console. Stateless; callable from any thread.
 */
public final class Restorer {
    private Restorer() {}

    /**
     * A restore about to happen.
     *
     * @param record       the record read when planning
     * @param kept         the version to restore
     * @param payload      what will be written (the version's, its locked updates emptied with
     *                     {@code clearUpdates})
     * @param userIds      the user ids of {@code payload}
     * @param diff         what changes from the latest data, or null when the profile has none yet
     * @param clearUpdates whether pending global updates are cleared too
     */
    public record Plan(
            StoredProfile record,
            StoredVersion kept,
            ObjectNode payload,
            List<Long> userIds,
            PayloadDiff diff,
            boolean clearUpdates) {

        /** The revision restored. */
        public long revision() {
            return kept.revision();
        }

        /** The session the restore ends, as "place P, job J", or null when nobody holds the profile. */
        public String holder() {
            return record.owner() == null
                    ? null
                    : "place " + record.owner().placeId() + ", job "
                            + record.owner().jobId();
        }
    }

    /**
     * Reads what restoring version {@code revision} of {@code key} (whose record is {@code record})
     * would write and change. Writes nothing.
     *
     * @throws BadInputException if the version is not kept
     */
    public static Plan plan(
            AdminSession session, String key, StoredProfile record, long revision, boolean clearUpdates) {
        StoredVersion kept = Versions.require(session, key, revision);
        String what = "version " + revision + " of " + key;
        ObjectNode payload = Versions.tree(kept.payload(), what);
        List<Long> userIds = Versions.userIds(payload, what);
        if (clearUpdates) {
            payload.set("locked", Json.MAPPER.createArrayNode());
        }
        PayloadDiff diff = record.payload() == null
                ? null
                : PayloadDiff.between(Versions.tree(record.payload(), "the latest data of " + key), payload);
        return new Plan(record, kept, payload, userIds, diff, clearUpdates);
    }

    /**
     * Writes {@code plan}'s version as the newest version of {@code key}.
     *
     * @return the record after the write
     * @throws BadInputException if the profile was wiped meanwhile (nothing written)
     */
    public static StoredProfile apply(AdminSession session, String key, Plan plan) {
        // the version's own bytes unless clearUpdates emptied its locked updates
        byte[] bytes = plan.clearUpdates()
                ? Json.write(plan.payload()).getBytes(StandardCharsets.UTF_8)
                : plan.kept().payload();
        StoredProfile after = session.history()
                .overwrite(session.storeName(), key, bytes, plan.clearUpdates(), VersionCause.ADMIN, plan.userIds());
        if (after.payload() == null) {
            throw new BadInputException(
                    "profile '" + key + "' no longer exists (wiped meanwhile); nothing was written");
        }
        return after;
    }
}
