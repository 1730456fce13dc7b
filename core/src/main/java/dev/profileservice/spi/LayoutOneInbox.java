package dev.profileservice.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A global-update inbox as layout 1 stored it: one JSON document per record,
 * {@code {"next": n, "active": [{"id": i, "data": {...}}, ...]}}, rewritten whole by every sender.
 * A store's upgrade to layout 2 ({@link LayoutUpgrade}) reads it with {@link #parse} and stores each
 * Active update on its own, at version 1, under the token {@link #token}. Immutable.
 *
 * @param seq    the last id the inbox gave: the highest of its {@code next - 1}, its Active ids and
 *               the ids of the Locked updates in the record's payload, so that no id is given twice
 * @param active the Active updates, in the order stored, each with its data as the engine encodes
 *               an update's data (JSON)
 */
public record LayoutOneInbox(long seq, List<PendingUpdate> active) {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public LayoutOneInbox {
        active = List.copyOf(active);
    }

    /** The add token of a moved update: never one the engine makes (a UUID), the same on every run of the step. */
    public static String token(long id) {
        return "legacy-" + id;
    }

    /**
     * Reads a layout-1 inbox.
     *
     * @param inbox   the stored document
     * @param payload the record's payload (its Locked updates' ids count for {@link #seq}), or null
     * @throws IOException naming what is wrong if the document is not such an inbox; the caller
     *                     keeps a copy of it (quarantine) rather than lose it silently
     */
    public static LayoutOneInbox parse(byte[] inbox, byte[] payload) throws IOException {
        JsonNode root = JSON.readTree(inbox);
        JsonNode next = root == null ? null : root.get("next");
        JsonNode active = root == null ? null : root.get("active");
        if (next == null || !next.canConvertToLong() || active == null || !active.isArray()) {
            throw new IOException("no 'next' number or 'active' list");
        }
        long seq = Math.max(maxLockedId(payload), next.asLong() - 1);
        List<PendingUpdate> updates = new ArrayList<>();
        for (JsonNode u : active) {
            JsonNode id = u.get("id");
            JsonNode data = u.get("data");
            if (id == null || !id.canConvertToLong() || data == null || !data.isObject()) {
                throw new IOException("an Active update without a numeric 'id' and an object 'data'");
            }
            updates.add(new PendingUpdate(id.asLong(), 1, JSON.writeValueAsBytes(data)));
            seq = Math.max(seq, id.asLong());
        }
        return new LayoutOneInbox(seq, updates);
    }

    /**
     * The highest id among the Locked updates of a payload ({@code {"locked":[{"id":n,...}]}}), 0 if
     * none. Only the inbox is judged readable or not: a payload this cannot read counts as none here,
     * and the engine quarantines it itself on load.
     */
    public static long maxLockedId(byte[] payload) {
        if (payload == null) {
            return 0;
        }
        try {
            long max = 0;
            for (JsonNode u : JSON.readTree(payload).path("locked")) {
                max = Math.max(max, u.path("id").asLong(0));
            }
            return max;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
