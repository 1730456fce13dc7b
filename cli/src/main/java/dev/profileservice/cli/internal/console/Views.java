package dev.profileservice.cli.internal.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileservice.spi.QuarantinedCopy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * What the console's templates show: one immutable record per page, built by {@link Pages} from
 * what the admin layer read. Every string here may come from the store and is escaped by the
 * templates (jte, content type HTML), never concatenated into markup.
 */
public final class Views {
    private Views() {}

    /**
     * What every page's frame shows.
     *
     * @param title    the page title
     * @param storeUri the store's URI, password masked
     * @param readOnly whether writes are hidden
     * @param csrf     the session's CSRF token for forms (empty for bearer clients)
     * @param flash    a message from the last action, or null
     * @param store    the profile store the page is about, or null
     */
    public record Chrome(String title, String storeUri, boolean readOnly, String csrf, String flash, String store) {}

    /** The start page: the profile stores offered. */
    public record Start(List<String> stores) {}

    /** A page of keys found by prefix (or user id, then {@code userId} is set and there are no more pages). */
    public record Keys(String store, String prefix, String userId, List<String> keys, String next) {}

    /** A global update: its id and its data as JSON text. */
    public record Update(long id, String json) {}

    /**
     * A profile.
     *
     * @param hasData      false when only gifts were sent to it (no session saved it yet)
     * @param owner        "place P, job J (server S)", or null when released
     * @param lease        the holder's lease in words, or null
     * @param pendingInbox gifts waiting in the store's inbox (Active updates not yet taken in)
     */
    public record Profile(
            String store,
            String key,
            boolean hasData,
            long version,
            long epoch,
            String owner,
            String lease,
            String created,
            long loads,
            JsonNode metaTags,
            JsonNode data,
            List<Long> userIds,
            List<Update> active,
            List<Update> locked,
            int pendingInbox,
            List<Quarantined> quarantined,
            List<AuditLog.Entry> audit) {}

    /**
     * A quarantined copy: when and why it was set aside, its size, and its bytes read as UTF-8 (up to
     * {@link #PREVIEW_CHARS} characters; bytes that are not UTF-8 show as replacement characters).
     */
    public record Quarantined(String at, String reason, int size, String preview) {
        static final int PREVIEW_CHARS = 2_000;

        static Quarantined of(QuarantinedCopy copy) {
            String text = new String(copy.payload(), StandardCharsets.UTF_8);
            return new Quarantined(
                    Instant.ofEpochMilli(copy.atMillis()).toString(),
                    copy.reason(),
                    copy.payload().length,
                    text.length() > PREVIEW_CHARS ? text.substring(0, PREVIEW_CHARS) + "…" : text);
        }
    }

    /** One kept version in the history. */
    public record Version(
            long revision, String savedAt, String cause, String writer, int size, boolean pinned, boolean latest) {}

    /** A page of a profile's history, newest first; {@code next} is the revision to continue after, or -1. */
    public record History(String store, String key, long latest, List<Version> versions, long next) {}

    /** A diff between two versions. */
    public record Diff(
            String store, String key, String from, String to, String fromLabel, String toLabel, List<String> lines) {}

    /**
     * The confirmation of a restore.
     *
     * @param lines  what changes from the latest data, or null when the profile has no data yet
     * @param holder the session the restore ends, or null
     */
    public record Restore(
            String store,
            String key,
            long revision,
            String savedAt,
            String cause,
            long latest,
            List<String> lines,
            String holder) {}

    /** The confirmation of a wipe: the operator types the key. */
    public record Wipe(String store, String key, String holder) {}

    /** The confirmation of an erasure: the profiles holding a user id; the operator types the id. */
    public record Erase(String store, long userId, List<String> keys) {}

    /** One held session. */
    public record Session(
            String key, long epoch, String server, String place, String job, String lease, String state) {}

    /** The sessions page of a profile store. */
    public record Sessions(String store, List<Session> sessions) {}

    /** An error page. */
    public record Failure(int status, String message) {}
}
