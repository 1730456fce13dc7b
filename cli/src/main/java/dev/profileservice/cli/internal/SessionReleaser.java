package dev.profileservice.cli.internal;

import dev.profileservice.spi.StoredProfile;

/**
 * The admin action "release a stuck session": {@code BackendAdmin.forceRelease} clears the owner
 * and bumps the epoch in one atomic step, so the old owner's late writes are refused by the store
 * (it then fires its release listeners). Used by {@code profiles release} and the web console.
 * Stateless; callable from any thread.
 */
public final class SessionReleaser {
    private SessionReleaser() {}

    /**
     * The record before and after a release.
     *
     * @param before as read before the release
     * @param after  as the release left it
     */
    public record Released(StoredProfile before, StoredProfile after) {}

    /**
     * Releases {@code key}, whose record was read as {@code before}.
     */
    public static Released release(AdminSession session, String key, StoredProfile before) {
        return new Released(before, session.admin().forceRelease(session.storeName(), key));
    }
}
