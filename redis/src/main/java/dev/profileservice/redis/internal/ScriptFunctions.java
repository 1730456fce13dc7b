package dev.profileservice.redis.internal;

/**
 * The Lua functions that several scripts of {@link Scripts} and {@link HistoryScripts} share, each
 * defined once here and prepended to the source of every script that calls it, so that a save, a
 * batch item and an overwrite run exactly the same text: {@code now_millis()} ({@link #NOW}),
 * {@code record(...)} ({@link #HELPERS}), {@code retire(...)} ({@link #RETIRE}), {@code
 * set_uids(...)} ({@link #SET_UIDS}) and {@code keep(...)} ({@link #KEEP}). Stateless.
 */
final class ScriptFunctions {
    private ScriptFunctions() {}

    /** {@code now_millis()}: the server's clock in epoch milliseconds, the one clock leases and token retention are judged by. */
    static final String NOW = """
            local function now_millis()
              local t = redis.call('TIME')
              return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            end
            """;

    /** The record's fields in the order {@link Scripts#record} reads them. */
    static final String FIELDS = "'payload', 'epoch', 'sid', 'place', 'job', 'seq', 'rev'";

    /** Lua helpers: {@code record(p, u, withPayload, withUpdates)} answers the record as {@link Scripts} describes; and {@link #NOW}. */
    static final String HELPERS = NOW + """
            local function record(p, u, withPayload, withUpdates)
              local out = redis.call('HMGET', p, %s)
              if not withPayload then
                out[1] = false
              end
              if withUpdates then
                local all = redis.call('HGETALL', u)
                for i = 1, #all do
                  out[7 + i] = all[i]
                end
              end
              return out
            end
            """.formatted(FIELDS);

    /**
     * Takes a pending update out of the inbox (consumed by a save, or cleared by a sender): its
     * fields go, its token stays in {@code :t} and is stamped in {@code :c} with the time, so a
     * sender retrying the add within the retention still finds it.
     */
    static final String RETIRE = """
            local function retire(u, c, id, now)
              local token = redis.call('HGET', u, id .. '.t')
              redis.call('HDEL', u, id .. '.v', id .. '.d', id .. '.t')
              if token then
                redis.call('ZADD', c, now, token)
              end
            end
            """;

    /**
     * {@code set_uids(p, json)}: replaces the record's user ids (field {@code uids}, a JSON array as
     * {@link dev.profileservice.spi.SaveRequest#userIdsJson()} gives it; no field when there are none) and answers the
     * previous ones (false if none). The ids stay text: Lua's numbers would round ids above 2^53.
     */
    static final String SET_UIDS = """
            local function set_uids(p, json)
              local previous = redis.call('HGET', p, 'uids')
              if json == '[]' then
                redis.call('HDEL', p, 'uids')
              else
                redis.call('HSET', p, 'uids', json)
              end
              return previous
            end
            """;

    /**
     * Keeps a payload as the version {@code rev} ({@link dev.profileservice.spi.VersionHistory}):
     * the revision in {@code :h}, its fields in {@code :v} (any left from an earlier record of the
     * same name go first). {@code sid} false: written outside any session, no writer.
     */
    static final String KEEP = """
            local function keep(h, v, rev, payload, now, cause, sid, place, job)
              local r = string.format('%.0f', rev)
              redis.call('HDEL', v, r .. '.pin', r .. '.sid', r .. '.place', r .. '.job')
              redis.call('ZADD', h, rev, r)
              redis.call('HSET', v, r .. '.d', payload, r .. '.at', string.format('%.0f', now), r .. '.c', cause)
              if sid then
                redis.call('HSET', v, r .. '.sid', sid, r .. '.place', place or '', r .. '.job', job or '')
              end
            end
            """;
}
