package dev.profileservice.internal;

import dev.profileservice.ActiveSession;
import dev.profileservice.MetaData;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link MetaData} of a profile, active or viewed: fixed creation time and load count, and live
 * views of the session, the meta tags and MetaTagsLatest as the profile supplies them.
 */
final class MetaDataImpl implements MetaData {
    private final long created;
    private final long loads;
    private final Supplier<Optional<ActiveSession>> session;
    private final Map<String, Object> tags;
    private final Supplier<Map<String, Object>> tagsLatest;

    MetaDataImpl(
            long created,
            long loads,
            Supplier<Optional<ActiveSession>> session,
            Map<String, Object> tags,
            Supplier<Map<String, Object>> tagsLatest) {
        this.created = created;
        this.loads = loads;
        this.session = session;
        this.tags = tags;
        this.tagsLatest = tagsLatest;
    }

    @Override
    public Instant getProfileCreateTime() {
        return Instant.ofEpochMilli(created);
    }

    @Override
    public long getSessionLoadCount() {
        return loads;
    }

    @Override
    public Optional<ActiveSession> getActiveSession() {
        return session.get();
    }

    @Override
    public Map<String, Object> getMetaTags() {
        return tags;
    }

    @Override
    public Map<String, Object> getMetaTagsLatest() {
        return tagsLatest.get();
    }

    @Override
    public String toString() {
        return "MetaData{created=" + getProfileCreateTime() + ", loads=" + loads + ", session="
                + session.get().orElse(null) + "}";
    }
}
