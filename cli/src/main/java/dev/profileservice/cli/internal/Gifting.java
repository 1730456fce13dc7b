package dev.profileservice.cli.internal;

import dev.profileservice.GlobalUpdate;
import dev.profileservice.GlobalUpdates;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The admin action "send a gift": a global update (an Active update) sent with
 * {@code globalUpdateProfile} + {@code addActiveUpdate}, durable when {@link #send} returns; the
 * owner processes it through Active, Locked, Cleared. Used by {@code profiles gift} and the web
 * console. Stateless; callable from any thread (it blocks until the store has the gift).
 */
public final class Gifting {
    private Gifting() {}

    /**
     * Parses {@code json}, the gift's data as the operator typed it.
     *
     * @throws BadInputException unless it is a JSON object
     */
    public static Map<String, Object> parse(String json, String what) {
        return Json.parseObject(json, what);
    }

    /**
     * Sends {@code data} to {@code key}.
     *
     * @param allowNew also send to a key that has no record yet (else refused, to catch typos)
     * @return the update id the store gave it
     * @throws BadInputException for a key without a record when {@code allowNew} is false
     */
    public static long send(AdminSession session, String key, Map<String, Object> data, boolean allowNew) {
        if (!allowNew) {
            session.requireKey(key);
        }
        Optional<GlobalUpdates> after =
                session.profileStore().globalUpdateProfile(key, updates -> updates.addActiveUpdate(data));
        if (after.isEmpty()) {
            throw new IllegalStateException("the profile service was closing; the gift was not sent");
        }
        // the handler only added, so the answer holds just that update, with the id the store gave it
        List<GlobalUpdate> sent = after.get().getActiveUpdates();
        return sent.get(sent.size() - 1).id();
    }
}
