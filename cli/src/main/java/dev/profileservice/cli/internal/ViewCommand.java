package dev.profileservice.cli.internal;

import dev.profileservice.Profile;
import dev.profileservice.spi.StoredProfile;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code profiles view KEY [--version V]}: data, metadata, session and global updates of one
 * profile, or of one of its kept versions, without locking it.
 */
@Command(
        name = "view",
        description = {
            "Show one profile (data, meta tags, session, active and locked global updates) without locking it.",
            "With --version, show that kept version instead (its data, meta tags and locked updates;"
                    + " the session shown is today's)."
        })
public final class ViewCommand extends OneProfileCommand {

    @Mixin
    HelpOption help;

    @Option(
            names = "--version",
            paramLabel = "V",
            description = "A kept version id, as 'profiles history' lists it (default: the latest data)")
    String version;

    @Override
    void checkStore(AdminSession session) {
        if (version != null) {
            Versions.parse(version);
            session.history();
        }
    }

    @Override
    int run(AdminSession session, StoredProfile record) {
        Profile<Map<String, Object>> profile = version == null
                ? ProfileViewer.requireLatest(session, key, record)
                : ProfileViewer.version(session, key, Versions.parse(version));
        Map<String, Object> out = ProfileViewer.describe(profile, record);
        if (version != null) {
            out.put("savedAt", String.valueOf(profile.getKeyInfo().updatedTime()));
        }
        store.print(() -> out, w -> printReadable(w, out, session.maskedUri()));
        return 0;
    }

    @SuppressWarnings("unchecked")
    private void printReadable(PrintWriter w, Map<String, Object> d, String uri) {
        w.println("Profile " + d.get("key") + " in " + store.profileStore() + " (" + uri + ")");
        Object owner = d.get("owner");
        if (owner instanceof Map<?, ?> o) {
            w.println("  session      held by place " + o.get("placeId") + ", job " + o.get("jobId") + " (server "
                    + o.get("serverId") + "), epoch " + d.get("epoch"));
        } else {
            w.println("  session      released, epoch " + d.get("epoch"));
        }
        w.println("  version      " + d.get("version")
                + (d.get("savedAt") != null ? " (kept version, saved " + d.get("savedAt") + ")" : " (latest)"));
        w.println("  created      " + d.get("profileCreateTime"));
        w.println("  loads        " + d.get("sessionLoadCount"));
        w.println("  meta tags    " + Json.write(d.get("metaTags")));
        w.println("  data         " + Json.pretty(d.get("data")).replace("\n", "\n               "));
        for (String kind : List.of("activeUpdates", "lockedUpdates")) {
            List<Map<String, Object>> list = (List<Map<String, Object>>) d.get(kind);
            w.println("  " + (kind.startsWith("active") ? "active updates" : "locked updates") + " (" + list.size()
                    + ")");
            for (Map<String, Object> u : list) {
                w.println("    #" + u.get("id") + " " + Json.write(u.get("data")));
            }
        }
    }
}
