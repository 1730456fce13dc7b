package dev.profileservice.redis.internal;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.LeaseClock;
import dev.profileservice.spi.MessageBus;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.RoundTripListener;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.ServerLease;
import dev.profileservice.spi.SessionInfo;
import dev.profileservice.spi.StoredProfile;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The Redis {@link Backend}: one record per profile in a hash, every atomic operation one Lua script
 * (EVALSHA, falling back to EVAL when the server lost its script cache) or one plain command, all
 * on keys hash-tagged {@code {store:key}} so each touches one Cluster slot. See {@link RedisKeys}
 * for the layout and {@link Scripts} for the scripts.
 *
 * <h2>Threads</h2>
 * Every method blocks the calling thread for at most the command timeout (per round trip) and may
 * be called from many threads at once: they share one multiplexed Lettuce connection. Pub/sub
 * messages arrive on Lettuce's I/O threads and are handed to the bus's own delivery thread.
 */
public final class RedisBackend implements Backend, BackendAdmin {

    /** Keys as UTF-8 strings, values (payloads, inboxes, script arguments) as raw bytes. */
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    /** Heartbeat hashes of servers that stopped without removing them vanish after this. */
    static final Duration SERVER_GC_TTL = Duration.ofDays(7);

    private static final int SCAN_COUNT = 1000;

    /**
     * The {@link #maxBatchSize()}, and the most items one batch script takes. 64 because the round
     * trip is already amortised there: past a few dozen items the time per item is the server's own
     * work (running the script, writing the hashes, copying the payloads), so longer batches gain
     * little (measured on a small two-core test machine with 2 KB payloads: about 12 us per item at
     * 64, 10 us at 128, against about 130 us for single saves). A longer script, though, holds the
     * single-threaded server for longer, and Redis runs no other client's command meanwhile; a
     * 64-item script of 2 KB payloads ran for about half a millisecond there. A longer batch is
     * split into scripts of at most this many items, sent pipelined.
     */
    static final int MAX_BATCH_SIZE = 64;

    /**
     * The most payload and inbox bytes one batch script carries (one item may exceed it alone).
     * Profiles may be megabytes (the engine's default limit is 4 MB); 64 of those in one script
     * would block the server while it copies them, so such a batch goes out as several pipelined
     * scripts instead, between which other clients' commands run.
     */
    static final long MAX_SCRIPT_BYTES = 8L * 1024 * 1024;

    private final StatefulConnection<String, byte[]> connection;
    private final RedisClusterCommands<String, byte[]> sync;
    private final RedisClusterAsyncCommands<String, byte[]> async;
    private final RedisMessageBus bus;
    private final RedisKeys keys;
    private final String description;
    private final RedisErrors errors;
    private final Duration timeout;
    private final AutoCloseable owned;
    /** Redis Cluster: a script may only take keys of one slot, so batches are split by slot. */
    private final boolean cluster;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile RoundTripListener roundTrips = RoundTripListener.NONE;

    private final Script acquire = new Script("acquire", Scripts.ACQUIRE);
    private final Script save = new Script("save", Scripts.SAVE);
    private final Script saveBatch = new Script("saveBatch", Scripts.SAVE_BATCH);
    private final Script writeInbox = new Script("writeInbox", Scripts.WRITE_INBOX);
    private final Script forceRelease = new Script("forceRelease", Scripts.FORCE_RELEASE);
    private final Script quarantine = new Script("quarantine", Scripts.QUARANTINE);
    private final Script delete = new Script("delete", Scripts.DELETE);
    private final Script heartbeat = new Script("heartbeat", Scripts.HEARTBEAT);
    private final Script server = new Script("server", Scripts.SERVER);

    private RedisBackend(StatefulConnection<String, byte[]> connection, RedisClusterCommands<String, byte[]> sync,
                         RedisClusterAsyncCommands<String, byte[]> async, RedisMessageBus bus, RedisKeys keys,
                         String description, RedisErrors errors, Duration timeout, AutoCloseable owned) {
        this.connection = connection;
        this.sync = sync;
        this.async = async;
        this.bus = bus;
        this.keys = keys;
        this.description = description;
        this.errors = errors;
        this.timeout = timeout;
        this.owned = owned;
        this.cluster = connection instanceof StatefulRedisClusterConnection;
    }

