package dev.profileservice.spi;

/**
 * Which kept versions one call of {@link VersionHistory#versions} returns: a page of at most
 * {@code limit} versions in revision order, starting after a cursor, saved within a time range by
 * the store's clock. Immutable.
 *
 * @param descending    newest first if true, else oldest first
 * @param minMillis     only versions saved at or after this time, or {@link Long#MIN_VALUE}
 * @param maxMillis     only versions saved at or before this time, or {@link Long#MAX_VALUE}
 * @param afterRevision the page starts after this revision in the chosen order (the last one of
 *                      the previous page), or -1 for the first page
 * @param limit         the most versions to return, at least 1
 */
public record VersionPage(boolean descending, long minMillis, long maxMillis, long afterRevision, int limit) {
    public VersionPage {
        if (limit < 1) {
            throw new IllegalArgumentException("a page holds at least 1 version, not " + limit);
        }
        if (minMillis > maxMillis) {
            throw new IllegalArgumentException("minMillis " + minMillis + " is after maxMillis " + maxMillis);
        }
    }

    /** The first page of at most {@code limit} versions, oldest first, of any time. */
    public static VersionPage oldestFirst(int limit) {
        return new VersionPage(false, Long.MIN_VALUE, Long.MAX_VALUE, -1, limit);
    }

    /** The first page of at most {@code limit} versions, newest first, of any time. */
    public static VersionPage newestFirst(int limit) {
        return new VersionPage(true, Long.MIN_VALUE, Long.MAX_VALUE, -1, limit);
    }

    /** This page's query, continued after {@code revision}. */
    public VersionPage after(long revision) {
        return new VersionPage(descending, minMillis, maxMillis, revision, limit);
    }

    /** This page's query, only versions saved from {@code min} to {@code max} (store clock, inclusive). */
    public VersionPage between(long min, long max) {
        return new VersionPage(descending, min, max, afterRevision, limit);
    }

    /** Whether a version saved at {@code savedAtMillis} is within the time range. */
    public boolean includes(long savedAtMillis) {
        return savedAtMillis >= minMillis && savedAtMillis <= maxMillis;
    }
}
