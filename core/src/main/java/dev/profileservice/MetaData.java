package dev.profileservice;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** Data about a profile itself: ProfileService's {@code Profile.MetaData}. */
public interface MetaData {

    /** When the profile was first created (its first session). */
    Instant getProfileCreateTime();

    /** How many sessions have loaded the profile, this one included. */
    long getSessionLoadCount();

    /** The server holding the session lock, as of load (for a view: as of the read); empty if released. */
    Optional<ActiveSession> getActiveSession();

    /**
     * The meta tags: mutable, saved with the data. Mutate it inside {@link Profile#edit} or through
     * {@link Profile#setMetaTag} so an auto-save never sees a half-made change. Values must be
     * JSON-encodable (strings, numbers, booleans, lists, maps, null).
     */
    Map<String, Object> getMetaTags();

    /** The meta tags as of the last completed save: read-only. Use it to confirm purchases. */
    Map<String, Object> getMetaTagsLatest();
}
