package dev.profileservice.redis.internal;

import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link RedisBackend#saveBatch}: the same fenced saves as {@link RedisBackend#save}, each judged
 * on its own by the same Lua code, in one round trip for up to {@link #MAX_BATCH_SIZE} items.
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
 * <p>More than {@link #MAX_BATCH_SIZE} items, or more than {@link #MAX_SCRIPT_BYTES} in one group,
 * are split into several scripts ({@link SaveItem#chunks}), all pipelined together and reported
 * as one round trip as well. If the server lost its script cache ({@code NOSCRIPT}), the
 * scripts it refused (which did nothing) are sent again with {@code EVAL}, pipelined too: a
 * second round trip, reported as such ({@link CommandConnection#evalPipelined}).
 *
 * <h2>Threads</h2>
 * The calling thread sends and then blocks on the answers for at most the command timeout per
 * round trip; Lettuce's I/O threads complete the futures; results are decoded on the calling
 * thread. Stateless apart from its connection; thread-safe.
 */
final class RedisSaveBatch extends RedisPart {

    /**
     * The {@code maxBatchSize()}, and the most items one batch script takes. 64 because the round
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
     * The most bytes ({@link SaveItem#estimatedBytes}, mostly payloads) one batch script
     * carries (one item may exceed it alone). Profiles may be megabytes (the engine's default limit
     * is 4 MB); 64 of those in one script would block the server while it copies them, so such a
     * batch goes out as several pipelined scripts instead, between which other clients' commands run.
     */
    static final long MAX_SCRIPT_BYTES = 8L * 1024 * 1024;

    RedisSaveBatch(CommandConnection redis, RedisKeys keys, RedisUserIndex index) {
        super(redis, keys, index);
    }

    /**
     * Saves {@code items}; see the class comment.
     *
     * @throws IllegalArgumentException if an item is null or two items save the same record (named in the message)
     * @throws BackendException         if any script failed; as the SPI says, the outcome of every
     *                                  item is then unknown (on Cluster, other slots' scripts may
     *                                  have been applied)
     */
    List<SaveResult> save(List<SaveItem> items) {
        SaveItem.requireDistinct(items);
        return redis.call("saveBatch", subject(items), () -> items.isEmpty() ? List.<SaveResult>of() : send(items));
    }

    private List<SaveResult> send(List<SaveItem> items) {
        String[] recordKeys = new String[items.size()];
        for (int i = 0; i < recordKeys.length; i++) {
            recordKeys[i] = keys.record(items.get(i).store(), items.get(i).key());
        }
        // every item's keys share its record's slot, so grouping by the record key is enough
        List<int[]> chunks = chunks(items, recordKeys, redis.isCluster());
        List<String[]> scriptKeys = new ArrayList<>(chunks.size());
        List<byte[][]> scriptArgs = new ArrayList<>(chunks.size());
        for (int[] chunk : chunks) {
            String[] k = new String[chunk.length * Scripts.SAVE_KEYS];
            byte[][] args = new byte[chunk.length * Scripts.SAVE_ARGS][];
            for (int j = 0; j < chunk.length; j++) {
                System.arraycopy(
                        RedisKeys.siblings(recordKeys[chunk[j]]), 0, k, j * Scripts.SAVE_KEYS, Scripts.SAVE_KEYS);
                Scripts.saveArgs(items.get(chunk[j]).request(), args, j * Scripts.SAVE_ARGS);
            }
            scriptKeys.add(k);
            scriptArgs.add(args);
        }
        List<List<Object>> answers = redis.evalPipelined(Scripts.SAVE_BATCH, scriptKeys, scriptArgs);
        SaveResult[] results = new SaveResult[items.size()];
        List<RedisUserIndex.Change> indexed = new ArrayList<>();
        for (int c = 0; c < chunks.size(); c++) {
            int[] chunk = chunks.get(c);
            List<Object> answer = answers.get(c);
            if (answer.size() != Scripts.SAVE_ANSWER * chunk.length) {
                throw new IllegalStateException("unexpected saveBatch answer with " + answer.size() + " elements for "
                        + chunk.length + " items");
            }
            for (int j = 0; j < chunk.length; j++) {
                SaveItem item = items.get(chunk[j]);
                SaveResult result = Scripts.saveResult(item.request(), answer, Scripts.SAVE_ANSWER * j);
                results[chunk[j]] = result;
                if (item.request().userIds() != null && result.status() == SaveResult.Status.SAVED) {
                    indexed.add(new RedisUserIndex.Change(
                            item.store(),
                            item.key(),
                            result.record().revision(),
                            Scripts.previousUserIds(answer, Scripts.SAVE_ANSWER * j),
                            item.request().userIds()));
                }
            }
        }
        index.written(indexed); // the rare items whose user ids changed: one more pipelined round trip
        redis.awaitReplicas("saveBatch", subject(items)); // one WAIT covers the whole batch
        return Arrays.asList(results);
    }

    /**
     * The scripts of a batch, as lists of item indexes: one group per Cluster slot when
     * {@code cluster} (one group in all on a single server), each cut after {@link #MAX_BATCH_SIZE}
     * items or {@link #MAX_SCRIPT_BYTES} bytes. Items keep their order within a group.
     */
    static List<int[]> chunks(List<SaveItem> items, String[] recordKeys, boolean cluster) {
        Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < recordKeys.length; i++) {
            groups.computeIfAbsent(cluster ? RedisKeys.slot(recordKeys[i]) : 0, slot -> new ArrayList<>())
                    .add(i);
        }
        List<int[]> out = new ArrayList<>();
        for (List<Integer> group : groups.values()) {
            int from = 0;
            for (List<SaveItem> chunk :
                    SaveItem.chunks(group.stream().map(items::get).toList(), MAX_BATCH_SIZE, MAX_SCRIPT_BYTES)) {
                out.add(group.subList(from, from + chunk.size()).stream()
                        .mapToInt(Integer::intValue)
                        .toArray());
                from += chunk.size();
            }
        }
        return out;
    }

    /** {@code store/key} of the first few items, for error messages. */
    private static String subject(List<SaveItem> items) {
        StringBuilder b = new StringBuilder().append(items.size()).append(items.size() == 1 ? " save (" : " saves (");
        for (int i = 0; i < Math.min(3, items.size()); i++) {
            SaveItem item = items.get(i);
            b.append(i == 0 ? "" : ", ").append(item.store()).append('/').append(item.key());
        }
        return b.append(items.size() > 3 ? ", ...)" : ")").toString();
    }
}
