package dev.profileservice.spi;

/**
 * One kept version of a profile ({@link VersionHistory}). Immutable; the payload array is not
 * copied, so callers must not modify it.
 *
 * @param revision      the version id: the record's revision after the write that made it, growing
 *                      with every save of the key
 * @param savedAtMillis when the store wrote it, by the store's clock (its {@link Backend#leaseClock()})
 * @param cause         why it was written
 * @param writer        the session that wrote it, or null for a write outside any session (an
 *                      overwrite, an admin tool)
 * @param size          the payload's size in bytes
 * @param pinned        whether retention keeps it regardless of age and count
 * @param payload       the payload as saved; null in listings that leave it out
 */
public record StoredVersion(
        long revision,
        long savedAtMillis,
        VersionCause cause,
        Owner writer,
        int size,
        boolean pinned,
        byte[] payload) {}
