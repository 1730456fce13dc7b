package dev.profileservice.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The raw baseline over Redis with Lettuce: one hash per key {@code (epoch, owner, payload)} and
 * one Lua script per operation (acquire, fenced save, fenced release), sent with {@code EVALSHA} on
 * one shared connection (Lettuce multiplexes concurrent callers onto it): one round trip each.
 * Thread-safe.
 */
public final class RawRedisStore extends CountedRawStore {

    private static final String ACQUIRE = """
            if redis.call('HEXISTS', KEYS[1], 'owner') == 1 then return false end
            local epoch = redis.call('HINCRBY', KEYS[1], 'epoch', 1)
            redis.call('HSET', KEYS[1], 'owner', ARGV[1])
            return {epoch, redis.call('HGET', KEYS[1], 'payload')}
            """;
    private static final String SAVE = """
            local cur = redis.call('HMGET', KEYS[1], 'epoch', 'owner')
            if cur[1] ~= ARGV[1] or cur[2] ~= ARGV[2] then return 0 end
            redis.call('HSET', KEYS[1], 'payload', ARGV[3])
            if ARGV[4] == '1' then redis.call('HDEL', KEYS[1], 'owner') end
            return 1
            """;

    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final RedisCommands<byte[], byte[]> redis;
    private final String prefix = "psbench:raw:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private final String acquireSha;
    private final String saveSha;
    private final List<byte[]> created = new ArrayList<>();

    /** @param redisUri e.g. {@code redis://127.0.0.1:6379} */
    public RawRedisStore(String redisUri) {
        this.client = RedisClient.create(redisUri);
        this.connection = client.connect(ByteArrayCodec.INSTANCE);
        this.redis = connection.sync();
        this.acquireSha = redis.scriptLoad(ACQUIRE);
        this.saveSha = redis.scriptLoad(SAVE);
    }

    @Override
    public String describe() {
        return "Lettuce (one multiplexed connection), Lua script per operation";
    }

    private byte[] key(String key) {
        return bytes(prefix + key);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void prepare(List<String> keys, byte[] payload) {
        var async = connection.async();
        List<io.lettuce.core.RedisFuture<?>> pending = new ArrayList<>();
        for (String key : keys) {
            byte[] k = key(key);
            synchronized (created) {
                created.add(k);
            }
            pending.add(async.hset(k, Map.of(bytes("epoch"), bytes("0"), bytes("payload"), payload)));
            pending.add(async.hdel(k, bytes("owner")));
        }
        for (var f : pending) {
            try {
                f.get();
            } catch (Exception e) {
                throw new IllegalStateException(
                        "raw baseline: preparing " + keys.size() + " keys failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public Session acquire(String key, String owner) {
        roundTrip();
        List<Object> out = redis.evalsha(acquireSha, ScriptOutputType.MULTI, new byte[][] {key(key)}, bytes(owner));
        if (out == null || out.isEmpty() || out.get(0) == null) {
            throw new IllegalStateException("raw baseline: " + key + " is owned");
        }
        return new Session(key, owner, (Long) out.get(0), (byte[]) out.get(1));
    }

    @Override
    public boolean save(Session s, byte[] payload) {
        return write(s, payload, "0");
    }

    @Override
    public boolean release(Session s, byte[] payload) {
        return write(s, payload, "1");
    }

    private boolean write(Session s, byte[] payload, String release) {
        roundTrip();
        Long ok = redis.evalsha(
                saveSha,
                ScriptOutputType.INTEGER,
                new byte[][] {key(s.key())},
                bytes(Long.toString(s.epoch())),
                bytes(s.owner()),
                payload,
                bytes(release));
        return ok != null && ok == 1L;
    }

    @Override
    public void close() {
        try {
            synchronized (created) {
                for (int i = 0; i < created.size(); i += 500) {
                    redis.del(created.subList(i, Math.min(created.size(), i + 500))
                            .toArray(new byte[0][]));
                }
            }
        } finally {
            connection.close();
            client.shutdown();
        }
    }
}
