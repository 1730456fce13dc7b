package dev.profileservice.redis.internal;

import static dev.profileservice.redis.internal.ScriptFunctions.HELPERS;
import static dev.profileservice.redis.internal.ScriptFunctions.KEEP;
import static dev.profileservice.redis.internal.ScriptFunctions.NOW;
import static dev.profileservice.redis.internal.ScriptFunctions.RETIRE;
import static dev.profileservice.redis.internal.ScriptFunctions.SET_UIDS;
import static dev.profileservice.redis.internal.Scripts.number;
import static dev.profileservice.redis.internal.Scripts.text;

import dev.profileservice.spi.Owner;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.VersionCause;
import java.util.ArrayList;
import java.util.List;

/**
 * The Lua scripts of the version history ({@link RedisHistory}: reading, pinning and pruning kept
 * versions, and the overwrite that rolls a profile back) and of the index of user ids
 * ({@link RedisUserIndex}), with the reading of their answers ({@link #version}, {@link #versions}).
 * Keys and answers follow the conventions of {@link Scripts}; the saves keep their versions inside
 * their own scripts there, by the same {@code keep} function ({@link ScriptFunctions#KEEP}).
 * Stateless.
 */
final class HistoryScripts {
    private HistoryScripts() {}

    /**
     * One entry of the index of user ids ({@link RedisUserIndex}). KEYS: the sorted set of one store
     * and user id. ARGV: profile key, the record's revision that wrote the change, {@code +} (add) or
     * {@code -} (remove). The entry's score is the revision that last added it: an add never lowers
     * it, and a remove takes it out only if it was added by an earlier revision, so the index steps
     * of two writes of one profile that arrive out of order never drop the newer write's entry.
     */
    static final Script INDEX = Script.of("userIndex", """
            local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
            local rev = tonumber(ARGV[2])
            if ARGV[3] == '+' then
              if (not score) or tonumber(score) < rev then
                redis.call('ZADD', KEYS[1], rev, ARGV[1])
              end
            elseif score and tonumber(score) < rev then
              redis.call('ZREM', KEYS[1], ARGV[1])
            end
            return 1
            """);

    /**
     * Lua helper {@code version_entry(v, r, out)}: appends the kept version {@code r} (its member in
     * {@code :h}, as text) to {@code out} as {@link #VERSION_ENTRY} entries {@code rev, at, cause,
     * pin, sid, place, job, payload}; false if it is not kept.
     */
    private static final String VERSION_ENTRY_FN = """
            local function version_entry(v, r, out)
              local f = redis.call('HMGET', v, r .. '.d', r .. '.at', r .. '.c', r .. '.pin', r .. '.sid', r .. '.place', r .. '.job')
              if not f[1] then
                return false
              end
              local n = #out
              out[n + 1] = r
              for i = 2, 7 do
                out[n + i] = f[i]
              end
              out[n + 8] = f[1]
              return true
            end
            """;

    /** Number of answer entries per version ({@link #version}). */
    static final int VERSION_ENTRY = 8;

    /**
     * One page of kept versions. KEYS: h, v. ARGV: descending (1/0), minMillis, maxMillis,
     * afterRevision (negative: from the first), limit. Walks {@code :h} from the cursor in the
     * chosen order, a slice at a time, keeping the versions saved within the bounds until it has
     * {@code limit}; answers {@link #VERSION_ENTRY} entries per version.
     */
    static final Script VERSIONS = Script.of("versions", VERSION_ENTRY_FN + """
            local h, v = KEYS[1], KEYS[2]
            local desc = ARGV[1] == '1'
            local min, max = tonumber(ARGV[2]), tonumber(ARGV[3])
            local limit = tonumber(ARGV[5])
            local slice = math.min(math.max(limit, 16), 256)
            local cursor
            if tonumber(ARGV[4]) < 0 then
              cursor = desc and '+inf' or '-inf'
            else
              cursor = '(' .. ARGV[4]
            end
            local out, found = {}, 0
            while found < limit do
              local revs
              if desc then
                revs = redis.call('ZREVRANGEBYSCORE', h, cursor, '-inf', 'LIMIT', 0, slice)
              else
                revs = redis.call('ZRANGEBYSCORE', h, cursor, '+inf', 'LIMIT', 0, slice)
              end
              for _, r in ipairs(revs) do
                local at = tonumber(redis.call('HGET', v, r .. '.at') or '')
                if at and at >= min and at <= max and version_entry(v, r, out) then
                  found = found + 1
                  if found >= limit then
                    break
                  end
                end
              end
              if #revs < slice then
                break
              end
              cursor = '(' .. revs[#revs]
            end
            return out
            """);

    /** One kept version. KEYS: v. ARGV: revision. Answers its {@link #VERSION_ENTRY} entries, or nothing if not kept. */
    static final Script VERSION = Script.of("version", VERSION_ENTRY_FN + """
            local out = {}
            version_entry(KEYS[1], ARGV[1], out)
            return out
            """);

