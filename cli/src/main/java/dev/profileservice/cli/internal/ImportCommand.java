package dev.profileservice.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.profileservice.DataModel;
import dev.profileservice.NotReleasedAction;
import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code profiles import FILE}: loads JSON lines as written by {@code export}. The whole file is
 * validated first (a malformed line fails the command before anything is written). Each profile is
 * then loaded with a CANCEL handler (never taking a profile another server holds), its data and meta
 * tags replaced, and released. Keys held elsewhere are reported and skipped. The profile store may be
 * new.
 *
 * <p>Each line's {@code dataVersion} (1 when absent, as in files written before it was exported) is
 * the data version its data is written at, so data a newer game version migrated is not taken for
 * old data by the next load. One file holds one data version. A stored profile at another data
 * version is reported as failed and left as it was: its data is not in the shape the file replaces.
 */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description =
                "Load profiles from JSON lines (as written by export); keys held by a server are skipped and reported.")
public final class ImportCommand extends StoreCommand {

    @Parameters(
            index = "0",
            paramLabel = "FILE",
            description = "JSON lines: {\"key\":..,\"dataVersion\":n,\"data\":{..},\"metaTags\":{..}}")
    Path file;

    record Entry(String key, int dataVersion, Map<String, Object> data, Map<String, Object> metaTags) {}

    @Override
    public Integer call() {
        List<Entry> entries = parse(file);
        int dataVersion = entries.get(0).dataVersion();
        try (AdminSession session = store.open()) {
            ProfileStore<Map<String, Object>> profiles = session.profileStore(modelAt(dataVersion));
            int imported = 0;
            List<Map<String, Object>> skipped = new ArrayList<>();
            List<Map<String, Object>> failed = new ArrayList<>();
            for (Entry e : entries) {
                String[] holder = new String[2];
                Optional<Profile<Map<String, Object>>> loaded;
                try {
                    loaded = profiles.loadProfile(e.key(), (placeId, jobId) -> {
                        holder[0] = placeId;
                        holder[1] = jobId;
                        return NotReleasedAction.CANCEL;
                    });
                } catch (RuntimeException ex) {
                    failed.add(Json.object("key", e.key(), "problem", BulkRun.oneLine(ex)));
                    continue;
                }
                if (loaded.isEmpty()) {
                    skipped.add(Json.object("key", e.key(), "placeId", holder[0], "jobId", holder[1]));
                    continue;
                }
                Profile<Map<String, Object>> profile = loaded.get();
                try {
                    profile.edit(data -> {
                        data.clear();
                        data.putAll(e.data());
                        Map<String, Object> tags = profile.getMetaData().getMetaTags();
                        tags.clear();
                        tags.putAll(e.metaTags());
                    });
                } finally {
                    profile.release();
                }
                imported++;
            }
            int count = imported;
            store.print(() -> Json.object("imported", count, "skipped", skipped, "failed", failed), w -> {
                w.println("imported " + count + " profile(s) into " + store.profileStore() + " at "
                        + session.maskedUri());
                if (!skipped.isEmpty()) {
                    w.println("skipped " + skipped.size()
                            + " held by another server (run 'profiles release KEY' first if that server is gone):");
                    for (Map<String, Object> s : skipped) {
                        w.println(
                                "  " + s.get("key") + " held by place " + s.get("placeId") + ", job " + s.get("jobId"));
                    }
                }
                for (Map<String, Object> f : failed) {
                    w.println("failed: " + f.get("key") + ": " + f.get("problem"));
                }
            });
            return failed.isEmpty() ? 0 : 1;
        }
    }

    /**
     * The model the import writes with: version {@code dataVersion}, whose steps refuse to load a
     * stored profile at an older version (the file's data replaces data of its own version only).
     */
    private static DataModel<Map<String, Object>> modelAt(int dataVersion) {
        DataModel<Map<String, Object>> model = DataModel.version(dataVersion);
        for (int v = 1; v < dataVersion; v++) {
            int stored = v;
            model = model.migrate(v, data -> {
                throw new IllegalStateException("stored at data version " + stored + ", older than the file's "
                        + dataVersion + "; left as it was (run 'profiles migrate' on it first)");
            });
        }
        return model;
    }

    /** Reads and validates every line before anything is written. */
    static List<Entry> parse(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BadInputException("import file " + file + " does not exist");
        } catch (IOException e) {
            throw new BadInputException("cannot read import file " + file + ": " + e.getMessage());
        }
        List<Entry> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String where = file + " line " + (i + 1);
            JsonNode node;
            try {
                node = Json.MAPPER.readTree(line);
            } catch (JsonProcessingException e) {
                throw new BadInputException(
                        "malformed JSON in " + where + ": " + Json.firstLine(e.getOriginalMessage()));
            }
            if (node == null || !node.isObject()) {
                throw new BadInputException(where + " is not a JSON object");
            }
            JsonNode key = node.get("key");
            if (key == null || !key.isTextual() || key.asText().isEmpty()) {
                throw new BadInputException(where + " has no \"key\" string");
            }
            JsonNode data = node.get("data");
            if (data == null || !data.isObject()) {
                throw new BadInputException(where + " has no \"data\" object");
            }
            JsonNode tags = node.get("metaTags");
            if (tags != null && !tags.isNull() && !tags.isObject()) {
                throw new BadInputException(where + ": \"metaTags\" must be an object");
            }
            String k = key.asText();
            if (k.length() > 200 || k.chars().anyMatch(Character::isISOControl)) {
                throw new BadInputException(where + ": key must be 1 to 200 characters without control characters");
            }
            if (!seen.add(key.asText())) {
                throw new BadInputException(where + ": key '" + key.asText() + "' appears twice");
            }
            JsonNode version = node.get("dataVersion");
            if (version != null && !(version.canConvertToInt() && version.isIntegralNumber() && version.asInt() >= 1)) {
                throw new BadInputException(where + ": \"dataVersion\" must be a whole number from 1, was " + version);
            }
            int dataVersion = version == null ? 1 : version.asInt();
            if (!out.isEmpty() && out.get(0).dataVersion() != dataVersion) {
                throw new BadInputException(where + " holds data at version " + dataVersion + ", the lines before at "
                        + out.get(0).dataVersion() + ": import one data version per file (run 'profiles migrate'"
                        + " on the source store first)");
            }
            out.add(new Entry(
                    key.asText(), dataVersion, toMap(data), tags == null || tags.isNull() ? Map.of() : toMap(tags)));
        }
        if (out.isEmpty()) {
            throw new BadInputException("import file " + file + " has no profiles");
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> toMap(JsonNode node) {
        return Json.MAPPER.convertValue(node, LinkedHashMap.class);
    }
}
