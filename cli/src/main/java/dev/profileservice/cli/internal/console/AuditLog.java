package dev.profileservice.cli.internal.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileservice.cli.internal.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The console's audit log: one JSON object per line, appended (never rewritten) to a file, synced
 * before the write it records goes to the store, so no write happens unrecorded; an entry that
 * cannot be written refuses the write. Fields: {@code time} (ISO-8601 UTC), {@code action},
 * {@code store}, {@code key}, {@code versionBefore} (the record's revision before), {@code outcome}
 * ({@code requested}, or a second line {@code failed: ...} when the store refused), {@code detail},
 * {@code client}.
 *
 * <p>Threads: appends from Javalin's handler threads are serialised by this object's lock; reads
 * scan the file (an admin's page view, not a hot path).
 */
public final class AuditLog {
    private final Path file;

    AuditLog(Path file) {
        this.file = file.toAbsolutePath();
    }

    /** The file. */
    Path file() {
        return file;
    }

    /** Creates the file (and its directory) if missing, so a console that cannot audit never starts. */
    void open() {
        try {
            Path dir = file.getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            Files.write(file, new byte[0], StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the audit log " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Appends one entry and syncs it to disk.
     *
     * @throws Refusal 500 if it cannot be written (the caller then writes nothing to the store)
     */
    synchronized void append(
            String action, String store, String key, Long versionBefore, String outcome, String detail, String client) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("time", Instant.now().toString());
        entry.put("action", action);
        entry.put("store", store);
        entry.put("key", key);
        entry.put("versionBefore", versionBefore);
        entry.put("outcome", outcome);
        entry.put("detail", detail);
        entry.put("client", client);
        byte[] line = (Json.write(entry) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            Files.write(file, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.DSYNC);
        } catch (IOException e) {
            throw new Refusal(
                    500, "cannot write the audit log " + file + " (" + e.getMessage() + "); nothing was written");
        }
    }

    /** One entry as read back. */
    public record Entry(String time, String action, String key, String versionBefore, String outcome, String detail) {}

    /** The entries about {@code key} of profile store {@code store}, newest first, at most {@code max}. */
    List<Entry> forKey(String store, String key, int max) {
        List<Entry> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n;
                try {
                    n = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    continue; // a torn last line after a crash: skip it
                }
                if (store.equals(n.path("store").asText())
                        && key.equals(n.path("key").asText())) {
                    out.add(new Entry(
                            n.path("time").asText(),
                            n.path("action").asText(),
                            n.path("key").asText(),
                            n.path("versionBefore").isNull()
                                    ? "-"
                                    : n.path("versionBefore").asText(),
                            n.path("outcome").asText(),
                            n.path("detail").asText()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit log " + file + ": " + e.getMessage(), e);
        }
        List<Entry> newest = new ArrayList<>();
        for (int i = out.size() - 1; i >= 0 && newest.size() < max; i--) {
            newest.add(out.get(i));
        }
        return newest;
    }
}