    /**
     * Connects to a single server (or a primary) with a {@link RedisClient}; see
     * {@link #open(Supplier, Supplier, String, Duration, String, String, AutoCloseable)}.
     *
     * @param uri where to connect, or null for the client's own default URI
     */
    public static RedisBackend open(RedisClient client, RedisURI uri, String keyPrefix, Duration commandTimeout,
                                    String description, String password, AutoCloseable owned) {
        return open(() -> uri == null ? client.connect(CODEC) : client.connect(CODEC, uri),
                () -> uri == null ? client.connectPubSub(StringCodec.UTF8) : client.connectPubSub(StringCodec.UTF8, uri),
                keyPrefix, commandTimeout, description, password, owned);
    }

    /** Connects to a Redis Cluster with a {@link RedisClusterClient}; see {@link #open(Supplier, Supplier, String, Duration, String, String, AutoCloseable)}. */
    public static RedisBackend open(RedisClusterClient client, String keyPrefix, Duration commandTimeout,
                                    String description, String password, AutoCloseable owned) {
        return open(() -> client.connect(CODEC), () -> client.connectPubSub(StringCodec.UTF8),
                keyPrefix, commandTimeout, description, password, owned);
    }

    /**
     * Connects, checks the server with PING, records the layout version, loads the scripts and opens
     * the pub/sub connection.
     *
     * @param connect        opens the command connection (standalone or cluster)
     * @param connectPubSub  opens the pub/sub connection
     * @param keyPrefix      first part of every key this backend writes
     * @param commandTimeout how long one round trip may take before it fails (transient)
     * @param description    the URI with its password masked, for messages
     * @param password       the password to scrub from messages, or null
     * @param owned          closed with the backend (or at once if opening fails); null if none
     * @throws BackendException naming {@code description} if the server cannot be reached
     */
    static RedisBackend open(Supplier<? extends StatefulConnection<String, byte[]>> connect,
                             Supplier<? extends StatefulRedisPubSubConnection<String, String>> connectPubSub,
                             String keyPrefix, Duration commandTimeout, String description, String password,
                             AutoCloseable owned) {
        RedisKeys keys = new RedisKeys(keyPrefix);
        RedisErrors errors = new RedisErrors(password);
        StatefulConnection<String, byte[]> connection = null;
        StatefulRedisPubSubConnection<String, String> pubSub = null;
        try {
            connection = connect.get();
            connection.setTimeout(commandTimeout);
            RedisClusterCommands<String, byte[]> sync;
            RedisClusterAsyncCommands<String, byte[]> async;
            if (connection instanceof StatefulRedisClusterConnection<String, byte[]> c) {
                sync = c.sync();
                async = c.async();
            } else if (connection instanceof StatefulRedisConnection<String, byte[]> c) {
                sync = c.sync();
                async = c.async();
            } else {
                throw new IllegalStateException("unsupported Lettuce connection " + connection.getClass().getName());
            }
            String pong = sync.ping();
            if (!"PONG".equalsIgnoreCase(pong)) {
                throw new BackendException("Redis at " + description + " answered PING with '" + pong + "'", false);
            }
            pubSub = connectPubSub.get();
            pubSub.setTimeout(commandTimeout);
            RedisMessageBus bus = new RedisMessageBus(pubSub, async, keys, description);
            RedisBackend backend = new RedisBackend(connection, sync, async, bus, keys, description, errors, commandTimeout, owned);
            backend.checkLayout();
            backend.loadScripts();
            return backend;
        } catch (RuntimeException e) {
            closeQuietly(pubSub);
            closeQuietly(connection);
            closeQuietly(owned);
            throw errors.map("cannot open Redis backend " + description + ":", e);
        }
    }

    /**
     * Records the key layout version under {@code PREFIX:layout} on first use and refuses to run on
     * a newer one (a later release that changes the layout migrates from this number).
     */
    private void checkLayout() {
        byte[] found = sync.eval(Scripts.LAYOUT, ScriptOutputType.VALUE, new String[]{keys.layout()},
                ascii(RedisKeys.LAYOUT_VERSION));
        long version = number(found);
        if (version > RedisKeys.LAYOUT_VERSION) {
            throw new BackendException("Redis key layout under prefix '" + keys.prefix() + "' on " + description
                    + " is version " + version + ", newer than this library's " + RedisKeys.LAYOUT_VERSION
                    + "; upgrade profileservice-redis", false);
        }
    }

