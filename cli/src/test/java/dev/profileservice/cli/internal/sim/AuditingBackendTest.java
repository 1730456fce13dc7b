package dev.profileservice.cli.internal.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.profileservice.spi.Backend;
import dev.profileservice.spi.Backends;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.SaveItem;
import dev.profileservice.spi.SaveRequest;
import dev.profileservice.spi.SaveResult;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The audit records of batched saves are the ones single saves would give. */
class AuditingBackendTest {

    /** The payload a first load stores (the SPI needs one; these tests do not decode it). */
    private static final byte[] INITIAL = "{\"initial\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private static final Owner ME = new Owner("s1", "p", "j");

    private record Saved(String key, long epoch, boolean release, String status, long start, long end) {}

    private final List<Saved> saved = new CopyOnWriteArrayList<>();

    private final AuditingBackend.AuditSink sink = new AuditingBackend.AuditSink() {
        @Override
        public void acquired(String key, long epoch, long expectedEpoch, long startMicros, long endMicros) {}

        @Override
        public void heartbeat(long expiresAtMillis, long startMicros, long endMicros) {}

        @Override
        public void saved(String key, long epoch, boolean release, String status, long startMicros, long endMicros) {
            saved.add(new Saved(key, epoch, release, status, startMicros, endMicros));
        }
    };

    @Test
    void everyItemOfABatchIsRecordedLikeASingleSave() {
        AuditingBackend audit = new AuditingBackend(Backends.open("memory:audit-" + UUID.randomUUID()), sink);
        assertThat(audit.maxBatchSize())
                .as("batching is not switched off by the audit")
                .isGreaterThan(1);
        long ea = audit.acquire("S", "a", ME, -1, INITIAL).record().epoch();
        long eb = audit.acquire("S", "b", ME, -1, INITIAL).record().epoch();
        long before = AuditingBackend.nowMicros();

        List<SaveResult> results = audit.saveBatch(List.of(
                new SaveItem("S", "a", SaveRequest.of("s1", ea, new byte[] {1}, false)),
                new SaveItem("S", "b", SaveRequest.of("s1", eb, new byte[] {2}, true)),
                new SaveItem("S", "c", SaveRequest.of("s1", 7, new byte[] {3}, false))));

        assertThat(results)
                .extracting(SaveResult::status)
                .containsExactly(SaveResult.Status.SAVED, SaveResult.Status.SAVED, SaveResult.Status.LOST_SESSION);
        assertThat(saved)
                .extracting(Saved::key, Saved::epoch, Saved::release, Saved::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a", ea, false, "SAVED"),
                        org.assertj.core.groups.Tuple.tuple("b", eb, true, "SAVED"),
                        org.assertj.core.groups.Tuple.tuple("c", 7L, false, "LOST_SESSION"));
        assertThat(saved).allSatisfy(s -> {
            assertThat(s.start()).isGreaterThanOrEqualTo(before);
            assertThat(s.end()).isGreaterThanOrEqualTo(s.start());
        });
    }

    @Test
    void aFailedBatchRecordsEveryItemAsError() {
        Backend store = Backends.open("memory:audit-" + UUID.randomUUID());
        AuditingBackend audit = new AuditingBackend(store, sink);
        store.close(); // every call now throws
        SaveRequest w = SaveRequest.of("s1", 1, new byte[] {1}, false);

        assertThatThrownBy(() -> audit.saveBatch(List.of(new SaveItem("S", "a", w), new SaveItem("S", "b", w))))
                .isInstanceOf(RuntimeException.class);
        assertThat(saved)
                .extracting(Saved::key, Saved::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a", "ERROR"),
                        org.assertj.core.groups.Tuple.tuple("b", "ERROR"));
    }
}
