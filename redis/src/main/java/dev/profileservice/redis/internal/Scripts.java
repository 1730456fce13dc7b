package dev.profileservice.redis.internal;

import static dev.profileservice.redis.internal.ScriptFunctions.HELPERS;
import static dev.profileservice.redis.internal.ScriptFunctions.KEEP;
import static dev.profileservice.redis.internal.ScriptFunctions.NOW;
import static dev.profileservice.redis.internal.ScriptFunctions.RETIRE;
import static dev.profileservice.redis.internal.ScriptFunctions.SET_UIDS;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.UpdateOp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The Lua scripts behind every atomic operation on a record, its inbox and the server leases (those
 * of the version history and the index of user ids are in {@link HistoryScripts}, the Lua functions
 * they share in {@link ScriptFunctions}). Each runs on one key slot (all its KEYS share the
 * profile's hash tag), so it is atomic on a single server and on Redis Cluster alike. The keys of
 * one profile are, in this order wherever a script takes them, its record {@code :p}, its pending
 * updates {@code :u}, its tokens {@code :t}, its consumed tokens {@code :c}, its kept revisions
 * {@code :h} and its kept versions {@code :v} ({@link RedisKeys}).
 *
 * <p>Scripts that answer a record answer {@code payload, epoch, sid, place, job, seq, rev} (Redis nil,
 * {@code false} in Lua, for a missing field) followed, where they answer updates, by the flat
 * field/value list of the {@code :u} hash ({@code ID.v}, {@code ID.d}, {@code ID.t}). The Java side
 * of each script's protocol is here too: its arguments ({@link #saveArgs}, {@link #sendArgs}) and
 * the reading of its answer ({@link #record}, {@link #saveResult}, {@link #sendResult},
 * {@link #lease}). Stateless.
 */
final class Scripts {
    private Scripts() {}

    /** Number of record fields in a script's answer ({@link ScriptFunctions#FIELDS}). */
    static final int RECORD_FIELDS = 7;

    /**
     * Acquire. KEYS: p, u. ARGV: expectedEpoch (-1 = only if free), sid, place, job, initialPayload
     * (stored only if the record has no payload yet). Status 1 = taken (epoch + 1, owner set), 0 =
     * refused (nothing changed); then the record with its payload and updates.
     */
    static final Script ACQUIRE = Script.of("acquire", HELPERS + """
            local f = redis.call('HMGET', KEYS[1], 'epoch', 'sid')
            local ok
            if ARGV[1] == '-1' then
              ok = not f[2]
            else
              ok = tonumber(f[1] or '0') == tonumber(ARGV[1])
            end
            if ok then
              redis.call('HINCRBY', KEYS[1], 'epoch', 1)
              redis.call('HSET', KEYS[1], 'sid', ARGV[2], 'place', ARGV[3], 'job', ARGV[4])
              redis.call('HSETNX', KEYS[1], 'payload', ARGV[5])
            end
            return {ok and 1 or 0, unpack(record(KEYS[1], KEYS[2], true, true))}
            """);

    /** Reads a record with its updates, atomically. KEYS: p, u. Answers status 1, then the record. */
    static final Script READ = Script.of("read", HELPERS + """
            return {1, unpack(record(KEYS[1], KEYS[2], true, true))}
            """);

    /** {@link #READ} without the payload (what an owner reads to pick up new updates). KEYS: p, u. */
    static final Script READ_UPDATES = Script.of("readUpdates", HELPERS + """
            return {1, unpack(record(KEYS[1], KEYS[2], false, true))}
            """);

    /**
     * The fenced save of one record, as a Lua function shared by {@link #SAVE} and
     * {@link #SAVE_BATCH} so a batch item is judged by exactly the same code as a single save.
     * {@code save_one(k, a)} takes the item's {@link #SAVE_KEYS} keys from {@code KEYS[k + 1] ..
     * KEYS[k + 6]} and its {@link #SAVE_ARGS} arguments from {@code ARGV[a + 1] ..}: sid, epoch,
     * payload, release (1/0), the updates it consumes as {@code "id:version id:version ..."}, the
     * cause label to keep the payload as a version under the new revision ({@code ""}: keep none),
     * and the profile's user ids as a JSON array ({@code ""}: unchanged; {@code "[]"}: none).
     * It writes only when it answers 0 = SAVED; 1 = LOST_SESSION and 2 = UPDATES_CHANGED change
     * nothing. It answers the status and, for a save that carried user ids and was applied, the
     * record's previous {@code uids} (false if it had none or the ids were not carried): the caller
     * updates the index of user ids from them ({@link RedisUserIndex}). Every applied save grows the
     * record's {@code rev} by one; the version it keeps names the owner it was saved under (also by
     * a release, which clears that owner after). A consuming
     * save also forgets tokens consumed longer than the retention ago (a bounded number per save).
     */
    private static final String SAVE_ONE =
            HELPERS + RETIRE + KEEP + SET_UIDS + """
            local function save_one(k, a)
              local p, u, t, c, h, v = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[k + 4], KEYS[k + 5], KEYS[k + 6]
              local f = redis.call('HMGET', p, 'epoch', 'sid', 'place', 'job')
              if (not f[2]) or f[2] ~= ARGV[a + 1] or tonumber(f[1] or '0') ~= tonumber(ARGV[a + 2]) then
                return 1, false
              end
              local ids = {}
              for id, version in string.gmatch(ARGV[a + 5], '(%%d+):(%%d+)') do
                if tonumber(redis.call('HGET', u, id .. '.v') or '-1') ~= tonumber(version) then
                  return 2, false
                end
                ids[#ids + 1] = id
              end
              redis.call('HSET', p, 'payload', ARGV[a + 3])
              local rev = redis.call('HINCRBY', p, 'rev', 1)
              local now = false
              if #ids > 0 or ARGV[a + 6] ~= '' then
                now = now_millis()
              end
              if ARGV[a + 6] ~= '' then
                keep(h, v, rev, ARGV[a + 3], now, ARGV[a + 6], f[2], f[3], f[4])
              end
              if #ids > 0 then
                for _, id in ipairs(ids) do
                  retire(u, c, id, now)
                end
                local before = now - %d
                local old = redis.call('ZRANGEBYSCORE', c, '-inf', '(' .. before, 'LIMIT', 0, 1000)
                if #old > 0 then
                  redis.call('HDEL', t, unpack(old))
                  redis.call('ZREM', c, unpack(old))
                end
              end
              local previous = false
              if ARGV[a + 7] ~= '' then
                previous = set_uids(p, ARGV[a + 7])
              end
              if ARGV[a + 4] == '1' then
                redis.call('HDEL', p, 'sid', 'place', 'job')
              end
              return 0, previous
            end
            """.formatted(Backend.TOKEN_RETENTION.toMillis());

    /** Number of KEYS per item of {@link #SAVE_BATCH} (and of {@link #SAVE}). */
    static final int SAVE_KEYS = 6;

    /** Number of ARGV entries per item of {@link #SAVE_BATCH} (and of {@link #SAVE}). */
    static final int SAVE_ARGS = 7;

    /**
     * Number of answer entries per item of {@link #SAVE_BATCH} (and of {@link #SAVE}): the status,
     * the record's fields, and the previous user ids ({@code save_one}'s second answer).
     */
    static final int SAVE_ANSWER = 2 + RECORD_FIELDS;

    /**
     * Fenced save. KEYS: p, u, t, c, h, v. ARGV: sid, epoch, payload, release (1/0), consumed
     * updates, the cause to keep the payload as (or {@code ""}), the user ids (or {@code ""}).
     * Status 0 = SAVED, 1 = LOST_SESSION, 2 = UPDATES_CHANGED; then the record without payload and
     * updates; then the previous user ids ({@code save_one}).
     */
    static final Script SAVE = Script.of("save", SAVE_ONE + """
            local status, previous = save_one(0, 0)
            local out = {status, unpack(record(KEYS[1], KEYS[2], false, false))}
            out[%d] = previous
            return out
            """.formatted(SAVE_ANSWER));

    /**
     * Several fenced saves, each item judged on its own by {@code save_one}, in order. KEYS:
     * {@link #SAVE_KEYS} per item (all in one Cluster slot when run on a cluster; the caller groups
     * them). ARGV: {@link #SAVE_ARGS} per item, in the order of {@link #SAVE}. Answers a flat array
     * of {@link #SAVE_ANSWER} entries per item, as {@link #SAVE} does for one. One item's refusal never stops the next.
     */
    static final Script SAVE_BATCH = Script.of(
            "saveBatch",
            SAVE_ONE
                    + """
            local items = #KEYS / %d
            if #ARGV ~= %d * items then
              return redis.error_reply('ERR saveBatch: ' .. items .. ' items need ' .. (%d * items) .. ' arguments, got ' .. #ARGV)
            end
            local out, n = {}, 0
            for i = 1, items do
              local k = (i - 1) * %d
              local status, previous = save_one(k, (i - 1) * %d)
              out[n + 1] = status
              local f = record(KEYS[k + 1], KEYS[k + 2], false, false)
              for j = 1, %d do
                out[n + 1 + j] = f[j]
              end
              out[n + %d] = previous
              n = n + %d
            end
            return out
            """.formatted(
                                    SAVE_KEYS,
                                    SAVE_ARGS,
                                    SAVE_ARGS,
                                    SAVE_KEYS,
                                    SAVE_ARGS,
                                    RECORD_FIELDS,
                                    SAVE_ANSWER,
                                    SAVE_ANSWER));

    /**
     * A sender's operations on one inbox, all or nothing, by the rules of
     * {@link dev.profileservice.spi.SendPlan} (which the SQL stores run in Java): checks first,
     * writes only if every check passes. KEYS: p, u, t, c. ARGV: maxPending, then each operation:
     * {@code a, token, data} (add), {@code c, id, expectedVersion, data} (change), {@code x, id,
     * expectedVersion} (clear). Answers {@code status, sid, place, job, addedIds...} with status 0 =
     * APPLIED, 1 = CONFLICT, 2 = FULL. Creates the record (epoch 0, no owner, no payload) if missing.
     */
    static final Script SEND = Script.of("sendUpdates", HELPERS + RETIRE + """
            local p, u, t, c = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
            local owner = redis.call('HMGET', p, 'sid', 'place', 'job')
            local seq = tonumber(redis.call('HGET', p, 'seq') or '0')
            local nextId = seq
            local fresh, seen, added, changes, clears = {}, {}, {}, {}, {}
            local i = 2
            while i <= #ARGV do
              local kind = ARGV[i]
              if kind == 'a' then
                local token = ARGV[i + 1]
                local id = seen[token]
                if not id then
                  local known = redis.call('HGET', t, token)
                  if known then
                    id = tonumber(known)
                  else
                    nextId = nextId + 1
                    id = nextId
                    fresh[#fresh + 1] = {id, token, ARGV[i + 2]}
                  end
                  seen[token] = id
                end
                added[#added + 1] = id
                i = i + 3
              elseif kind == 'c' or kind == 'x' then
                local id, version = ARGV[i + 1], tonumber(ARGV[i + 2])
                if tonumber(redis.call('HGET', u, id .. '.v') or '-1') ~= version then
                  return {1, unpack(owner)}
                end
                if kind == 'c' then
                  changes[#changes + 1] = {id, version + 1, ARGV[i + 3]}
                  i = i + 4
                else
                  clears[#clears + 1] = id
                  i = i + 3
                end
              else
                return redis.error_reply('ERR sendUpdates: unknown operation ' .. tostring(kind))
              end
            end
            if #fresh > 0 and redis.call('HLEN', u) / 3 - #clears + #fresh > tonumber(ARGV[1]) then
              return {2, unpack(owner)}
            end
            redis.call('HSETNX', p, 'epoch', '0')
            for _, f in ipairs(fresh) do
              redis.call('HSET', u, f[1] .. '.v', 1, f[1] .. '.d', f[3], f[1] .. '.t', f[2])
              redis.call('HSET', t, f[2], f[1])
            end
            for _, ch in ipairs(changes) do
              redis.call('HSET', u, ch[1] .. '.v', ch[2], ch[1] .. '.d', ch[3])
            end
            if #clears > 0 then
              local now = now_millis()
              for _, id in ipairs(clears) do
                retire(u, c, id, now)
              end
            end
            redis.call('HSET', p, 'seq', nextId)
            local out = {0, owner[1], owner[2], owner[3]}
            for j = 1, #added do
              out[4 + j] = added[j]
            end
            return out
            """);

    /** Administrative release. KEYS: p, u. Status 0 = no record (nothing created), 1 = released; then the record. */
    static final Script FORCE_RELEASE = Script.of("forceRelease", HELPERS + """
            if redis.call('EXISTS', KEYS[1]) == 0 then
              return {0}
            end
            redis.call('HINCRBY', KEYS[1], 'epoch', 1)
            redis.call('HDEL', KEYS[1], 'sid', 'place', 'job')
            return {1, unpack(record(KEYS[1], KEYS[2], true, true))}
            """);

    /** Adds a quarantined copy. KEYS: quarantine hash. ARGV: payload, reason, atMillis. Returns the new count. */
    static final Script QUARANTINE = Script.of("quarantine", """
            local n = redis.call('HINCRBY', KEYS[1], 'count', 1)
            redis.call('HSET', KEYS[1], n .. '.payload', ARGV[1], n .. '.reason', ARGV[2], n .. '.at', ARGV[3])
            return n
            """);

    /**
     * Deletes everything of a profile: record, inbox, tokens, kept versions, quarantine. KEYS: p, u,
     * t, c, h, v, q. Answers 1 if the record existed (else 0), then its user ids ({@code uids}, false
     * if none), whose index entries the caller removes next ({@link RedisUserIndex#removed}).
     */
    static final Script DELETE = Script.of("delete", """
            local existed = redis.call('EXISTS', KEYS[1])
            local uids = redis.call('HGET', KEYS[1], 'uids')
            redis.call('DEL', unpack(KEYS))
            return {existed, uids}
            """);

    /**
     * Layout 2 step for one record: moves its layout-1 inbox into {@code :u} and {@code :t}.
     * KEYS: p, u, t. ARGV: the inbox as read (the move happens only if it is still that), seq, then
     * {@code id, data} per Active update. Answers 1 = moved, 0 = the inbox changed since it was read.
     */
    static final Script MOVE_INBOX = Script.of("moveInbox", """
            if redis.call('HGET', KEYS[1], 'inbox') ~= ARGV[1] then
              return 0
            end
            for i = 3, #ARGV, 2 do
              local token = 'legacy-' .. ARGV[i]
              redis.call('HSET', KEYS[2], ARGV[i] .. '.v', 1, ARGV[i] .. '.d', ARGV[i + 1], ARGV[i] .. '.t', token)
              redis.call('HSET', KEYS[3], token, ARGV[i])
            end
            redis.call('HSET', KEYS[1], 'seq', ARGV[2])
            redis.call('HDEL', KEYS[1], 'inbox', 'iv')
            return 1
            """);

    /** Releases the upgrade lock if this process still holds it. KEYS: lock. ARGV: holder. */
    static final String UNLOCK = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0
            """;

    /**
     * Heartbeat upsert. KEYS: server hash. ARGV: id, place, job, leaseMillis, gcTtlMillis. The
     * expiry is this server's {@code TIME} plus the lease (epoch millis).
     */
    static final Script HEARTBEAT = Script.of("heartbeat", NOW + """
            local expires = string.format('%.0f', now_millis() + tonumber(ARGV[4]))
            redis.call('HSET', KEYS[1], 'id', ARGV[1], 'place', ARGV[2], 'job', ARGV[3], 'expires', expires)
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            return 1
            """);

    /**
     * A server's lease as this server's clock judges it now. KEYS: server hash. Answers
     * {@code {0}} when there is no row, else {@code {1, place, job, expiresInMillis}}.
     */
    static final Script SERVER = Script.of("server", NOW + """
            local f = redis.call('HMGET', KEYS[1], 'place', 'job', 'expires')
            if not f[3] then
              return {0}
            end
            return {1, f[1] or '', f[2] or '', tonumber(f[3]) - now_millis()}
            """);

    /** The scripts run by EVALSHA (with {@link HistoryScripts#LOADED}), loaded when a backend opens so that the first call of each already hits. */
    static final List<Script> LOADED = Stream.concat(
                    Stream.of(
                            ACQUIRE,
                            READ,
                            READ_UPDATES,
                            SAVE,
                            SAVE_BATCH,
                            SEND,
                            FORCE_RELEASE,
                            QUARANTINE,
                            DELETE,
                            HEARTBEAT,
                            SERVER),
                    HistoryScripts.LOADED.stream())
            .toList();

    // ---------------------------------------------------------------- arguments and answers

    /** A number as the ASCII digits Lua's {@code tonumber} reads. */
    static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A number stored as ASCII digits (or answered as a Redis integer), 0 for a missing field. */
    static long number(Object ascii) {
        if (ascii instanceof Number n) {
            return n.longValue();
        }
        return ascii instanceof byte[] b ? Long.parseLong(new String(b, StandardCharsets.US_ASCII)) : 0;
    }

    /** The status a script answers first. */
    static long status(List<Object> answer) {
        return (Long) answer.get(0);
    }

    /**
     * A record from {@code payload, epoch, sid, place, job, seq, rev} starting at {@code from}, with the
     * updates of the {@code :u} field/value list that follows up to the end of the answer.
     */
    static StoredProfile record(List<Object> answer, int from) {
        if (answer.size() < from + RECORD_FIELDS) {
            throw new IllegalStateException("unexpected script answer with " + answer.size() + " elements");
        }
        byte[] payload = (byte[]) answer.get(from);
        Object epoch = answer.get(from + 1);
        byte[] sid = (byte[]) answer.get(from + 2);
        Object seq = answer.get(from + 5);
        Object revision = answer.get(from + 6);
        List<PendingUpdate> updates = updates(answer, from + RECORD_FIELDS);
        if (payload == null && epoch == null && sid == null && seq == null && updates.isEmpty()) {
            return StoredProfile.ABSENT;
        }
        Owner owner = sid == null ? null : new Owner(text(sid), text(answer.get(from + 3)), text(answer.get(from + 4)));
        return new StoredProfile(payload, number(epoch), owner, updates, number(seq), number(revision));
    }

    /**
     * The previous user ids a save answered ({@code save_one}'s second answer, at the end of the
     * item's {@link #SAVE_ANSWER} entries from {@code from}): the record's {@code uids} before the
     * save, or null if it had none or the save carried no ids or was not applied.
     */
    static byte[] previousUserIds(List<Object> answer, int from) {
        return (byte[]) answer.get(from + 1 + RECORD_FIELDS);
    }

    /** The pending updates of a {@code :u} field/value list ({@code ID.v}, {@code ID.d}, {@code ID.t}), in id order. */
    private static List<PendingUpdate> updates(List<Object> answer, int from) {
        TreeMap<Long, long[]> versions = new TreeMap<>();
        TreeMap<Long, byte[]> data = new TreeMap<>();
        for (int i = from; i + 1 < answer.size(); i += 2) {
            String field = text(answer.get(i));
            int dot = field.lastIndexOf('.');
            long id = Long.parseLong(field.substring(0, dot));
            switch (field.substring(dot + 1)) {
                case "v" -> versions.put(id, new long[] {number(answer.get(i + 1))});
                case "d" -> data.put(id, (byte[]) answer.get(i + 1));
                default -> {} // the token: only the store needs it
            }
        }
        List<PendingUpdate> out = new ArrayList<>(versions.size());
        versions.forEach((id, v) -> out.add(new PendingUpdate(id, v[0], data.getOrDefault(id, new byte[0]))));
        return List.copyOf(out);
    }

    /** Writes the {@link #SAVE_ARGS} arguments of one save into {@code args} from {@code at}, in the order {@code save_one} reads them. */
    static void saveArgs(SaveRequest w, byte[][] args, int at) {
        StringBuilder consume = new StringBuilder();
        for (SaveRequest.Consume c : w.consume()) {
            consume.append(consume.isEmpty() ? "" : " ")
                    .append(c.id())
                    .append(':')
                    .append(c.version());
        }
        args[at] = utf8(w.serverId());
        args[at + 1] = ascii(w.epoch());
        args[at + 2] = w.payload();
        args[at + 3] = ascii(w.release() ? 1 : 0);
        args[at + 4] = consume.toString().getBytes(StandardCharsets.US_ASCII);
        args[at + 5] = w.keepAs() == null ? new byte[0] : utf8(w.keepAs().label());
        args[at + 6] = w.userIds() == null ? new byte[0] : utf8(w.userIdsJson());
    }

    /**
     * A save's outcome from {@code status, nil, epoch, sid, place, job, seq, rev, previousUserIds}
     * starting at {@code from}; a saved record carries the payload just written (the script leaves it
     * out of its answer).
     */
    static SaveResult saveResult(SaveRequest w, List<Object> answer, int from) {
        long status = (Long) answer.get(from);
        StoredProfile after = record(answer.subList(from, from + 1 + RECORD_FIELDS), 1);
        if (status == 0) {
            after = new StoredProfile(
                    w.payload(), after.epoch(), after.owner(), List.of(), after.updateSeq(), after.revision());
        }
        SaveResult.Status outcome = switch ((int) status) {
            case 0 -> SaveResult.Status.SAVED;
            case 1 -> SaveResult.Status.LOST_SESSION;
            case 2 -> SaveResult.Status.UPDATES_CHANGED;
            default -> throw new IllegalStateException("unexpected save status " + status);
        };
        return new SaveResult(outcome, after);
    }

    /** The ARGV of {@link #SEND}. */
    static byte[][] sendArgs(List<UpdateOp> ops, int maxPending) {
        List<byte[]> args = new ArrayList<>(1 + 3 * ops.size());
        args.add(ascii(maxPending));
        for (UpdateOp op : ops) {
            if (op instanceof UpdateOp.Add a) {
                args.addAll(List.of(utf8("a"), utf8(a.token()), a.data()));
            } else if (op instanceof UpdateOp.Change ch) {
                args.addAll(List.of(utf8("c"), ascii(ch.id()), ascii(ch.expectedVersion()), ch.data()));
            } else if (op instanceof UpdateOp.Clear cl) {
                args.addAll(List.of(utf8("x"), ascii(cl.id()), ascii(cl.expectedVersion())));
            }
        }
        return args.toArray(new byte[0][]);
    }

    /** A send's outcome from {@code status, sid, place, job, addedIds...}. */
    static SendResult sendResult(List<Object> answer) {
        long status = status(answer);
        Owner owner =
                answer.get(1) == null ? null : new Owner(text(answer.get(1)), text(answer.get(2)), text(answer.get(3)));
        if (status != 0) {
            return new SendResult(status == 1 ? SendResult.Status.CONFLICT : SendResult.Status.FULL, List.of(), owner);
        }
        List<Long> added = new ArrayList<>(answer.size() - 4);
        for (Object id : answer.subList(4, answer.size())) {
            added.add((Long) id);
        }
        return new SendResult(SendResult.Status.APPLIED, List.copyOf(added), owner);
    }

    /** A lease from the answer of {@link #SERVER}; empty when the server has no heartbeat row. */
    static Optional<ServerLease> lease(String serverId, List<Object> answer) {
        if (status(answer) != 1) {
            return Optional.empty();
        }
        return Optional.of(new ServerLease(
                serverId, text(answer.get(1)), text(answer.get(2)), ((Number) answer.get(3)).longValue()));
    }

    /** UTF-8 bytes as text; anything else (a missing field) as {@code ""}. */
    static String text(Object value) {
        return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : "";
    }
}