    /** SCRIPT LOAD of every script (pipelined), so that the first EVALSHA of each already hits. */
    private void loadScripts() {
        List<RedisFuture<String>> futures = new ArrayList<>();
        for (Script s : List.of(acquire, save, saveBatch, writeInbox, forceRelease, quarantine, delete, heartbeat, server)) {
            futures.add(async.scriptLoad(s.source));
        }
        for (RedisFuture<String> f : futures) {
            await(f);
        }
    }

    @Override
    public String describe() {
        return description;
    }

    /** The built-in stores offer every administrative operation themselves. */
    @Override
    public Optional<BackendAdmin> admin() {
        return Optional.of(this);
    }

    // ---------------------------------------------------------------- records

    @Override
    public StoredProfile read(String store, String key) {
        return call("read", store, key, () -> {
            roundTrips.roundTrip("read");
            List<KeyValue<String, byte[]>> fields = sync.hmget(keys.record(store, key),
                    "payload", "epoch", "sid", "place", "job", "inbox", "iv");
            List<Object> values = new ArrayList<>(fields.size());
            for (KeyValue<String, byte[]> kv : fields) {
                values.add(kv.hasValue() ? kv.getValue() : null);
            }
            return decode(values, 0);
        });
    }

    @Override
    public AcquireResult acquire(String store, String key, Owner me, long expectedEpoch, byte[] initialPayload) {
        if (expectedEpoch < -1) {
            throw new IllegalArgumentException("expectedEpoch must be -1 or >= 0, was " + expectedEpoch);
        }
        return call("acquire", store, key, () -> {
            List<Object> r = eval(acquire, new String[]{keys.record(store, key)},
                    ascii(expectedEpoch), utf8(me.serverId()), utf8(me.placeId()), utf8(me.jobId()), initialPayload);
            return new AcquireResult(status(r) == 1, decode(r, 1));
        });
    }

    @Override
    public SaveResult save(String store, String key, SaveRequest w) {
        return call("save", store, key, () -> {
            byte[][] args = new byte[Scripts.SAVE_ARGS][];
            saveArgs(w, args, 0);
            return saveResult(w, eval(save, new String[]{keys.record(store, key)}, args), 0);
        });
    }

    /**
     * The same fenced saves as {@link #save}, each judged on its own by the same Lua code, in one
     * round trip for up to {@link #maxBatchSize()} items.
     *
     * <p><b>Standalone Redis:</b> one {@code EVALSHA} of {@link Scripts#SAVE_BATCH} with every
     * item's record key. The script runs the items one after another; the whole script is atomic
     * (more than the SPI asks), and each item's outcome depends only on its own record.
     *
     * <p><b>Redis Cluster:</b> one script may only take keys of one slot, and the items of a batch
     * are different profiles, so their keys almost always lie in different slots (on different
     * nodes). The items are grouped by slot, and one batch script per slot is sent, all of them
     * written to the connection before any answer is awaited (pipelined; Lettuce routes each to the
     * node owning its slot). That is one round trip in wall-clock terms, and it is reported once,
     * but it is several requests: the servers run up to {@code items.size()} scripts, each
     * atomic on its own slot only.
     *
     * <p>More than {@link #MAX_BATCH_SIZE} items, or more than {@link #MAX_SCRIPT_BYTES} of
     * payloads in one group, are split into several scripts, all pipelined together and reported
     * as one round trip as well. If the server lost its script cache ({@code NOSCRIPT}), the
     * scripts it refused (which did nothing) are sent again with {@code EVAL}, pipelined too: a
     * second round trip, reported as such.
     *
     * <p>Threads: the calling thread sends and then blocks on the answers for at most the command
     * timeout per round trip; Lettuce's I/O threads complete the futures; results are decoded on
     * the calling thread.
     *
     * @throws IllegalArgumentException if two items save the same record (named in the message)
     * @throws BackendException         if any script failed; as the SPI says, the outcome of every
     *                                  item is then unknown (on Cluster, other slots' scripts may
     *                                  have been applied)
     */
    @Override
    public List<SaveResult> saveBatch(List<SaveItem> items) {
        Objects.requireNonNull(items, "items");
        int n = items.size();
        String[] recordKeys = new String[n];
        Map<String, Integer> seen = new HashMap<>(Math.max(16, n * 2));
        for (int i = 0; i < n; i++) {
            SaveItem item = items.get(i);
            if (item == null) {
                throw new NullPointerException("saveBatch: items[" + i + "] is null");
            }
            recordKeys[i] = keys.record(item.store(), item.key());
            Integer first = seen.putIfAbsent(recordKeys[i], i);
            if (first != null) {
                throw new IllegalArgumentException("saveBatch: items[" + first + "] and items[" + i + "] both save "
                        + item.store() + "/" + item.key() + "; a batch may hold each record only once");
            }
        }
        return call("saveBatch", batchSubject(items), () -> n == 0 ? List.<SaveResult>of() : runBatch(items, recordKeys));
    }

