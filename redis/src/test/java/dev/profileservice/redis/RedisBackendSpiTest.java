package dev.profileservice.redis;

import dev.profileservice.spi.AcquireResult;
import dev.profileservice.spi.Backend;
import dev.profileservice.spi.BackendAdmin;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import dev.profileservice.spi.SessionInfo;
import dev.profileservice.spi.StoredProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Backend contract, operation by operation, against the real Redis: the same outcomes as the
 * reference {@code MemoryBackend}.
 */
class RedisBackendSpiTest {

    /** The payload a first load stores (the SPI needs one; these tests do not decode it). */
    private static final byte[] INITIAL = "{\"initial\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private static final String PREFIX = RedisTestSupport.uniquePrefix();
    private static final AtomicInteger STORES = new AtomicInteger();
    private static Backend backend;

    private final Owner a = new Owner("server-a-" + UUID.randomUUID(), "lobby", "job-a");
    private final Owner b = new Owner("server-b-" + UUID.randomUUID(), "arena", "job-b");
    private String store;

    @BeforeAll
    static void open() {
        backend = Backends.open(RedisTestSupport.uri(PREFIX));
    }

    @AfterAll
    static void close() {
        backend.close();
        RedisTestSupport.deleteAll(PREFIX);
    }

    @BeforeEach
    void freshStore() {
        store = "Store_" + STORES.incrementAndGet();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void opensThroughTheServiceLoaderAndDescribesWithoutPassword() {
        assertThat(backend.getClass().getName()).isEqualTo("dev.profileservice.redis.internal.RedisBackend");
        assertThat(backend.describe()).startsWith("redis").doesNotContain("****@");
        assertThat(backend.messageBus()).isPresent();
    }

    @Test
    void readOfMissingRecordIsAbsent() {
        StoredProfile r = backend.read(store, "nobody");
        assertThat(r.isEmpty()).isTrue();
        assertThat(r.epoch()).isZero();
        assertThat(r.owner()).isNull();
        assertThat(r.inboxVersion()).isZero();
    }

    @Test
    void acquireOfFreeRecordCreatesItWithEpochOne() {
        AcquireResult r = backend.acquire(store, "k", a, -1, INITIAL);
        assertThat(r.acquired()).isTrue();
        assertThat(r.record().epoch()).isEqualTo(1);
        assertThat(r.record().owner()).isEqualTo(a);
        assertThat(r.record().payload()).isEqualTo(INITIAL);
        assertThat(backend.read(store, "k").owner()).isEqualTo(a);
    }

    @Test
    void acquireOfOwnedRecordIsRefusedAndNamesTheOwner() {
        backend.acquire(store, "k", a, -1, INITIAL);
        AcquireResult r = backend.acquire(store, "k", b, -1, INITIAL);
        assertThat(r.acquired()).isFalse();
        assertThat(r.record().owner()).isEqualTo(a);
        assertThat(r.record().epoch()).isEqualTo(1);
    }

    @Test
    void stealNeedsTheCurrentEpoch() {
        backend.acquire(store, "k", a, -1, INITIAL);
        assertThat(backend.acquire(store, "k", b, 0, INITIAL).acquired()).isFalse();
        assertThat(backend.acquire(store, "k", b, 2, INITIAL).acquired()).isFalse();
        AcquireResult stolen = backend.acquire(store, "k", b, 1, INITIAL);
        assertThat(stolen.acquired()).isTrue();
        assertThat(stolen.record().epoch()).isEqualTo(2);
        assertThat(stolen.record().owner()).isEqualTo(b);
    }

    @Test
    void acquireKeepsPayloadAndInbox() {
        backend.writeInbox(store, "k", 0, bytes("gift"));
        long epoch = backend.acquire(store, "k", a, -1, INITIAL).record().epoch();
        backend.save(store, "k", SaveRequest.of(a.serverId(), epoch, bytes("data"), true));
        AcquireResult r = backend.acquire(store, "k", b, -1, INITIAL);
        assertThat(r.acquired()).isTrue();
        assertThat(r.record().payload()).asString(StandardCharsets.UTF_8).isEqualTo("data");
        assertThat(r.record().inbox()).asString(StandardCharsets.UTF_8).isEqualTo("gift");
        assertThat(r.record().inboxVersion()).isEqualTo(1);
        assertThat(r.record().epoch()).isEqualTo(2);
    }

    @Test
    void saveWritesPayloadOnlyForTheOwnerAtItsEpoch() {
        long epoch = backend.acquire(store, "k", a, -1, INITIAL).record().epoch();
        SaveResult saved = backend.save(store, "k", SaveRequest.of(a.serverId(), epoch, bytes("v1"), false));
        assertThat(saved.status()).isEqualTo(SaveResult.Status.SAVED);
        assertThat(saved.record().owner()).isEqualTo(a);
        assertThat(saved.record().payload()).asString(StandardCharsets.UTF_8).isEqualTo("v1");

        assertThat(backend.save(store, "k", SaveRequest.of(b.serverId(), epoch, bytes("evil"), false)).status())
                .isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(backend.save(store, "k", SaveRequest.of(a.serverId(), epoch + 1, bytes("evil"), false)).status())
                .isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(backend.read(store, "k").payload()).asString(StandardCharsets.UTF_8).isEqualTo("v1");
    }

    @Test
    void saveOfMissingRecordIsLostAndCreatesNothing() {
        SaveResult r = backend.save(store, "ghost", SaveRequest.of(a.serverId(), 1, bytes("x"), false));
        assertThat(r.status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(r.record().owner()).isNull();
        assertThat(backend.read(store, "ghost").isEmpty()).isTrue();
        assertThat(BackendAdmin.of(backend).keys(store, null, 10)).isEmpty();
    }

    @Test
    void afterAStealTheOldOwnersSaveIsRefusedAndNamesTheNewOwner() {
        long epoch = backend.acquire(store, "k", a, -1, INITIAL).record().epoch();
        backend.acquire(store, "k", b, epoch, INITIAL);
        SaveResult late = backend.save(store, "k", SaveRequest.of(a.serverId(), epoch, bytes("late"), true));
        assertThat(late.status()).isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(late.record().owner()).isEqualTo(b);
        assertThat(late.record().epoch()).isEqualTo(epoch + 1);
        StoredProfile now = backend.read(store, "k");
        assertThat(now.payload()).isEqualTo(INITIAL);
        assertThat(now.owner()).isEqualTo(b);
    }

    @Test
    void releaseClearsOwnerKeepsEpochAndNextAcquireIncrements() {
        long epoch = backend.acquire(store, "k", a, -1, INITIAL).record().epoch();
        SaveResult r = backend.save(store, "k", SaveRequest.of(a.serverId(), epoch, bytes("final"), true));
        assertThat(r.status()).isEqualTo(SaveResult.Status.SAVED);
        assertThat(r.record().owner()).isNull();
        assertThat(r.record().epoch()).isEqualTo(epoch);
        StoredProfile now = backend.read(store, "k");
        assertThat(now.owner()).isNull();
        assertThat(now.epoch()).isEqualTo(epoch);
        assertThat(backend.save(store, "k", SaveRequest.of(a.serverId(), epoch, bytes("after"), false)).status())
                .isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(backend.acquire(store, "k", b, -1, INITIAL).record().epoch()).isEqualTo(epoch + 1);
    }

    @Test
    void saveWithInboxIsACompareAndSetOnTheInboxVersion() {
        backend.writeInbox(store, "k", 0, bytes("[gift1]"));
        long epoch = backend.acquire(store, "k", a, -1, INITIAL).record().epoch();
        backend.writeInbox(store, "k", 1, bytes("[gift1,gift2]"));

        SaveResult stale = backend.save(store, "k",
                new SaveRequest(a.serverId(), epoch, bytes("took gift1"), false, 1, bytes("[]")));
        assertThat(stale.status()).isEqualTo(SaveResult.Status.INBOX_CHANGED);
        assertThat(stale.record().inbox()).asString(StandardCharsets.UTF_8).isEqualTo("[gift1,gift2]");
        assertThat(stale.record().inboxVersion()).isEqualTo(2);
        assertThat(backend.read(store, "k").payload()).isEqualTo(INITIAL);

        SaveResult ok = backend.save(store, "k",
                new SaveRequest(a.serverId(), epoch, bytes("took both"), false, 2, bytes("[]")));
        assertThat(ok.status()).isEqualTo(SaveResult.Status.SAVED);
        assertThat(ok.record().inbox()).asString(StandardCharsets.UTF_8).isEqualTo("[]");
        assertThat(ok.record().inboxVersion()).isEqualTo(3);
        StoredProfile now = backend.read(store, "k");
        assertThat(now.payload()).asString(StandardCharsets.UTF_8).isEqualTo("took both");
        assertThat(now.inboxVersion()).isEqualTo(3);
    }

    @Test
    void lostSessionWinsOverInboxChanged() {
        long epoch = backend.acquire(store, "k", a, -1, INITIAL).record().epoch();
        backend.writeInbox(store, "k", 0, bytes("g"));
        backend.acquire(store, "k", b, epoch, INITIAL);
        SaveResult r = backend.save(store, "k", new SaveRequest(a.serverId(), epoch, bytes("x"), false, 0, bytes("[]")));
        assertThat(r.status()).isEqualTo(SaveResult.Status.LOST_SESSION);
    }

    @Test
    void plainSaveReturnsTheInboxSendersWrote() {
        long epoch = backend.acquire(store, "k", a, -1, INITIAL).record().epoch();
        backend.writeInbox(store, "k", 0, bytes("gift"));
        SaveResult r = backend.save(store, "k", SaveRequest.of(a.serverId(), epoch, bytes("d"), false));
        assertThat(r.status()).isEqualTo(SaveResult.Status.SAVED);
        assertThat(r.record().inbox()).asString(StandardCharsets.UTF_8).isEqualTo("gift");
        assertThat(r.record().inboxVersion()).isEqualTo(1);
    }

    @Test
    void writeInboxCreatesAnUnownedRecordAndNeverTouchesPayloadOrSession() {
        Optional<StoredProfile> created = backend.writeInbox(store, "k", 0, bytes("i1"));
        assertThat(created).isPresent();
        assertThat(created.get().epoch()).isZero();
        assertThat(created.get().owner()).isNull();
        assertThat(created.get().payload()).isNull();
        assertThat(created.get().inboxVersion()).isEqualTo(1);

        assertThat(backend.writeInbox(store, "k", 0, bytes("stale"))).isEmpty();
        assertThat(backend.writeInbox(store, "k", 5, bytes("stale"))).isEmpty();

        long epoch = backend.acquire(store, "k", a, -1, INITIAL).record().epoch();
        backend.save(store, "k", SaveRequest.of(a.serverId(), epoch, bytes("data"), false));
        StoredProfile after = backend.writeInbox(store, "k", 1, bytes("i2")).orElseThrow();
        assertThat(after.payload()).asString(StandardCharsets.UTF_8).isEqualTo("data");
        assertThat(after.owner()).isEqualTo(a);
        assertThat(after.epoch()).isEqualTo(epoch);
        assertThat(after.inboxVersion()).isEqualTo(2);
        assertThat(backend.save(store, "k", SaveRequest.of(a.serverId(), epoch, bytes("data2"), false)).status())
                .isEqualTo(SaveResult.Status.SAVED);
    }

    @Test
    void binaryPayloadsAndEmptyArraysRoundTripExactly() {
        byte[] all = new byte[256 * 4];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        long epoch = backend.acquire(store, "bin", a, -1, INITIAL).record().epoch();
        backend.save(store, "bin", new SaveRequest(a.serverId(), epoch, all, false, 0, new byte[0]));
        StoredProfile r = backend.read(store, "bin");
        assertThat(r.payload()).isEqualTo(all);
        assertThat(r.inbox()).isNotNull().isEmpty();
        assertThat(r.inboxVersion()).isEqualTo(1);

        backend.save(store, "bin", SaveRequest.of(a.serverId(), epoch, new byte[0], false));
        assertThat(backend.read(store, "bin").payload()).isNotNull().isEmpty();
    }

    @Test
    void forceReleaseBumpsEpochAndCreatesNothingForMissingRecords() {
        assertThat(BackendAdmin.of(backend).forceRelease(store, "none")).isEqualTo(StoredProfile.ABSENT);
        assertThat(backend.read(store, "none").isEmpty()).isTrue();
        assertThat(BackendAdmin.of(backend).keys(store, null, 10)).isEmpty();

        long epoch = backend.acquire(store, "k", a, -1, INITIAL).record().epoch();
        StoredProfile after = BackendAdmin.of(backend).forceRelease(store, "k");
        assertThat(after.owner()).isNull();
        assertThat(after.epoch()).isEqualTo(epoch + 1);
        assertThat(backend.save(store, "k", SaveRequest.of(a.serverId(), epoch, bytes("late"), false)).status())
                .isEqualTo(SaveResult.Status.LOST_SESSION);
        assertThat(BackendAdmin.of(backend).forceRelease(store, "k").epoch()).isEqualTo(epoch + 2);
    }

    @Test
    void quarantineKeepsEveryCopyAndDeleteRemovesEverything() {
        assertThat(BackendAdmin.of(backend).quarantineCount(store, "k")).isZero();
        backend.acquire(store, "k", a, -1, INITIAL);
        backend.quarantine(store, "k", bytes("bad1"), "cannot decode", 1000);
        backend.quarantine(store, "k", bytes("bad2"), "cannot decode again", 2000);
        assertThat(BackendAdmin.of(backend).quarantineCount(store, "k")).isEqualTo(2);
        assertThat(BackendAdmin.of(backend).quarantineCount(store, "other")).isZero();

        assertThat(BackendAdmin.of(backend).delete(store, "k")).isTrue();
        assertThat(backend.read(store, "k").isEmpty()).isTrue();
        assertThat(BackendAdmin.of(backend).quarantineCount(store, "k")).isZero();
        assertThat(BackendAdmin.of(backend).delete(store, "k")).isFalse();
    }

    @Test
    void quarantineWithoutRecordDoesNotCreateOne() {
        backend.quarantine(store, "q", bytes("bad"), "x", 1);
        assertThat(BackendAdmin.of(backend).keys(store, null, 10)).isEmpty();
        assertThat(backend.read(store, "q").isEmpty()).isTrue();
        assertThat(BackendAdmin.of(backend).delete(store, "q")).isFalse();
        assertThat(BackendAdmin.of(backend).quarantineCount(store, "q")).isZero();
    }

    @Test
    void keysAreAscendingPagedAndNeverMixStores() {
        List<String> names = List.of("b", "a", "c}", "{x}", "z*?[", "ü-unicode", "A", "a:b", "a}:p", "zz");
        for (String k : names) {
            backend.writeInbox(store, k, 0, bytes("g"));
        }
        String otherStore = store + "x";
        backend.writeInbox(otherStore, "a", 0, bytes("g"));
        backend.writeInbox(store.substring(0, store.length() - 1), "q", 0, bytes("g"));
        backend.quarantine(store, "only-quarantined", bytes("bad"), "x", 1);

        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertThat(BackendAdmin.of(backend).keys(store, null, 100)).containsExactlyElementsOf(sorted);
        assertThat(BackendAdmin.of(backend).keys(store, null, 3)).containsExactlyElementsOf(sorted.subList(0, 3));
        assertThat(BackendAdmin.of(backend).keys(store, sorted.get(2), 3)).containsExactlyElementsOf(sorted.subList(3, 6));
        assertThat(BackendAdmin.of(backend).keys(store, sorted.get(sorted.size() - 1), 3)).isEmpty();
        assertThat(BackendAdmin.of(backend).keys(store, null, 0)).isEmpty();
        assertThat(BackendAdmin.of(backend).keys(otherStore, null, 10)).containsExactly("a");
        for (String k : names) {
            assertThat(backend.read(store, k).inboxVersion()).as(k).isEqualTo(1);
        }
    }

    @Test
    void sessionsListOnlyOwnedRecords() {
        long e1 = backend.acquire(store, "k1", a, -1, INITIAL).record().epoch();
        backend.acquire(store, "k2", b, -1, INITIAL);
        backend.acquire(store, "k3", a, -1, INITIAL);
        backend.save(store, "k3", SaveRequest.of(a.serverId(), 1, bytes("x"), true));
        backend.writeInbox(store, "k4", 0, bytes("g"));
        assertThat(BackendAdmin.of(backend).sessions(store)).containsExactly(new SessionInfo("k1", e1, a), new SessionInfo("k2", 1, b));
    }

    @Test
    void concurrentAcquiresOfOneFreeRecordHaveExactlyOneWinner() throws Exception {
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Owner me = new Owner("racer-" + i, "p", "j" + i);
                results.add(pool.submit(() -> {
                    start.await();
                    return backend.acquire(store, "race", me, -1, INITIAL).acquired();
                }));
            }
            start.countDown();
            int winners = 0;
            for (Future<Boolean> f : results) {
                winners += f.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
            assertThat(backend.read(store, "race").epoch()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * ShedLock-style fuzz: many workers steal the record and add one to a counter in the payload
     * with a fenced save; a worker whose save is refused retries. Only fenced writes land, so the
     * counter ends exactly at the number of successful saves.
     */
    @Test
    void fencedCounterEndsExact() throws Exception {
        int workers = 8;
        int incrementsEach = 25;
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                Owner me = new Owner("worker-" + w, "p", "j");
                tasks.add(() -> {
                    int done = 0;
                    while (done < incrementsEach) {
                        StoredProfile now = backend.read(store, "counter");
                        AcquireResult got = backend.acquire(store, "counter", me, now.owner() == null ? -1 : now.epoch(),
                                "0".getBytes(StandardCharsets.US_ASCII));
                        if (!got.acquired()) {
                            continue;
                        }
                        byte[] p = got.record().payload();
                        int value = p == null ? 0 : Integer.parseInt(new String(p, StandardCharsets.US_ASCII));
                        SaveResult r = backend.save(store, "counter", SaveRequest.of(me.serverId(), got.record().epoch(),
                                Integer.toString(value + 1).getBytes(StandardCharsets.US_ASCII), done % 2 == 0));
                        if (r.status() == SaveResult.Status.SAVED) {
                            done++;
                        }
                    }
                    return done;
                });
            }
            int total = 0;
            for (Future<Integer> f : pool.invokeAll(tasks)) {
                total += f.get();
            }
            byte[] p = backend.read(store, "counter").payload();
            assertThat(Integer.parseInt(new String(p, StandardCharsets.US_ASCII))).isEqualTo(total).isEqualTo(workers * incrementsEach);
        } finally {
            pool.shutdownNow();
        }
    }
}