    /** Pins (1) or unpins (0) a kept version. KEYS: v. ARGV: revision, pinned. Answers 0 if it is not kept, else 1. */
    static final Script SET_PINNED = Script.of("setPinned", """
            local r = ARGV[1]
            if redis.call('HEXISTS', KEYS[1], r .. '.d') == 0 then
              return 0
            end
            if ARGV[2] == '1' then
              redis.call('HSET', KEYS[1], r .. '.pin', '1')
            else
              redis.call('HDEL', KEYS[1], r .. '.pin')
            end
            return 1
            """);

    /**
     * Retention. KEYS: h, v. ARGV: keepNewest (0: no limit by count), maxAgeMillis (0: no limit by
     * age). Deletes the unpinned versions ranked beyond the newest keepNewest, and the unpinned ones
     * saved before this server's {@code TIME} minus maxAge except the newest; answers how many. The
     * newest is never deleted, so the walk starts at the second (by age) or past keepNewest (by
     * count only).
     */
    static final Script PRUNE = Script.of("prune", NOW + """
            local h, v = KEYS[1], KEYS[2]
            local keepNewest, maxAge = tonumber(ARGV[1]), tonumber(ARGV[2])
            local cutoff = false
            local start
            if maxAge > 0 then
              cutoff = now_millis() - maxAge
              start = 1
            elseif keepNewest > 0 then
              start = keepNewest
            else
              return 0
            end
            local revs = redis.call('ZREVRANGE', h, start, -1)
            local deleted = 0
            for i, r in ipairs(revs) do
              local rank = start + i
              local f = redis.call('HMGET', v, r .. '.pin', r .. '.at')
              local beyond = keepNewest > 0 and rank > keepNewest
              local old = cutoff and tonumber(f[2] or '0') < cutoff
              if (not f[1]) and (beyond or old) then
                redis.call('ZREM', h, r)
                redis.call('HDEL', v, r .. '.d', r .. '.at', r .. '.c', r .. '.pin', r .. '.sid', r .. '.place', r .. '.job')
                deleted = deleted + 1
              end
            end
            return deleted
            """);

    /**
     * The rollback. KEYS: p, u, t, c, h, v. ARGV: payload, clearUpdates (1/0), cause, user ids (a
     * JSON array, or {@code ""} to leave them). Only if the record has a payload: writes it, grows
     * the epoch and the revision by one, clears the owner, keeps the payload as the new revision's
     * version with no writer, replaces the user ids, and with clearUpdates retires every pending
     * update (tokens remembered, as a consuming save does). Status 0 = no profile (nothing written),
     * 1 = written; then the previous user ids (as {@code save_one} answers them); then the record
     * with its payload and updates.
     */
    static final Script OVERWRITE = Script.of("overwrite", HELPERS + RETIRE + KEEP + SET_UIDS + """
            local p, u, t, c, h, v = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
            if redis.call('HEXISTS', p, 'payload') == 0 then
              return {0}
            end
            local now = now_millis()
            if ARGV[2] == '1' then
              for _, field in ipairs(redis.call('HKEYS', u)) do
                local id = string.match(field, '^(%d+)%.v$')
                if id then
                  retire(u, c, id, now)
                end
              end
            end
            redis.call('HSET', p, 'payload', ARGV[1])
            redis.call('HINCRBY', p, 'epoch', 1)
            redis.call('HDEL', p, 'sid', 'place', 'job')
            local rev = redis.call('HINCRBY', p, 'rev', 1)
            keep(h, v, rev, ARGV[1], now, ARGV[3], false)
            local previous = false
            if ARGV[4] ~= '' then
              previous = set_uids(p, ARGV[4])
            end
            return {1, previous, unpack(record(p, u, true, true))}
            """);

    /** The scripts of this class run by EVALSHA ({@link Scripts#LOADED}). */
    static final List<Script> LOADED = List.of(VERSIONS, VERSION, SET_PINNED, PRUNE, OVERWRITE, INDEX);

    // ---------------------------------------------------------------- answers

    /**
     * A kept version from the {@link #VERSION_ENTRY} entries {@code rev, at, cause, pin, sid, place,
     * job, payload} starting at {@code from}.
     */
    static StoredVersion version(List<Object> answer, int from) {
        byte[] sid = (byte[]) answer.get(from + 4);
        Owner writer =
                sid == null ? null : new Owner(text(sid), text(answer.get(from + 5)), text(answer.get(from + 6)));
        byte[] payload = (byte[]) answer.get(from + 7);
        return new StoredVersion(
                number(answer.get(from)),
                number(answer.get(from + 1)),
                VersionCause.ofLabel(text(answer.get(from + 2))),
                writer,
                payload.length,
                answer.get(from + 3) != null,
                payload);
    }

    /** Every version of an answer of {@link #VERSIONS} or {@link #VERSION}, in its order. */
    static List<StoredVersion> versions(List<Object> answer) {
        if (answer.size() % VERSION_ENTRY != 0) {
            throw new IllegalStateException("unexpected versions answer with " + answer.size() + " elements");
        }
        List<StoredVersion> out = new ArrayList<>(answer.size() / VERSION_ENTRY);
        for (int i = 0; i < answer.size(); i += VERSION_ENTRY) {
            out.add(version(answer, i));
        }
        return List.copyOf(out);
    }
}
