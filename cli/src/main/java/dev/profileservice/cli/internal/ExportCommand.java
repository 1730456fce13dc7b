package dev.profileservice.cli.internal;

import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code profiles export}: every profile of a store as JSON lines
 * ({@code {"key":...,"data":{...},"metaTags":{...}}}), read with {@code viewProfile} (no locks taken)
 * over {@code Backend.keys} pages. Writes to standard output or {@code --output FILE}; a summary
 * goes to standard error.
 */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Write every profile of the store as JSON lines: {\"key\":..,\"data\":{..},\"metaTags\":{..}}.")
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
            ProfileStore<Map<String, Object>> profiles = session.profileStore();
            int exported = 0;
            int withoutData = 0;
            Writer target = output == null ? store.out() : Files.newBufferedWriter(output, StandardCharsets.UTF_8);
            try {
                String after = null;
                while (true) {
                    List<String> keys = session.admin().keys(store.profileStore(), after, PAGE);
                    for (String key : keys) {
                        Optional<Profile<Map<String, Object>>> p = profiles.viewProfile(key);
                        if (p.isEmpty()) {
                            withoutData++;
                            continue;
                        }
                        Map<String, Object> line = new LinkedHashMap<>();
                        line.put("key", key);
                        line.put("data", p.get().getData());
                        line.put("metaTags", p.get().getMetaData().getMetaTags());
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
