package dev.profileservice.cli.internal;

import dev.profileservice.GlobalUpdate;
import dev.profileservice.MetaData;
import dev.profileservice.Profile;
import dev.profileservice.spi.StoredProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The admin action "view": one profile's data, meta tags, session and global updates, or one of its
 * kept versions, read through a {@code viewProfile} that never locks it. {@code profiles view} and
 * the web console both show what this returns. Stateless; callable from any thread (the store calls
 * run on the calling thread and the profile service's I/O threads).
 */
public final class ProfileViewer {
    private ProfileViewer() {}

    /** The latest data of {@code key}, or empty when it has none yet (only gifts were sent to it). */
    public static Optional<Profile<Map<String, Object>>> latest(AdminSession session, String key) {
        return session.profileStore().viewProfile(key);
    }

    /**
     * The latest data of {@code key}, whose record is {@code record}.
     *
     * @throws BadInputException if it has no saved data yet
     */
    public static Profile<Map<String, Object>> requireLatest(AdminSession session, String key, StoredProfile record) {
        return latest(session, key)
                .orElseThrow(() -> new BadInputException("profile '" + key + "' in profile store '"
                        + session.storeName() + "' has no saved data yet (" + pending(record) + ")"));
    }

    /**
     * Kept version {@code revision} of {@code key}.
     *
     * @throws BadInputException if it is not kept
     */
    public static Profile<Map<String, Object>> version(AdminSession session, String key, long revision) {
        return session.profileStore()
                .viewProfile(key, String.valueOf(revision))
                .orElseThrow(() -> new BadInputException("profile '" + key + "' has no kept version " + revision
                        + " in profile store '" + session.storeName() + "' (see 'profiles history " + key + "')"));
    }

    /** Why a record that exists has no data: what it holds instead. */
    public static String pending(StoredProfile record) {
        return record.updateSeq() > 0 ? "global updates were sent to it, but no server has loaded it" : "never saved";
    }

    /**
     * A profile as a JSON object: key, version, savedAt (null), epoch, owner, profileCreateTime,
     * sessionLoadCount, metaTags, data, activeUpdates and lockedUpdates ({@code {id, data}} each).
     */
    public static Map<String, Object> describe(Profile<Map<String, Object>> profile, StoredProfile record) {
        MetaData meta = profile.getMetaData();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", profile.getKey());
        out.put("version", profile.getKeyInfo().version());
        out.put("savedAt", null);
        out.put("epoch", record.epoch());
        out.put("owner", AdminSession.ownerJson(record.owner()));
        out.put("profileCreateTime", String.valueOf(meta.getProfileCreateTime()));
        out.put("sessionLoadCount", meta.getSessionLoadCount());
        out.put("metaTags", meta.getMetaTags());
        out.put("data", profile.getData());
        out.put("activeUpdates", updates(profile.getGlobalUpdates().getActiveUpdates()));
        out.put("lockedUpdates", updates(profile.getGlobalUpdates().getLockedUpdates()));
        return out;
    }

    private static List<Map<String, Object>> updates(List<GlobalUpdate> list) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (GlobalUpdate u : list) {
            out.add(Json.object("id", u.id(), "data", u.data()));
        }
        return out;
    }
}
