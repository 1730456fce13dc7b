package dev.profileservice.cli.internal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.flipkart.zjsonpatch.JsonPatch;
import com.flipkart.zjsonpatch.JsonPatchApplicationException;
import dev.profileservice.spi.VersionCause;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code profiles edit (KEY | --all [--where POINTER=VALUE]) --patch PATCH}: applies an RFC 6902 JSON
 * patch (zjsonpatch) to the document {@code {"data":..,"tags":..,"userIds":[..]}} of one profile or of
 * every profile (matching the filter): takes the profile's session, keeps the payload before as a
 * version (cause {@code admin}), writes the patched one, releases. Each edited profile carries the
 * meta tag {@value #MARK} with the patch's id (the first 16 hex digits of the SHA-256 of its compact
 * JSON), so a run again (after an interruption) skips it as already edited: a patch that adds to a
 * list is never applied twice. A patch that fails on a profile (a {@code test} operation, a missing
 * path) is reported and the profile left as it was. See {@link BulkRun}.
 */
@Command(
        name = "edit",
        mixinStandardHelpOptions = true,
        description = {
            "Apply a JSON patch (RFC 6902) to one profile, or to every profile (matching --where): the patch works"
                    + " on the document {\"data\":{..},\"tags\":{..},\"userIds\":[..]}, e.g."
                    + " [{\"op\":\"replace\",\"path\":\"/data/coins\",\"value\":0}].",
            "Takes each profile's session lock, keeps the data before as a version (cause admin), writes the"
                    + " patched data and releases. A profile held by a server is reported and not touched; a patch"
                    + " that fails on a profile (a test operation, a missing path) is reported and the profile left"
                    + " as it was. Exit code 1 if a profile failed.",
            "Each edited profile gets the meta tag " + EditCommand.MARK + " holding the patch's id: a run again"
                    + " (after Ctrl-C) skips the profiles the same patch already edited."
        })
public final class EditCommand extends StoreCommand {
    /** The meta tag that marks a profile edited by a patch: the patch's id. */
    static final String MARK = "profiles-edit";

    /** Top-level fields of the document the patch works on. */
    private static final Set<String> DOCUMENT_FIELDS = Set.of("data", "tags", "userIds");

    /** One profile by key, or all of them: exactly one. */
    static final class Target {
        @Parameters(index = "0", paramLabel = "KEY", description = "The profile key")
        String key;

        @Option(names = "--all", description = "Every profile of the store (those matching --where)")
        boolean all;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(
            names = "--patch",
            required = true,
            paramLabel = "PATCH_JSON_OR_@FILE",
            description = "The JSON patch (an array of RFC 6902 operations), or @FILE to read it from FILE")
    String patch;

    @Option(
            names = "--where",
            paramLabel = "JSON_POINTER=VALUE",
            description = "With --all: only the profiles whose document has VALUE (JSON, else a string) at"
                    + " JSON_POINTER, e.g. /data/banned=true or /tags/Region=\"eu\"")
    String where;

    @Mixin
    BulkOptions bulk;

    @Override
    public Integer call() {
        bulk.check();
        if (where != null && !target.all) {
            throw new BadInputException("--where filters --all; with a KEY, leave it out");
        }
        JsonNode operations = parsePatch(patch);
        Filter filter = where == null ? null : Filter.parse(where);
        String id = patchId(operations);
        try (AdminSession session = store.openExisting()) {
            BulkRun run = new BulkRun(
                    "edit",
                    BulkRun.Outcome.EDITED,
                    VersionCause.ADMIN,
                    store,
                    session,
                    bulk,
                    (key, payload) -> plan(operations, id, filter, payload));
            if (target.key != null) {
                session.requireKey(target.key);
                return run.runOne(target.key);
            }
            return run.runAll();
        }
    }

    /**
     * The patch given as text or {@code @FILE}, checked.
     *
     * @throws BadInputException if it cannot be read, is not JSON, or not a valid RFC 6902 patch
     */
    static JsonNode parsePatch(String text) {
        String json = text;
        if (text.startsWith("@")) {
            Path file = Path.of(text.substring(1));
            try {
                json = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new BadInputException("cannot read the --patch file " + file + ": " + e);
            }
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new BadInputException("malformed JSON in --patch: " + Json.firstLine(e.getOriginalMessage()));
        }
        if (node == null || !node.isArray()) {
            throw new BadInputException("--patch must be a JSON array of RFC 6902 operations like"
                    + " [{\"op\":\"replace\",\"path\":\"/data/coins\",\"value\":0}], was: " + Json.abbreviate(json));
        }
        if (node.isEmpty()) {
            throw new BadInputException("--patch has no operations");
        }
        try {
            JsonPatch.validate(node);
        } catch (JsonPatchApplicationException e) {
            throw new BadInputException("--patch is not a valid JSON patch (RFC 6902): " + BulkRun.oneLine(e));
        }
        return node;
    }

