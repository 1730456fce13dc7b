package dev.profileservice.redis.internal;

import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;

/**
 * The key layout (layout 3, {@link RedisLayout}). Everything one profile owns shares the hash tag
 * {@code {store:key}}, so every per-profile script touches one Cluster slot:
 * <pre>
 *   PREFIX:{STORE:KEY}:p     hash: payload, epoch, sid, place, job, seq, rev, uids
 *                            (the record; seq: last update id given; rev: payload writes so far, absent = 0;
 *                            uids: the profile's user ids as a JSON array, absent = none)
 *   PREFIX:{STORE:KEY}:u     hash: ID.v, ID.d, ID.t                     (pending updates: version, data, token)
 *   PREFIX:{STORE:KEY}:t     hash: TOKEN -> ID                          (tokens of pending and recently consumed adds)
 *   PREFIX:{STORE:KEY}:c     sorted set: TOKEN scored by consumed-at    (when each consumed token may be forgotten)
 *   PREFIX:{STORE:KEY}:q     hash: count, N.payload, N.reason, N.at     (quarantined copies)
 *   PREFIX:{STORE:KEY}:h     sorted set: REV scored by REV              (the revisions kept as versions)
 *   PREFIX:{STORE:KEY}:v     hash: REV.d, REV.at, REV.c, REV.pin,       (each kept version: payload, saved-at
 *                                  REV.sid, REV.place, REV.job          millis by Redis TIME, cause label, "1" if
 *                                                                       pinned, the writer; no writer fields for a
 *                                                                       write outside a session)
 *   PREFIX:uid:{STORE:ID}    sorted set: KEY scored by REV              (index of user ids: the keys of STORE
 *                                                                       whose uids hold ID, each scored by the
 *                                                                       revision that added it)
 *   PREFIX:server:SERVERID   hash: id, place, job, expires              (heartbeat, 7-day TTL)
 *   PREFIX:layout            string: the layout number ({@link #LAYOUT_VERSION}), see {@link RedisLayout}
 *   PREFIX:layout-lock       string: the process upgrading the layout, while it does
 *   PREFIX:bus:SERVERID      pub/sub channel of one server (not a key)
 * </pre>
 * The version history ({@code rev}, {@code :h}, {@code :v}) needs no layout step: a record written
 * by an earlier release has no {@code rev} field and reads as revision 0 (its next save is 1), and a
 * profile without {@code :h} and {@code :v} simply has no kept versions yet. {@code :h} orders the
 * kept revisions, so paging ({@code ZRANGEBYSCORE} from a cursor) and pruning (by rank from the
 * newest) walk a range of it; {@code :v} holds what each one is. Both are written in the same
 * script as the save or overwrite that keeps the version, and deleted with the profile's other keys.
 * <p>The index of user ids ({@link RedisUserIndex}) is in two parts. The record's {@code uids} is the
 * source of truth, written by the same script as the save or overwrite that carries the ids. The
 * sets {@code PREFIX:uid:{STORE:ID}} are for the lookup; each has its own hash tag, in another slot
 * than the profiles it names (so a store's index spreads over the cluster), so they are updated
 * right after that script, one pipelined round trip more, only for the rare writes that carry ids;
 * {@code keysOfUser} checks every member against its record's {@code uids}. The same code runs on a
 * single server and on Cluster: declaring the index keys in the save scripts would work only on
 * a single server, and two sets of save scripts to keep equal cost more than that round trip.
 * {@code STORE:ID} may hash like a profile's {@code {STORE:KEY}} (a key made of those digits): the
 * names still differ, and sharing a slot is harmless. The index keys start with
 * {@code PREFIX:uid:}, not {@code PREFIX:{}, so no SCAN pattern of records matches them.
 * Layout 1 kept the whole inbox in the record's {@code inbox} and {@code iv} fields instead of
 * {@code :u}, {@code :t}, {@code :c} and {@code seq}.
 * Store names match {@code [A-Za-z0-9_.-]} (no {@code :}, no braces) and the prefix allows no
 * braces, so {@code PREFIX:{STORE:} names exactly one store and stores never clash. Immutable;
 * thread-safe.
 */
final class RedisKeys {
    static final String RECORD_SUFFIX = "}:p";
    static final String UPDATES_SUFFIX = "}:u";
    static final String TOKENS_SUFFIX = "}:t";
    static final String CONSUMED_SUFFIX = "}:c";
    static final String QUARANTINE_SUFFIX = "}:q";
    static final String HISTORY_SUFFIX = "}:h";
    static final String VERSIONS_SUFFIX = "}:v";