    @Override
    public int maxBatchSize() {
        return MAX_BATCH_SIZE;
    }

    private List<SaveResult> runBatch(List<SaveItem> items, String[] recordKeys) {
        List<int[]> chunks = chunks(items, recordKeys, cluster);
        List<List<Object>> answers = new ArrayList<>(chunks.size());
        List<Integer> all = new ArrayList<>(chunks.size());
        for (int c = 0; c < chunks.size(); c++) {
            answers.add(null);
            all.add(c);
        }
        roundTrips.roundTrip(saveBatch.operation);
        List<Integer> refused = sendChunks(true, chunks, all, items, recordKeys, answers);
        if (!refused.isEmpty()) {
            roundTrips.roundTrip(saveBatch.operation);
            sendChunks(false, chunks, refused, items, recordKeys, answers);
        }
        SaveResult[] results = new SaveResult[items.size()];
        for (int c = 0; c < chunks.size(); c++) {
            int[] chunk = chunks.get(c);
            List<Object> r = answers.get(c);
            if (r.size() != 8 * chunk.length) {
                throw new IllegalStateException("unexpected saveBatch answer with " + r.size() + " elements for "
                        + chunk.length + " items");
            }
            for (int j = 0; j < chunk.length; j++) {
                results[chunk[j]] = saveResult(items.get(chunk[j]).request(), r, 8 * j);
            }
        }
        return Arrays.asList(results);
    }

