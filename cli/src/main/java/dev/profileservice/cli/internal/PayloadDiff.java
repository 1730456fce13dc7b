package dev.profileservice.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.DiffFlags;
import com.flipkart.zjsonpatch.JsonDiff;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * The difference between two payloads of a profile, as {@code diff} and {@code restore} show it:
 * computed by zjsonpatch over {@link Versions#comparable} (data, meta tags, user ids, Locked
 * updates), as an RFC 6902 patch from the first to the second and as readable lines:
 * {@code ~ /data/coins: 100 -> 0}, {@code + /data/items/3: "sword"}, {@code - /tags/Event}.
 * Immutable.
 *
 * @param patch the RFC 6902 patch (only add, remove and replace operations) that turns the first
 *              document into the second
 * @param lines one readable line per operation, in the patch's order
 */
public record PayloadDiff(ArrayNode patch, List<String> lines) {

    /**
     * Moves and copies are left out, so every change reads as what was there and what is there now;
     * the old value of a replace comes along for the readable line only.
     */
    private static final EnumSet<DiffFlags> FLAGS = EnumSet.of(
            DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION, DiffFlags.ADD_ORIGINAL_VALUE_ON_REPLACE);

    /** The difference from payload {@code from} to payload {@code to} (the engine's payload JSON). */
    public static PayloadDiff between(ObjectNode from, ObjectNode to) {
        JsonNode ops = JsonDiff.asJson(Versions.comparable(from), Versions.comparable(to), FLAGS);
        ArrayNode patch = Json.MAPPER.createArrayNode();
        List<String> lines = new ArrayList<>();
        for (JsonNode op : ops) {
            String kind = op.path("op").asText();
            String path = op.path("path").asText();
            ObjectNode clean = Json.MAPPER.createObjectNode();
            clean.put("op", kind);
            clean.put("path", path);
            switch (kind) {
                case "add" -> {
                    clean.set("value", op.get("value"));
                    lines.add("+ " + path + ": " + Json.write(op.get("value")));
                }
                case "remove" -> lines.add("- " + path);
                case "replace" -> {
                    clean.set("value", op.get("value"));
                    lines.add("~ " + path + ": " + Json.write(op.get("fromValue")) + " -> "
                            + Json.write(op.get("value")));
                }
                default -> throw new IllegalStateException("unexpected JSON patch operation " + op);
            }
            patch.add(clean);
        }
        return new PayloadDiff(patch, List.copyOf(lines));
    }

    /** Whether the two payloads hold the same data, meta tags, user ids and Locked updates. */
    public boolean isEmpty() {
        return lines.isEmpty();
    }
}
