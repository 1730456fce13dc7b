package dev.profileservice.cli.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code profiles export}: every profile of a store as JSON lines
 * ({@code {"key":..,"dataVersion":n,"data":{..},"metaTags":{..}}}), the stored records read as they
 * are (no locks taken, no migration: {@code dataVersion} says the shape of the data, so
 * {@code import} writes it back at that version) over {@code Backend.keys} pages. Writes to standard
 * output or {@code --output FILE}; a summary goes to standard error.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description =
                "Write every profile of the store as JSON lines:"
                        + " {\"key\":..,\"dataVersion\":n,\"data\":{..},\"metaTags\":{..}} (the data as stored, at its data version).")
public final class ExportCommand extends StoreCommand {
    static final int PAGE = 200;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Write to FILE instead of standard output")
    Path output;

    @Override
    public Integer call() throws IOException {
        try (AdminSession session = store.openExisting()) {
            int exported = 0;
            int withoutData = 0;
            Writer target = output == null ? store.out() : Files.newBufferedWriter(output, StandardCharsets.UTF_8);
            try {
                String after = null;
                while (true) {
                    List<String> keys = session.admin().keys(store.profileStore(), after, PAGE);
                    for (String key : keys) {
                        byte[] payload = session.backend()
                                .read(store.profileStore(), key)
                                .payload();
                        if (payload == null) {
                            withoutData++;
                            continue;
                        }
                        ObjectNode stored = Versions.tree(payload, "the data of profile '" + key + "'");
                        Map<String, Object> line = new LinkedHashMap<>();
                        line.put("key", key);
                        line.put("dataVersion", stored.path("dataVersion").asInt(1));
                        line.put("data", stored.path("data"));
                        line.put("metaTags", stored.has("tags") ? stored.get("tags") : Json.MAPPER.createObjectNode());
                        target.write(Json.write(line));
                        target.write('\n');
                        exported++;
                    }
                    if (keys.size() < PAGE) {
                        break;
                    }
                    after = keys.get(keys.size() - 1);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + output, e);
            } finally {
                if (output != null) {
                    target.close();
                } else {
                    target.flush();
                }
            }
            int exportedCount = exported;
            int skipped = withoutData;
            // the summary goes to standard error: standard output may be the export itself
            store.print(
                    store.err(),
                    () -> Map.of("exported", exportedCount, "skippedWithoutData", skipped),
                    w -> w.println("exported " + exportedCount + " profile(s) from " + store.profileStore()
                            + (skipped > 0 ? " (" + skipped + " key(s) without saved data skipped)" : "")
                            + (output != null ? " to " + output : "")));
            return 0;
        }
    }
}
