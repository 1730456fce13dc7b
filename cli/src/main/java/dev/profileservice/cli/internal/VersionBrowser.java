package dev.profileservice.cli.internal;

import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.VersionPage;
import java.util.List;

/**
 * The admin actions "history" and "diff": a page of a profile's kept versions, and what changed
 * between two of them ({@link PayloadDiff}). {@code profiles history}, {@code profiles diff} and the
 * web console's history page use these. Stateless; callable from any thread.
 */
public final class VersionBrowser {
    private VersionBrowser() {}

    /**
     * Up to {@code limit} kept versions of {@code key} after version {@code after} (-1 for the
     * first page) in the order asked for, each with its payload.
     *
     * @throws BadInputException if the store keeps no versions
     */
    public static List<StoredVersion> page(
            AdminSession session, String key, boolean newestFirst, long after, int limit) {
        return session.history()
                .versions(
                        session.storeName(),
                        key,
                        new VersionPage(newestFirst, Long.MIN_VALUE, Long.MAX_VALUE, after, limit));
    }

    /**
     * The difference between two versions of {@code key}.
     *
     * @param from   the older version id, or {@link Versions#LATEST} for the current record
     * @param to     the newer version id, or {@link Versions#LATEST}
     * @param record the key's current record
     */
    public record Diff(Versions.Labelled from, Versions.Labelled to, PayloadDiff diff) {}

    /**
     * What changed from version {@code from} to version {@code to} of {@code key} (ids as
     * {@code history} lists them, or {@code latest}).
     *
     * @throws BadInputException for a version that is not a whole number or is not kept
     */
    public static Diff diff(AdminSession session, String key, StoredProfile record, String from, String to) {
        Versions.Labelled a = Versions.payloadOf(session, key, record, from);
        Versions.Labelled b = Versions.payloadOf(session, key, record, to);
        return new Diff(
                a,
                b,
                PayloadDiff.between(
                        Versions.tree(a.payload(), a.label() + " of " + key),
                        Versions.tree(b.payload(), b.label() + " of " + key)));
    }
}
