package dev.profileservice.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profileservice.spi.Owner;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.StoredVersion;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the commands about kept versions share: reading a version id as the user typed it, finding a
 * kept version (or the latest record), and reading the engine's payload JSON ({@code v}, {@code created},
 * {@code loads}, {@code tags}, {@code locked}, {@code userIds}, {@code data}). Stateless.
 */
public final class Versions {
    /** The word {@code diff} takes for the current record instead of a version id. */
    public static final String LATEST = "latest";

    private Versions() {}

    /**
     * A version id as {@code profiles history} prints it: a whole number.
     *
     * @throws BadInputException naming the text otherwise
     */
    public static long parse(String version) {
        if (version == null || !version.matches("[0-9]{1,18}")) {
            throw new BadInputException(
                    "version '" + version + "' is not a version id: use a whole number as 'profiles history' lists it");
        }
        return Long.parseLong(version);
    }

    /**
     * The kept version {@code revision} of {@code key}, with its payload.
     *
     * @throws BadInputException if it is not kept (never was, pruned, or wiped)
     */
    static StoredVersion require(AdminSession session, String key, long revision) {
        return session.history()
                .version(session.storeName(), key, revision)
                .orElseThrow(() -> new BadInputException("profile '" + key + "' has no kept version " + revision
                        + " in profile store '" + session.storeName() + "' (see 'profiles history " + key + "')"));
    }

    /**
     * The payload of {@code version} of {@code key}: a kept version's, or the current record's for
     * {@link #LATEST}.
     *
     * @throws BadInputException for a version that is not a whole number, is not kept, or a latest
     *                           record that has no saved data
     */
    static Labelled payloadOf(AdminSession session, String key, StoredProfile record, String version) {
        if (LATEST.equals(version)) {
            if (record.payload() == null) {
                throw new BadInputException("profile '" + key + "' has no saved data yet, so it has no latest version");
            }
            return new Labelled("latest (version " + record.revision() + ")", record.revision(), record.payload());
        }
        StoredVersion kept = require(session, key, parse(version));
        return new Labelled(
                "version " + kept.revision() + " (" + time(kept.savedAtMillis()) + ", "
                        + kept.cause().label() + ")",
                kept.revision(),
                kept.payload());
    }

    /** A payload with what the user calls it in the output, and its revision. */
    public record Labelled(String label, long revision, byte[] payload) {}

    /** A store time as ISO-8601 UTC, e.g. {@code 2026-12-02T01:05:47.123Z}. */
    public static String time(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }

    /** The session that wrote a version as {@code place/job}, or {@code -} for a write outside any session. */
    public static String writer(Owner owner) {
        return owner == null ? "-" : owner.placeId() + "/" + owner.jobId();
    }

    /**
     * The engine's payload as a JSON tree.
     *
     * @throws IllegalStateException if the bytes are not a JSON object (the store holds something else)
     */
    static ObjectNode tree(byte[] payload, String what) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(payload);
        } catch (IOException e) {
            throw new IllegalStateException(what + " is not JSON: " + Json.firstLine(e.getMessage()), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalStateException(what + " is not a JSON object");
        }
        return (ObjectNode) node;
    }

    /**
     * What of a payload the diff compares, in this order: {@code data}, {@code tags} (meta tags),
     * {@code userIds} ({@code []} when the payload has none) and {@code locked} (Locked global
     * updates). Leaves out the format, the create time and the load count, which every session
     * changes.
     */
    static ObjectNode comparable(ObjectNode payload) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("data", payload.path("data").deepCopy());
        out.set("tags", payload.has("tags") ? payload.get("tags").deepCopy() : Json.MAPPER.createObjectNode());
        out.set("userIds", payload.has("userIds") ? payload.get("userIds").deepCopy() : Json.MAPPER.createArrayNode());
        out.set("locked", payload.has("locked") ? payload.get("locked").deepCopy() : Json.MAPPER.createArrayNode());
        return out;
    }

    /**
     * The user ids a payload holds (its {@code userIds} array; none when absent).
     *
     * @throws IllegalStateException if {@code userIds} is not an array of whole numbers
     */
    static List<Long> userIds(ObjectNode payload, String what) {
        JsonNode ids = payload.get("userIds");
        List<Long> out = new ArrayList<>();
        if (ids == null || ids.isNull()) {
            return out;
        }
        if (!ids.isArray()) {
            throw new IllegalStateException(what + " has a 'userIds' that is not a list");
        }
        for (JsonNode id : ids) {
            if (!id.canConvertToLong() || !id.isIntegralNumber()) {
                throw new IllegalStateException(what + " has a user id " + id + " that is not a whole number");
            }
            out.add(id.longValue());
        }
        return out;
    }
}
