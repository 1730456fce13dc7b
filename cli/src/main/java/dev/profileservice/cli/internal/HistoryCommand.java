package dev.profileservice.cli.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.profileservice.spi.StoredProfile;
import dev.profileservice.spi.StoredVersion;
import dev.profileservice.spi.VersionHistory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code profiles history KEY}: the kept versions of one profile ({@link VersionHistory#versions}),
 * newest first unless {@code --oldest-first}, read a page at a time and printed as they come, so a
 * long history is never held in memory. With {@code --json}, one JSON document
 * {@code {"key":..,"order":..,"versions":[..]}} written as it is read.
 */
@Command(
        name = "history",
        description = {
            "List the kept versions of one profile, newest first: version id, time saved (UTC), cause,"
                    + " writer (place/job, or - for a write outside any session), size in bytes, pinned.",
            "Use a version id with view --version, diff, restore, pin and unpin."
        })
public final class HistoryCommand extends OneProfileCommand {

    @Mixin
    HelpOption help;
    /** Versions per store call; each comes with its payload, so pages stay small. */
    static final int PAGE = 20;

    @Option(names = "--limit", paramLabel = "N", description = "Show at most N versions (default: all)")
    Integer limit;

    @Option(names = "--oldest-first", description = "Oldest version first")
    boolean oldestFirst;

    @Override
    void checkStore(AdminSession session) {
        session.history();
        if (limit != null && limit < 1) {
            throw new BadInputException("--limit must be at least 1, was " + limit);
        }
    }

    @Override
    int run(AdminSession session, StoredProfile record) {
        PrintWriter w = store.out();
        Listing listing = store.json ? new JsonListing(w) : new TextListing(w, record.revision());
        listing.start(session);
        long after = -1;
        int shown = 0;
        boolean more = false;
        int max = limit == null ? Integer.MAX_VALUE : limit;
        while (true) {
            int want = (int) Math.min(PAGE, (long) max - shown + 1); // one beyond the limit tells whether more exist
            List<StoredVersion> page = VersionBrowser.page(session, key, !oldestFirst, after, want);
            for (StoredVersion v : page) {
                if (shown == max) {
                    more = true;
                    break;
                }
                listing.version(v, v.revision() == record.revision());
                shown++;
            }
            if (more || page.size() < want) {
                break;
            }
            after = page.get(page.size() - 1).revision();
        }
        listing.end(shown, more);
        w.flush();
        return 0;
    }

    /** How the versions are printed, one at a time as the pages come. */
    private interface Listing {
        void start(AdminSession session);

        void version(StoredVersion v, boolean latest);

        void end(int shown, boolean more);
    }

    private final class TextListing implements Listing {
        private static final String ROW = "  %-10s %-24s %-10s %-32s %9s  %s%n";
        private final PrintWriter w;
        private final long revision;

        TextListing(PrintWriter w, long revision) {
            this.w = w;
            this.revision = revision;
        }

        @Override
        public void start(AdminSession session) {
            w.println("Versions of " + key + " in " + store.profileStore() + " (" + session.maskedUri() + "), "
                    + (oldestFirst ? "oldest" : "newest") + " first; latest is version " + revision);
            w.printf(ROW, "VERSION", "SAVED (UTC)", "CAUSE", "WRITER", "BYTES", "PINNED");
        }

        @Override
        public void version(StoredVersion v, boolean latest) {
            w.printf(
                    ROW,
                    v.revision() + (latest ? "*" : ""),
                    Versions.time(v.savedAtMillis()),
                    v.cause().label(),
                    Versions.writer(v.writer()),
                    v.size(),
                    v.pinned() ? "pinned" : "-");
        }

        @Override
        public void end(int shown, boolean more) {
            if (shown == 0) {
                w.println("  (no kept versions)");
            }
            w.println(shown + " version(s) shown" + (more ? "; more are kept (raise --limit)" : "")
                    + (shown > 0 ? "; * marks the latest" : ""));
        }
    }

    private final class JsonListing implements Listing {
        private final JsonGenerator g;

        JsonListing(PrintWriter w) {
            try {
                this.g = Json.MAPPER.getFactory().createGenerator(w).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void start(AdminSession session) {
            try {
                g.writeStartObject();
                g.writeStringField("key", key);
                g.writeStringField("order", oldestFirst ? "oldest-first" : "newest-first");
                g.writeArrayFieldStart("versions");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void version(StoredVersion v, boolean latest) {
            Map<String, Object> row = Json.object(
                    "version",
                    String.valueOf(v.revision()),
                    "savedAt",
                    Versions.time(v.savedAtMillis()),
                    "cause",
                    v.cause().label(),
                    "writer",
                    AdminSession.ownerJson(v.writer()),
                    "size",
                    v.size(),
                    "pinned",
                    v.pinned(),
                    "latest",
                    latest);
            try {
                g.writeObject(row);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void end(int shown, boolean more) {
            try {
                g.writeEndArray();
                g.writeBooleanField("more", more);
                g.writeEndObject();
                g.flush();
                store.out().println();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