    /** The patch's id: the first 16 hex digits of the SHA-256 of its compact JSON. */
    static String patchId(JsonNode operations) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(Json.write(operations).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** {@code --where POINTER=VALUE}. */
    record Filter(JsonPointer pointer, JsonNode value) {
        static Filter parse(String text) {
            int eq = text.indexOf('=');
            if (eq < 0) {
                throw new BadInputException("--where '" + text + "' is not JSON_POINTER=VALUE, e.g. /data/banned=true");
            }
            String pointer = text.substring(0, eq);
            if (!pointer.startsWith("/")) {
                throw new BadInputException("--where '" + text + "': the JSON pointer must start with '/',"
                        + " e.g. /data/banned (the document is {\"data\":..,\"tags\":..,\"userIds\":[..]})");
            }
            JsonPointer compiled;
            try {
                compiled = JsonPointer.compile(pointer);
            } catch (IllegalArgumentException e) {
                throw new BadInputException("--where '" + text + "': bad JSON pointer: " + e.getMessage());
            }
            String raw = text.substring(eq + 1);
            JsonNode value;
            try {
                value = raw.isEmpty() ? TextNode.valueOf("") : Json.MAPPER.readTree(raw);
            } catch (JsonProcessingException e) {
                value = TextNode.valueOf(raw); // not JSON: a plain string, as in /tags/Region=eu
            }
            return new Filter(compiled, value == null ? TextNode.valueOf(raw) : value);
        }

        boolean matches(JsonNode document) {
            JsonNode at = document.at(pointer);
            if (at.isMissingNode()) {
                return false;
            }
            if (at.isNumber() && value.isNumber()) {
                return at.decimalValue().compareTo(value.decimalValue()) == 0;
            }
            return at.equals(value);
        }
    }

    /** What the patch does to {@code payload}: already done, filtered out, failed, unchanged, or the new payload. */
    static BulkRun.Plan plan(JsonNode operations, String id, Filter filter, byte[] payload) {
        Map<String, Object> details = Json.object("patch", id);
        ObjectNode stored;
        try {
            stored = Versions.tree(payload, "the stored data");
        } catch (IllegalStateException e) {
            return BulkRun.Plan.failed(e.getMessage(), details);
        }
        JsonNode tags = stored.get("tags");
        if (tags == null || !tags.isObject()) {
            return BulkRun.Plan.failed("its stored data has no meta tags object", details);
        }
        if (id.equals(tags.path(MARK).asText(null))) {
            return BulkRun.Plan.done(BulkRun.Outcome.ALREADY_DONE, null, details);
        }
        ObjectNode document = Json.MAPPER.createObjectNode();
        document.set("data", stored.path("data").deepCopy());
        document.set("tags", tags.deepCopy());
        document.set(
                "userIds", stored.has("userIds") ? stored.get("userIds").deepCopy() : Json.MAPPER.createArrayNode());
        if (filter != null && !filter.matches(document)) {
            return BulkRun.Plan.done(BulkRun.Outcome.FILTERED, null, details);
        }
        JsonNode patched;
        try {
            patched = JsonPatch.apply(operations, document);
        } catch (JsonPatchApplicationException e) {
            return BulkRun.Plan.failed("the patch does not apply: " + BulkRun.oneLine(e), details);
        } catch (RuntimeException e) {
            return BulkRun.Plan.failed("the patch failed: " + BulkRun.oneLine(e), details);
        }
        String problem = problemWith(patched);
        if (problem != null) {
            return BulkRun.Plan.failed("the patched document " + problem, details);
        }
        if (patched.equals(document)) {
            return BulkRun.Plan.done(BulkRun.Outcome.UNCHANGED, null, details);
        }
        ObjectNode newTags = ((ObjectNode) patched.get("tags")).deepCopy();
        newTags.put(MARK, id);
        ArrayNode userIds = (ArrayNode) patched.get("userIds");
        // the payload in the engine's field order, with the patched data, tags and user ids
        ObjectNode out = Json.MAPPER.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = stored.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            switch (field.getKey()) {
                case "tags" -> out.set("tags", newTags);
                case "userIds" -> {
                    if (!userIds.isEmpty()) {
                        out.set("userIds", userIds);
                    }
                }
                case "data" -> {
                    if (!stored.has("userIds") && !userIds.isEmpty()) {
                        out.set("userIds", userIds); // new user ids: before the data, as the engine writes them
                    }
                    out.set("data", patched.get("data"));
                }
                default -> out.set(field.getKey(), field.getValue());
            }
        }
        List<Long> before = Versions.userIds(stored, "the stored data");
        List<Long> after = new ArrayList<>();
        userIds.forEach(n -> after.add(n.longValue()));
        return BulkRun.Plan.change(
                Json.write(out).getBytes(StandardCharsets.UTF_8), after.equals(before) ? null : after, details);
    }

    /** What is wrong with a patched document for the store, or null. */
    private static String problemWith(JsonNode patched) {
        if (!patched.isObject()) {
            return "is not an object";
        }
        for (Iterator<String> it = patched.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!DOCUMENT_FIELDS.contains(name)) {
                return "has '" + name + "' at the top: only data, tags and userIds are stored";
            }
        }
        JsonNode data = patched.get("data");
        if (data == null || !data.isObject()) {
            return "has no 'data' object";
        }
        JsonNode tags = patched.get("tags");
        if (tags == null || !tags.isObject()) {
            return "has no 'tags' object";
        }
        JsonNode ids = patched.get("userIds");
        if (ids == null || !ids.isArray()) {
            return "has no 'userIds' list";
        }
        for (JsonNode id : ids) {
            if (!id.isIntegralNumber() || !id.canConvertToLong()) {
                return "has a user id " + id + " that is not a whole number";
            }
        }
        return null;
    }
}