    /**
     * The scripts of a batch, as lists of item indexes: one group per Cluster slot when
     * {@code cluster} (one group in all on a single server), each cut after {@link #MAX_BATCH_SIZE} items or
     * {@link #MAX_SCRIPT_BYTES} bytes. Items keep their order within a group.
     */
    static List<int[]> chunks(List<SaveItem> items, String[] recordKeys, boolean cluster) {
        Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < recordKeys.length; i++) {
            int group = cluster ? RedisKeys.slot(recordKeys[i]) : 0;
            groups.computeIfAbsent(group, g -> new ArrayList<>()).add(i);
        }
        List<int[]> out = new ArrayList<>();
        for (List<Integer> group : groups.values()) {
            int start = 0;
            long bytes = 0;
            for (int j = 0; j < group.size(); j++) {
                SaveRequest w = items.get(group.get(j)).request();
                long size = w.payload().length + (w.newInbox() == null ? 0 : w.newInbox().length);
                if (j > start && (j - start == MAX_BATCH_SIZE || bytes + size > MAX_SCRIPT_BYTES)) {
                    out.add(indexes(group, start, j));
                    start = j;
                    bytes = 0;
                }
                bytes += size;
            }
            out.add(indexes(group, start, group.size()));
        }
        return out;
    }

    private static int[] indexes(List<Integer> group, int from, int to) {
        int[] out = new int[to - from];
        for (int j = from; j < to; j++) {
            out[j - from] = group.get(j);
        }
        return out;
    }

    /**
     * Sends the chunks {@code which} pipelined (EVALSHA, or EVAL when {@code bySha} is false), then
     * awaits them all within one command timeout and stores their answers. Returns the chunks the
     * server refused with NOSCRIPT (they ran nothing); any other failure is thrown.
     */
    private List<Integer> sendChunks(boolean bySha, List<int[]> chunks, List<Integer> which, List<SaveItem> items,
                                     String[] recordKeys, List<List<Object>> answers) {
        List<RedisFuture<List<Object>>> futures = new ArrayList<>(which.size());
        for (int c : which) {
            int[] chunk = chunks.get(c);
            String[] k = new String[chunk.length];
            byte[][] args = new byte[chunk.length * Scripts.SAVE_ARGS][];
            for (int j = 0; j < chunk.length; j++) {
                k[j] = recordKeys[chunk[j]];
                saveArgs(items.get(chunk[j]).request(), args, j * Scripts.SAVE_ARGS);
            }
            futures.add(bySha ? async.evalsha(saveBatch.sha, ScriptOutputType.MULTI, k, args)
                    : async.eval(saveBatch.source, ScriptOutputType.MULTI, k, args));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Integer> refused = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            try {
                answers.set(which.get(i), await(futures.get(i), deadline));
            } catch (RedisNoScriptException e) {
                refused.add(which.get(i));
            }
        }
        return refused;
    }

    /** {@code store/key} of the first few items, for error messages. */
    private static String batchSubject(List<SaveItem> items) {
        StringBuilder b = new StringBuilder().append(items.size()).append(items.size() == 1 ? " save (" : " saves (");
        for (int i = 0; i < Math.min(3, items.size()); i++) {
            SaveItem item = items.get(i);
            b.append(i == 0 ? "" : ", ").append(item.store()).append('/').append(item.key());
        }
        return b.append(items.size() > 3 ? ", ...)" : ")").toString();
    }

    /** Writes the {@link Scripts#SAVE_ARGS} script arguments of one save into {@code args} from {@code at}. */
    private static void saveArgs(SaveRequest w, byte[][] args, int at) {
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
    private static SaveResult saveResult(SaveRequest w, List<Object> r, int from) {
        long status = (Long) r.get(from);
        StoredProfile after = decode(r, from + 1);
        if (status == 0) {
            // The script leaves the payload out of its answer: it is the one just written.
            after = new StoredProfile(w.payload(), after.epoch(), after.owner(), after.inbox(), after.inboxVersion());
            return new SaveResult(SaveResult.Status.SAVED, after);
        }
        return new SaveResult(status == 1 ? SaveResult.Status.LOST_SESSION : SaveResult.Status.INBOX_CHANGED, after);
    }

    @Override
    public Optional<StoredProfile> writeInbox(String store, String key, long expectedVersion, byte[] inbox) {
        java.util.Objects.requireNonNull(inbox, "inbox");
        return call("writeInbox", store, key, () -> {
            List<Object> r = eval(writeInbox, new String[]{keys.record(store, key)}, ascii(expectedVersion), inbox);
            return status(r) == 1 ? Optional.of(decode(r, 1)) : Optional.<StoredProfile>empty();
        });
    }

    @Override
    public StoredProfile forceRelease(String store, String key) {
        return call("forceRelease", store, key, () -> {
            List<Object> r = eval(forceRelease, new String[]{keys.record(store, key)});
            return status(r) == 1 ? decode(r, 1) : StoredProfile.ABSENT;
        });
    }

    @Override
    public boolean delete(String store, String key) {
        return call("delete", store, key, () -> {
            Long existed = evalInteger(delete, new String[]{keys.record(store, key), keys.quarantine(store, key)});
            return existed != null && existed == 1L;
        });
    }

    // ---------------------------------------------------------------- quarantine

    @Override
    public void quarantine(String store, String key, byte[] payload, String reason, long atMillis) {
        java.util.Objects.requireNonNull(payload, "payload");
        call("quarantine", store, key, () -> evalInteger(quarantine, new String[]{keys.quarantine(store, key)},
                payload, utf8(reason == null ? "" : reason), ascii(atMillis)));
    }

    @Override
    public int quarantineCount(String store, String key) {
        return call("quarantineCount", store, key, () -> {
            roundTrips.roundTrip("quarantineCount");
            byte[] count = sync.hget(keys.quarantine(store, key), "count");
            return count == null ? 0 : Integer.parseInt(new String(count, StandardCharsets.US_ASCII));
        });
    }

    // ---------------------------------------------------------------- servers

    @Override
    public void heartbeat(Owner me, Duration lease) {
        call("heartbeat", "server " + me.serverId(), () -> evalInteger(heartbeat, new String[]{keys.server(me.serverId())},
                utf8(me.serverId()), utf8(me.placeId()), utf8(me.jobId()), ascii(lease.toMillis()),
                ascii(SERVER_GC_TTL.toMillis())));
    }

    @Override
    public Optional<ServerLease> server(String serverId) {
        return call("server", "server " + serverId, () -> lease(serverId, eval(server, new String[]{keys.server(serverId)})));
    }

    /** Redis's own {@code TIME}, read inside the scripts. */
    @Override
    public LeaseClock leaseClock() {
        return LeaseClock.STORE;
    }

    @Override
    public void removeServer(String serverId) {
        call("removeServer", "server " + serverId, () -> {
            roundTrips.roundTrip("removeServer");
            return sync.del(keys.server(serverId));
        });
    }

    /** One script per server row, so each lease is judged by the clock of the node that holds it. */
    @Override
    public List<ServerLease> servers() {
        return call("servers", "listing servers", () -> {
            String start = keys.server("");
            List<ServerLease> out = new ArrayList<>();
            for (String k : scan("servers", keys.serverPattern())) {
                lease(k.substring(start.length()), eval(server, new String[]{k})).ifPresent(out::add);
            }
            out.sort(Comparator.comparing(ServerLease::serverId));
            return out;
        });
    }

    private static Optional<ServerLease> lease(String serverId, List<Object> r) {
        if (status(r) != 1) {
            return Optional.empty();
        }
        return Optional.of(new ServerLease(serverId, utf8Text(r.get(1)), utf8Text(r.get(2)), ((Number) r.get(3)).longValue()));
    }

    private static String text(KeyValue<String, byte[]> kv) {
        return kv.hasValue() ? new String(kv.getValue(), StandardCharsets.UTF_8) : "";
    }

    private static String utf8Text(Object value) {
        return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : "";
    }

    // ---------------------------------------------------------------- administration

    @Override
    public List<String> keys(String store, String afterKey, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        return call("keys", "store " + store, () -> {
            TreeSet<String> smallest = new TreeSet<>();
            if (limit == 0) {
                return List.<String>of();
            }
            for (String redisKey : scan("keys", keys.recordPattern(store))) {
                String key = keys.keyOfRecord(store, redisKey);
                if (key == null || (afterKey != null && key.compareTo(afterKey) <= 0)) {
                    continue;
                }
                smallest.add(key);
                if (smallest.size() > limit) {
                    smallest.pollLast();
                }
            }
            return List.copyOf(smallest);
        });
    }

    @Override
    public List<SessionInfo> sessions(String store) {
        return call("sessions", "store " + store, () -> {
            List<String> found = scan("sessions", keys.recordPattern(store));
            List<String> profileKeys = new ArrayList<>();
            List<RedisFuture<List<KeyValue<String, byte[]>>>> futures = new ArrayList<>();
            for (String redisKey : found) {
                String key = keys.keyOfRecord(store, redisKey);
                if (key != null) {
                    profileKeys.add(key);
                    futures.add(async.hmget(redisKey, "epoch", "sid", "place", "job"));
                }
            }
            if (!futures.isEmpty()) {
                roundTrips.roundTrip("sessions");
            }
            List<SessionInfo> out = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                List<KeyValue<String, byte[]>> f = await(futures.get(i));
                if (f.get(1).hasValue()) {
                    long epoch = f.get(0).hasValue() ? Long.parseLong(new String(f.get(0).getValue(), StandardCharsets.US_ASCII)) : 0;
                    out.add(new SessionInfo(profileKeys.get(i), epoch,
                            new Owner(text(f.get(1)), text(f.get(2)), text(f.get(3)))));
                }
            }
            out.sort(Comparator.comparing(SessionInfo::key));
            return out;
        });
    }

    /** Every key matching {@code pattern}, by SCAN (one round trip per page; works on any server). */
    private List<String> scan(String operation, String pattern) {
        List<String> out = new ArrayList<>();
        ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_COUNT);
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            roundTrips.roundTrip(operation);
            KeyScanCursor<String> page = sync.scan(cursor, args);
            out.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        return out;
    }

    // ---------------------------------------------------------------- bus, hooks, lifecycle

    @Override
    public Optional<MessageBus> messageBus() {
        return Optional.of(bus);
    }

    @Override
    public void setRoundTripListener(RoundTripListener listener) {
        this.roundTrips = listener == null ? RoundTripListener.NONE : listener;
    }

    /** The key layout (tests and tools). */
    public String keyPrefix() {
        return keys.prefix();
    }

    /** The command timeout: the longest one round trip may take before it fails. */
    public Duration commandTimeout() {
        return timeout;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(bus);
        closeQuietly(connection);
        closeQuietly(owned);
    }

    // ---------------------------------------------------------------- plumbing

    @FunctionalInterface
    private interface Body<T> {
        T run();
    }

    private <T> T call(String operation, String store, String key, Body<T> body) {
        return call(operation, store + "/" + key, body);
    }

    /** Runs {@code body} (which reports its own round trips) and maps every failure. */
    private <T> T call(String operation, String subject, Body<T> body) {
        if (closed.get()) {
            throw new BackendException(description + " is closed", false);
        }
        try {
            return body.run();
        } catch (RuntimeException e) {
            throw errors.map(description + ": " + operation + " of " + subject, e);
        }
    }

    /** Runs a script that answers an array: EVALSHA, or EVAL if the server does not know the script. One round trip normally. */
    private List<Object> eval(Script script, String[] keyNames, byte[]... args) {
        roundTrips.roundTrip(script.operation);
        try {
            return sync.evalsha(script.sha, ScriptOutputType.MULTI, keyNames, args);
        } catch (RedisNoScriptException e) {
            roundTrips.roundTrip(script.operation);
            return sync.eval(script.source, ScriptOutputType.MULTI, keyNames, args);
        }
    }

    private Long evalInteger(Script script, String[] keyNames, byte[]... args) {
        roundTrips.roundTrip(script.operation);
        try {
            return sync.evalsha(script.sha, ScriptOutputType.INTEGER, keyNames, args);
        } catch (RedisNoScriptException e) {
            roundTrips.roundTrip(script.operation);
            return sync.eval(script.source, ScriptOutputType.INTEGER, keyNames, args);
        }
    }

    private <T> T await(RedisFuture<T> future) {
        return await(future, System.nanoTime() + timeout.toNanos());
    }

    /** Awaits a future until {@code deadlineNanos} ({@link System#nanoTime()}), for several pipelined commands sharing one timeout. */
    private <T> T await(RedisFuture<T> future, long deadlineNanos) {
        try {
            return future.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            throw new io.lettuce.core.RedisCommandInterruptedException(e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new io.lettuce.core.RedisCommandTimeoutException("Command timed out after " + timeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new io.lettuce.core.RedisException(cause);
        }
    }

    private static long status(List<Object> r) {
        return (Long) r.get(0);
    }

    /** A record from {@code payload, epoch, sid, place, job, inbox, iv} starting at {@code from}. */
    static StoredProfile decode(List<Object> r, int from) {
        if (r.size() < from + 7) {
            throw new IllegalStateException("unexpected script answer with " + r.size() + " elements");
        }
        byte[] payload = (byte[]) r.get(from);
        byte[] epoch = (byte[]) r.get(from + 1);
        byte[] sid = (byte[]) r.get(from + 2);
        byte[] place = (byte[]) r.get(from + 3);
        byte[] job = (byte[]) r.get(from + 4);
        byte[] inbox = (byte[]) r.get(from + 5);
        byte[] iv = (byte[]) r.get(from + 6);
        if (payload == null && epoch == null && sid == null && inbox == null && iv == null) {
            return StoredProfile.ABSENT;
        }
        Owner owner = sid == null ? null : new Owner(new String(sid, StandardCharsets.UTF_8),
                place == null ? "" : new String(place, StandardCharsets.UTF_8),
                job == null ? "" : new String(job, StandardCharsets.UTF_8));
        return new StoredProfile(payload, number(epoch), owner, inbox, number(iv));
    }

    private static long number(byte[] ascii) {
        return ascii == null ? 0 : Long.parseLong(new String(ascii, StandardCharsets.US_ASCII));
    }

    private static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // closing: nothing useful to do with it
        }
    }

    /** A script with its SHA-1, computed locally (the same digest Redis uses for EVALSHA). */
    private static final class Script {
        final String operation;
        final String source;
        final String sha;

        Script(String operation, String source) {
            this.operation = operation;
            this.source = source;
            try {
                this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is missing from this JVM", e);
            }
        }
    }
}