    private final String prefix;

    /** @param prefix a prefix {@link dev.profileservice.redis.RedisBackends.Options} accepted (no braces, no glob characters) */
    RedisKeys(String prefix) {
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    /** The hash holding one record. */
    String record(String store, String key) {
        return profileStart(store) + key + RECORD_SUFFIX;
    }

    /** The hash holding the quarantined copies of one record. */
    String quarantine(String store, String key) {
        return profileStart(store) + key + QUARANTINE_SUFFIX;
    }

    /**
     * The keys of one profile that the record scripts take, in their order: record, updates, tokens,
     * consumed tokens, kept revisions, kept versions.
     */
    String[] profile(String store, String key) {
        return siblings(record(store, key));
    }

    /** {@link #profile} from the name of a record hash. */
    static String[] siblings(String recordKey) {
        String base = recordKey.substring(0, recordKey.length() - RECORD_SUFFIX.length());
        return new String[] {
            recordKey,
            base + UPDATES_SUFFIX,
            base + TOKENS_SUFFIX,
            base + CONSUMED_SUFFIX,
            base + HISTORY_SUFFIX,
            base + VERSIONS_SUFFIX
        };
    }

    /** SCAN pattern matching the record hashes of every store under this prefix. */
    String anyRecordPattern() {
        return globEscape(prefix + ":{") + "*" + globEscape(RECORD_SUFFIX);
    }

    /** {@code PREFIX:{STORE:} : the part every key of a store's records starts with. */
    String profileStart(String store) {
        return prefix + ":{" + store + ":";
    }

    /** SCAN pattern matching the record hashes of one store (and nothing else). */
    String recordPattern(String store) {
        return globEscape(profileStart(store)) + "*" + globEscape(RECORD_SUFFIX);
    }

    /**
     * The store of a record hash name found by {@link #anyRecordPattern}, or null if it is not one:
     * store names hold no colon, so the store ends at the first colon after {@code PREFIX:{}.
     */
    String storeOfRecord(String redisKey) {
        String start = prefix + ":{";
        if (!redisKey.startsWith(start) || !redisKey.endsWith(RECORD_SUFFIX)) {
            return null;
        }
        int colon = redisKey.indexOf(':', start.length());
        return colon <= start.length() ? null : redisKey.substring(start.length(), colon);
    }

    /** The profile key of a record hash name found by {@link #recordPattern}, or null if it is not one. */
    String keyOfRecord(String store, String redisKey) {
        String start = profileStart(store);
        if (!redisKey.startsWith(start)
                || !redisKey.endsWith(RECORD_SUFFIX)
                || redisKey.length() <= start.length() + RECORD_SUFFIX.length()) {
            return null;
        }
        return redisKey.substring(start.length(), redisKey.length() - RECORD_SUFFIX.length());
    }

    /**
     * The Redis Cluster slot of a key (CRC16 of its hash tag, modulo 16384), as the server computes
     * it from the key's UTF-8 bytes. Every key of one profile has the same slot; keys of different
     * profiles usually do not, so a script may only take several profiles' keys when their slots
     * are equal.
     */
    static int slot(String redisKey) {
        return SlotHash.getSlot(redisKey.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The sorted set of the keys of {@code store} whose profile holds {@code userId}, scored by the
     * revision that added each ({@link RedisUserIndex}): {@code PREFIX:uid:{STORE:ID}}. Its own hash
     * tag spreads a store's index over the cluster instead of piling it on one slot.
     */
    String userIndex(String store, long userId) {
        return prefix + ":uid:{" + store + ":" + userId + "}";
    }

    /** The heartbeat hash of a server. */
    String server(String serverId) {
        return prefix + ":server:" + serverId;
    }

    /** SCAN pattern matching every heartbeat hash under this prefix. */
    String serverPattern() {
        return globEscape(prefix + ":server:") + "*";
    }

    /** The key holding the layout number. */
    String layout() {
        return prefix + ":layout";
    }

    /** The key a process holds while it upgrades the layout. */
    String layoutLock() {
        return prefix + ":layout-lock";
    }

    /** The pub/sub channel a server listens on. */
    String channel(String serverId) {
        return prefix + ":bus:" + serverId;
    }

    static String globEscape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
