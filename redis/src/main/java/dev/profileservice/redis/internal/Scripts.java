package dev.profileservice.redis.internal;

import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.StoredProfile;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The Lua scripts behind every atomic operation. Each runs on one key slot (all its KEYS share the
 * profile's hash tag), so it is atomic on a single server and on Redis Cluster alike.
 *
 * <p>Record scripts answer {@code {status, payload, epoch, sid, place, job, inbox, iv}} with
 * Redis nil ({@code false} in Lua) for a missing field. The Java side of each script's protocol
 * is here too: its arguments ({@link #saveArgs}, {@link #ascii}, {@link #utf8}) and the reading of
 * its answer ({@link #record}, {@link #saveResult}, {@link #lease}). Stateless.
 */
final class Scripts {
    private Scripts() {
    }

    /** Every field of a record, in the order {@link #record} reads them. */
    private static final String ALL = "redis.call('HMGET', KEYS[1], 'payload', 'epoch', 'sid', 'place', 'job', 'inbox', 'iv')";
    /** Every field but the payload (a save's caller already has it: saves the transfer). */
    private static final String NO_PAYLOAD = "redis.call('HMGET', KEYS[1], 'epoch', 'sid', 'place', 'job', 'inbox', 'iv')";

    /**
     * Acquire. KEYS: record. ARGV: expectedEpoch (-1 = only if free), sid, place, job,
     * initialPayload (stored only if the record has no payload yet).
     * Status 1 = taken (epoch + 1, owner set), 0 = refused (nothing changed).
     */
    static final Script ACQUIRE = Script.of("acquire", """
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
            return {ok and 1 or 0, unpack(%s)}
            """.formatted(ALL));

    /**
     * The fenced save of one record, as a Lua function shared by {@link #SAVE} and
     * {@link #SAVE_BATCH} so a batch item is judged by exactly the same code as a single save.
     * {@code save_one(key, a)} reads its seven arguments from {@code ARGV[a + 1] .. ARGV[a + 7]}:
     * sid, epoch, payload, release (1/0), withInbox (1/0), expectedInboxVersion, newInbox. It
     * writes only when it answers 0 = SAVED; 1 = LOST_SESSION and 2 = INBOX_CHANGED change nothing.
     */
    private static final String SAVE_ONE = """
            local function save_one(key, a)
              local f = redis.call('HMGET', key, 'epoch', 'sid', 'iv')
              if (not f[2]) or f[2] ~= ARGV[a + 1] or tonumber(f[1] or '0') ~= tonumber(ARGV[a + 2]) then
                return 1
              end
              local withInbox = ARGV[a + 5] == '1'
              if withInbox and tonumber(f[3] or '0') ~= tonumber(ARGV[a + 6]) then
                return 2
              end
              redis.call('HSET', key, 'payload', ARGV[a + 3])
              if withInbox then
                redis.call('HSET', key, 'inbox', ARGV[a + 7])
                redis.call('HINCRBY', key, 'iv', 1)
              end
              if ARGV[a + 4] == '1' then
                redis.call('HDEL', key, 'sid', 'place', 'job')
              end
              return 0
            end
            """;

    /** Number of ARGV entries per item of {@link #SAVE_BATCH} (and of {@link #SAVE}). */
    static final int SAVE_ARGS = 7;

    /**
     * Fenced save. KEYS: record. ARGV: sid, epoch, payload, release (1/0), withInbox (1/0),
     * expectedInboxVersion, newInbox. Status 0 = SAVED, 1 = LOST_SESSION, 2 = INBOX_CHANGED.
     */
    static final Script SAVE = Script.of("save", SAVE_ONE + """
            local status = save_one(KEYS[1], 0)
            return {status, false, unpack(%s)}
            """.formatted(NO_PAYLOAD));

    /**
     * Several fenced saves, each item judged on its own by {@code save_one}, in KEYS order.
     * KEYS: the records (all in one Cluster slot when run on a cluster; the caller groups them).
     * ARGV: {@link #SAVE_ARGS} arguments per key, in the order of {@link #SAVE}. Answers a flat
     * array of 8 entries per item, as {@link #SAVE} does for one: {@code status, nil (payload),
     * epoch, sid, place, job, inbox, iv}. One item's refusal never stops the next.
     */
    static final Script SAVE_BATCH = Script.of("saveBatch", SAVE_ONE + """
            if #ARGV ~= %d * #KEYS then
              return redis.error_reply('ERR saveBatch: ' .. #KEYS .. ' keys need ' .. (%d * #KEYS) .. ' arguments, got ' .. #ARGV)
            end
            local out, n = {}, 0
            for i = 1, #KEYS do
              local status = save_one(KEYS[i], (i - 1) * %d)
              local f = redis.call('HMGET', KEYS[i], 'epoch', 'sid', 'place', 'job', 'inbox', 'iv')
              out[n + 1] = status
              out[n + 2] = false
              for j = 1, 6 do
                out[n + 2 + j] = f[j]
              end
              n = n + 8
            end
            return out
            """.formatted(SAVE_ARGS, SAVE_ARGS, SAVE_ARGS));

    /**
     * Inbox compare-and-set. KEYS: record. ARGV: expectedVersion, inbox. Status 1 = written
     * (record created with epoch 0 if missing), 0 = version mismatch (nothing changed).
     */
    static final Script WRITE_INBOX = Script.of("writeInbox", """
            local iv = tonumber(redis.call('HGET', KEYS[1], 'iv') or '0')
            if iv ~= tonumber(ARGV[1]) then
              return {0}
            end
            redis.call('HSET', KEYS[1], 'inbox', ARGV[2])
            redis.call('HINCRBY', KEYS[1], 'iv', 1)
            redis.call('HSETNX', KEYS[1], 'epoch', '0')
            return {1, unpack(%s)}
            """.formatted(ALL));

    /** Administrative release. KEYS: record. Status 0 = no record (nothing created), 1 = released. */
    static final Script FORCE_RELEASE = Script.of("forceRelease", """
            if redis.call('EXISTS', KEYS[1]) == 0 then
              return {0}
            end
            redis.call('HINCRBY', KEYS[1], 'epoch', 1)
            redis.call('HDEL', KEYS[1], 'sid', 'place', 'job')
            return {1, unpack(%s)}
            """.formatted(ALL));

    /** Adds a quarantined copy. KEYS: quarantine hash. ARGV: payload, reason, atMillis. Returns the new count. */
    static final Script QUARANTINE = Script.of("quarantine", """
            local n = redis.call('HINCRBY', KEYS[1], 'count', 1)
            redis.call('HSET', KEYS[1], n .. '.payload', ARGV[1], n .. '.reason', ARGV[2], n .. '.at', ARGV[3])
            return n
            """);

    /** Deletes record, inbox (same hash) and quarantined copies. KEYS: record, quarantine. Returns 1 if the record existed. */
    static final Script DELETE = Script.of("delete", """
            local existed = redis.call('EXISTS', KEYS[1])
            redis.call('DEL', KEYS[1], KEYS[2])
            return existed
            """);

    /** Layout version marker. KEYS: layout key. ARGV: this library's version. Sets it if missing, returns the stored one. */
    static final String LAYOUT = """
            redis.call('SET', KEYS[1], ARGV[1], 'NX')
            return redis.call('GET', KEYS[1])
            """;

    /** The server's clock in epoch milliseconds, as a Lua number: the one clock leases are judged by. */
    private static final String NOW_MILLIS = """
            local function now_millis()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            """;

    /**
     * Heartbeat upsert. KEYS: server hash. ARGV: id, place, job, leaseMillis, gcTtlMillis. The
     * expiry is this server's {@code TIME} plus the lease (epoch millis).
     */
    static final Script HEARTBEAT = Script.of("heartbeat", NOW_MILLIS + """
            local expires = string.format('%.0f', now_millis() + tonumber(ARGV[4]))
            redis.call('HSET', KEYS[1], 'id', ARGV[1], 'place', ARGV[2], 'job', ARGV[3], 'expires', expires)
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            return 1
            """);

    /**
     * A server's lease as this server's clock judges it now. KEYS: server hash. Answers
     * {@code {0}} when there is no row, else {@code {1, place, job, expiresInMillis}}.
     */
    static final Script SERVER = Script.of("server", NOW_MILLIS + """
            local f = redis.call('HMGET', KEYS[1], 'place', 'job', 'expires')
            if not f[3] then
              return {0}
            end
            return {1, f[1] or '', f[2] or '', tonumber(f[3]) - now_millis()}
            """);

    /** The scripts run by EVALSHA, loaded when a backend opens so that the first call of each already hits. */
    static final List<Script> LOADED = List.of(ACQUIRE, SAVE, SAVE_BATCH, WRITE_INBOX, FORCE_RELEASE, QUARANTINE, DELETE,
            HEARTBEAT, SERVER);

    // ---------------------------------------------------------------- arguments and answers

    /** A number as the ASCII digits Lua's {@code tonumber} reads. */
    static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A number stored as ASCII digits, 0 for a missing field. */
    static long number(byte[] ascii) {
        return ascii == null ? 0 : Long.parseLong(new String(ascii, StandardCharsets.US_ASCII));
    }

    /** The status a script answers first. */
    static long status(List<Object> answer) {
        return (Long) answer.get(0);
    }

    /** A record from {@code payload, epoch, sid, place, job, inbox, iv} starting at {@code from}. */
    static StoredProfile record(List<Object> answer, int from) {
        if (answer.size() < from + 7) {
            throw new IllegalStateException("unexpected script answer with " + answer.size() + " elements");
        }
        byte[] payload = (byte[]) answer.get(from);
        byte[] epoch = (byte[]) answer.get(from + 1);
        byte[] sid = (byte[]) answer.get(from + 2);
        byte[] place = (byte[]) answer.get(from + 3);
        byte[] job = (byte[]) answer.get(from + 4);
        byte[] inbox = (byte[]) answer.get(from + 5);
        byte[] iv = (byte[]) answer.get(from + 6);
        if (payload == null && epoch == null && sid == null && inbox == null && iv == null) {
            return StoredProfile.ABSENT;
        }
        Owner owner = sid == null ? null : new Owner(text(sid), text(place), text(job));
        return new StoredProfile(payload, number(epoch), owner, inbox, number(iv));
    }

    /** Writes the {@link #SAVE_ARGS} arguments of one save into {@code args} from {@code at}, in the order {@code save_one} reads them. */
    static void saveArgs(SaveRequest w, byte[][] args, int at) {
        boolean withInbox = w.newInbox() != null;
        args[at] = utf8(w.serverId());
        args[at + 1] = ascii(w.epoch());
        args[at + 2] = w.payload();
        args[at + 3] = ascii(w.release() ? 1 : 0);
        args[at + 4] = ascii(withInbox ? 1 : 0);
        args[at + 5] = ascii(w.expectedInboxVersion());
        args[at + 6] = withInbox ? w.newInbox() : new byte[0];
    }

    /** A save's outcome from {@code status, nil, epoch, sid, place, job, inbox, iv} starting at {@code from}. */
    static SaveResult saveResult(SaveRequest w, List<Object> answer, int from) {
        long status = (Long) answer.get(from);
        StoredProfile after = record(answer, from + 1);
        if (status == 0) {
            // The script leaves the payload out of its answer: it is the one just written.
            after = new StoredProfile(w.payload(), after.epoch(), after.owner(), after.inbox(), after.inboxVersion());
            return new SaveResult(SaveResult.Status.SAVED, after);
        }
        return new SaveResult(status == 1 ? SaveResult.Status.LOST_SESSION : SaveResult.Status.INBOX_CHANGED, after);
    }

    /** A lease from the answer of {@link #SERVER}; empty when the server has no heartbeat row. */
    static Optional<ServerLease> lease(String serverId, List<Object> answer) {
        if (status(answer) != 1) {
            return Optional.empty();
        }
        return Optional.of(new ServerLease(serverId, text(answer.get(1)), text(answer.get(2)), ((Number) answer.get(3)).longValue()));
    }

    /** UTF-8 bytes as text; anything else (a missing field) as {@code ""}. */
    static String text(Object value) {
        return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : "";
    }
}
