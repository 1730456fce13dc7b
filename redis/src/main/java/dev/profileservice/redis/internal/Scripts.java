package dev.profileservice.redis.internal;

/**
 * The Lua scripts behind every atomic operation. Each runs on one key slot (all its KEYS share the
 * profile's hash tag), so it is atomic on a single server and on Redis Cluster alike.
 *
 * <p>Record scripts answer {@code {status, payload, epoch, sid, place, job, inbox, iv}} with
 * Redis nil ({@code false} in Lua) for a missing field; see {@link RedisBackend#decode}.
 */
final class Scripts {
    private Scripts() {
    }

    /** Every field of a record, in the order {@link RedisBackend#decode} expects. */
    private static final String ALL = "redis.call('HMGET', KEYS[1], 'payload', 'epoch', 'sid', 'place', 'job', 'inbox', 'iv')";
    /** Every field but the payload (a save's caller already has it: saves the transfer). */
    private static final String NO_PAYLOAD = "redis.call('HMGET', KEYS[1], 'epoch', 'sid', 'place', 'job', 'inbox', 'iv')";

    /**
     * Acquire. KEYS: record. ARGV: expectedEpoch (-1 = only if free), sid, place, job,
     * initialPayload (stored only if the record has no payload yet).
     * Status 1 = taken (epoch + 1, owner set), 0 = refused (nothing changed).
     */
    static final String ACQUIRE = """
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
            """.formatted(ALL);

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
    static final String SAVE = SAVE_ONE + """
            local status = save_one(KEYS[1], 0)
            return {status, false, unpack(%s)}
            """.formatted(NO_PAYLOAD);

    /**
     * Several fenced saves, each item judged on its own by {@code save_one}, in KEYS order.
     * KEYS: the records (all in one Cluster slot when run on a cluster; the caller groups them).
     * ARGV: {@link #SAVE_ARGS} arguments per key, in the order of {@link #SAVE}. Answers a flat
     * array of 8 entries per item, as {@link #SAVE} does for one: {@code status, nil (payload),
     * epoch, sid, place, job, inbox, iv}. One item's refusal never stops the next.
     */
    static final String SAVE_BATCH = SAVE_ONE + """
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
            """.formatted(SAVE_ARGS, SAVE_ARGS, SAVE_ARGS);

    /**
     * Inbox compare-and-set. KEYS: record. ARGV: expectedVersion, inbox. Status 1 = written
     * (record created with epoch 0 if missing), 0 = version mismatch (nothing changed).
     */
    static final String WRITE_INBOX = """
            local iv = tonumber(redis.call('HGET', KEYS[1], 'iv') or '0')
            if iv ~= tonumber(ARGV[1]) then
              return {0}
            end
            redis.call('HSET', KEYS[1], 'inbox', ARGV[2])
            redis.call('HINCRBY', KEYS[1], 'iv', 1)
            redis.call('HSETNX', KEYS[1], 'epoch', '0')
            return {1, unpack(%s)}
            """.formatted(ALL);

    /** Administrative release. KEYS: record. Status 0 = no record (nothing created), 1 = released. */
    static final String FORCE_RELEASE = """
            if redis.call('EXISTS', KEYS[1]) == 0 then
              return {0}
            end
            redis.call('HINCRBY', KEYS[1], 'epoch', 1)
            redis.call('HDEL', KEYS[1], 'sid', 'place', 'job')
            return {1, unpack(%s)}
            """.formatted(ALL);

    /** Adds a quarantined copy. KEYS: quarantine hash. ARGV: payload, reason, atMillis. Returns the new count. */
    static final String QUARANTINE = """
            local n = redis.call('HINCRBY', KEYS[1], 'count', 1)
            redis.call('HSET', KEYS[1], n .. '.payload', ARGV[1], n .. '.reason', ARGV[2], n .. '.at', ARGV[3])
            return n
            """;

    /** Deletes record, inbox (same hash) and quarantined copies. KEYS: record, quarantine. Returns 1 if the record existed. */
    static final String DELETE = """
            local existed = redis.call('EXISTS', KEYS[1])
            redis.call('DEL', KEYS[1], KEYS[2])
            return existed
            """;

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
    static final String HEARTBEAT = NOW_MILLIS + """
            local expires = string.format('%.0f', now_millis() + tonumber(ARGV[4]))
            redis.call('HSET', KEYS[1], 'id', ARGV[1], 'place', ARGV[2], 'job', ARGV[3], 'expires', expires)
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            return 1
            """;

    /**
     * A server's lease as this server's clock judges it now. KEYS: server hash. Answers
     * {@code {0}} when there is no row, else {@code {1, place, job, expiresInMillis}}.
     */
    static final String SERVER = NOW_MILLIS + """
            local f = redis.call('HMGET', KEYS[1], 'place', 'job', 'expires')
            if not f[3] then
              return {0}
            end
            return {1, f[1] or '', f[2] or '', tonumber(f[3]) - now_millis()}
            """;
}
