package dev.profileservice.internal;

import dev.profileservice.ActiveSession;
import dev.profileservice.MetaData;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** {@link MetaData} of a {@link ProfileImpl}; reads its live fields. */
final class MetaDataImpl implements MetaData {
    private final ProfileImpl<?> profile;

    MetaDataImpl(ProfileImpl<?> profile) {
        this.profile = profile;
    }

    @Override
    public Instant getProfileCreateTime() {
        return Instant.ofEpochMilli(profile.created);
    }

    @Override
    public long getSessionLoadCount() {
        return profile.loads;
    }

    @Override
    public Optional<ActiveSession> getActiveSession() {
        return Optional.ofNullable(profile.activeSession());
    }

    @Override
    public Map<String, Object> getMetaTags() {
        return profile.tags;
    }

    @Override
    public Map<String, Object> getMetaTagsLatest() {
        return profile.tagsLatest;
    }

    @Override
    public String toString() {
        return "MetaData{created=" + getProfileCreateTime() + ", loads=" + profile.loads + ", session=" + profile.activeSession() + "}";
    }
}
