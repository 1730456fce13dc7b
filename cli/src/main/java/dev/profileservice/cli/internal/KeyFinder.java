package dev.profileservice.cli.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The admin action "find keys": a page of a profile store's keys that start with a prefix (in the
 * store's ascending key order, where keys sharing a prefix are neighbours), or the keys holding a
 * user id. Stateless; callable from any thread.
 */
public final class KeyFinder {
    /** The most keys one page may ask for. */
    public static final int MAX_PAGE = 500;

    private KeyFinder() {}

    /**
     * One page of keys.
     *
     * @param keys the keys, ascending
     * @param next the key to pass as {@code after} for the next page, or null when this is the last
     */
    public record Page(List<String> keys, String next) {}

    /**
     * Up to {@code limit} keys starting with {@code prefix} ("" for all) that sort after
     * {@code after} (null for the first page).
     *
     * @throws BadInputException for a limit outside 1 to {@link #MAX_PAGE}
     */
    public static Page withPrefix(AdminSession session, String prefix, String after, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new BadInputException("page size must be 1 to " + MAX_PAGE + ", was " + limit);
        }
        String p = prefix == null ? "" : prefix;
        List<String> out = new ArrayList<>();
        String cursor = after;
        if (cursor == null || cursor.compareTo(p) < 0) {
            // keys(after) starts strictly after its argument, so the prefix itself is looked up on its own
            cursor = p.isEmpty() ? null : p;
            if (!p.isEmpty() && AdminSession.exists(session.backend().read(session.storeName(), p))) {
                out.add(p);
            }
        }
        while (out.size() <= limit) {
            List<String> page = session.admin().keys(session.storeName(), cursor, limit + 1);
            for (String key : page) {
                if (!key.startsWith(p) || out.size() > limit) {
                    return page(out, limit);
                }
                out.add(key);
            }
            if (page.size() < limit + 1) {
                break;
            }
            cursor = page.get(page.size() - 1);
        }
        return page(out, limit);
    }

    private static Page page(List<String> keys, int limit) {
        if (keys.size() > limit) {
            List<String> shown = List.copyOf(keys.subList(0, limit));
            return new Page(shown, shown.get(limit - 1));
        }
        return new Page(List.copyOf(keys), null);
    }

    /**
     * The keys of the profiles holding {@code userId}, ascending.
     *
     * @throws BadInputException if the store keeps no index of user ids
     */
    public static List<String> ofUser(AdminSession session, long userId) {
        try {
            return session.admin().keysOfUser(session.storeName(), userId);
        } catch (UnsupportedOperationException e) {
            throw new BadInputException("the store " + session.maskedUri()
                    + " keeps no index of user ids, so it cannot find the profiles of a user id; use their keys");
        }
    }
}
