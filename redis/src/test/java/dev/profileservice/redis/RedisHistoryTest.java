package dev.profileservice.redis;

import static dev.profileservice.redis.RedisTestSupport.bytes;
import static dev.profileservice.redis.RedisTestSupport.everyByteValue;
import static org.assertj.core.api.Assertions.assertThat;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SendResult;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.UpdateOp;
import dev.profileservice.spi.VersionCause;
import dev.profileservice.spi.VersionHistory;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the shared history contract ({@code BackendHistoryContractTests}, run by
 * {@link RedisBackendContractTest} and {@link RedisClusterBackendContractTest}) does not look at,
 * because it is about how this store keeps versions:
 * <ul>
 *   <li>a record written before revisions were counted (no {@code rev} field) reads as revision 0
 *       and its next save is revision 1, with no upgrade step;</li>
 *   <li>the versions live in {@code :h} and {@code :v} under the profile's hash tag (one slot), and
 *       a delete leaves no key of the profile behind;</li>
 *   <li>payloads of versions are binary-safe, the empty one included;</li>
 *   <li>an overwrite that clears the pending updates remembers their tokens, so a sender retrying
 *       an add it already made does not bring the gift back.</li>
 * </ul>
 */
class RedisHistoryTest {

    private static final byte[] INITIAL = bytes("{\"initial\":true}");

    @RegisterExtension
    static final RedisTestBackend REDIS = new RedisTestBackend();

    private final Backend backend = REDIS.backend();
    private final VersionHistory history = backend.history().orElseThrow();
    private final StatefulRedisConnection<String, String> raw = REDIS.raw();
    private final String store = REDIS.newStore("Hist_");
    private final Owner a = new Owner("server-a-" + UUID.randomUUID(), "lobby", "job-a");

    private SaveRequest kept(long epoch, byte[] payload) {
        return new SaveRequest(a.serverId(), epoch, payload, false, List.of(), VersionCause.SAVE);
    }

    /** Every Redis key of one profile, by SCAN of its hash tag. */
    private List<String> keysOf(String key) {
        List<String> out = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page = raw.sync()
                    .scan(
                            cursor,
                            ScanArgs.Builder.matches(REDIS.profileKey(store, key, "*"))
                                    .limit(1000));
            out.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished());
        return out;
    }

    @Test
    void recordWrittenBeforeRevisionsReadsAsZeroAndCountsOnFromThere() {
        raw.sync()
                .hset(
                        REDIS.profileKey(store, "old", "p"),
                        Map.of("payload", "p", "epoch", "3", "sid", a.serverId(), "place", "lobby", "job", "job-a"));
        assertThat(backend.read(store, "old").revision()).isZero();
        StoredProfile saved = backend.save(store, "old", kept(3, bytes("new"))).record();
        assertThat(saved.revision()).isEqualTo(1);
        assertThat(history.version(store, "old", 1))
                .hasValueSatisfying(v -> assertThat(v.writer()).isEqualTo(a));
    }

    @Test
    void versionsShareTheProfileSlotAndDeleteLeavesNoKey() {
        long epoch = backend.acquire(store, "k", a, -1, INITIAL).record().epoch();
        backend.save(store, "k", kept(epoch, bytes("one")));
        backend.quarantine(store, "k", bytes("bad"), "test", 1);
        List<String> keys = keysOf("k");
        assertThat(keys).extracting(k -> k.substring(k.lastIndexOf(':') + 1)).contains("p", "h", "v", "q");
        assertThat(keys).extracting(k -> SlotHash.getSlot(k)).containsOnly(SlotHash.getSlot(keys.get(0)));
        assertThat(raw.sync().type(REDIS.profileKey(store, "k", "h"))).isEqualTo("zset");

        assertThat(BackendAdmin.of(backend).delete(store, "k")).isTrue();
        assertThat(keysOf("k")).isEmpty();
    }

    @Test
    void versionPayloadsAreBinarySafeTheEmptyOneIncluded() {
        byte[] all = everyByteValue(3);
        long epoch = backend.acquire(store, "bin", a, -1, INITIAL).record().epoch();
        long full = backend.save(store, "bin", kept(epoch, all)).record().revision();
        long empty =
                backend.save(store, "bin", kept(epoch, new byte[0])).record().revision();
        assertThat(history.version(store, "bin", full).map(StoredVersion::payload))
                .hasValue(all);
        StoredVersion e = history.version(store, "bin", empty).orElseThrow();
        assertThat(e.payload()).isEmpty();
        assertThat(e.size()).isZero();
    }

    @Test
    void overwriteThatClearsUpdatesRemembersTheirTokens() {
        backend.acquire(store, "g", a, -1, INITIAL);
        SendResult sent = backend.sendUpdates(store, "g", List.of(new UpdateOp.Add("tok-1", bytes("gift"))), 10);
        history.overwrite(store, "g", bytes("rolled back"), true, VersionCause.ADMIN, null);
        assertThat(backend.readUpdates(store, "g").updates()).isEmpty();

        SendResult retried = backend.sendUpdates(store, "g", List.of(new UpdateOp.Add("tok-1", bytes("gift"))), 10);
        assertThat(retried.status()).isEqualTo(SendResult.Status.APPLIED);
        assertThat(retried.addedIds()).as("the same update, not a new one").isEqualTo(sent.addedIds());
        assertThat(backend.readUpdates(store, "g").updates())
                .as("the cleared gift stays cleared")
                .isEmpty();
    }
}
