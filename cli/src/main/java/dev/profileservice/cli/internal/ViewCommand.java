package dev.profileservice.cli.internal;

import dev.profileservice.GlobalUpdate;
import dev.profileservice.MetaData;
import dev.profileservice.Profile;
import dev.profileservice.spi.StoredProfile;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
        Profile<Map<String, Object>> profile;
        if (version == null) {
            profile = session.profileStore()
                    .viewProfile(key)
                    .orElseThrow(() -> new BadInputException("profile '" + key + "' in profile store '"
                            + store.profileStore() + "' has no saved data yet (" + pending(record) + ")"));
        } else {
            long revision = Versions.parse(version);
            profile = session.profileStore()
                    .viewProfile(key, String.valueOf(revision))
                    .orElseThrow(() -> new BadInputException("profile '" + key + "' has no kept version " + revision
                            + " in profile store '" + store.profileStore() + "' (see 'profiles history " + key
                            + "')"));
        }
        Map<String, Object> out = describe(profile, record);
        if (version != null) {
            out.put("savedAt", String.valueOf(profile.getKeyInfo().updatedTime()));
        }
        store.print(() -> out, w -> printReadable(w, out, session.maskedUri()));
        return 0;
    }

    private static String pending(StoredProfile record) {
        return record.updateSeq() > 0 ? "global updates were sent to it, but no server has loaded it" : "never saved";
    }

    static Map<String, Object> describe(Profile<Map<String, Object>> profile, StoredProfile record) {
        MetaData meta = profile.getMetaData();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("key", profile.getKey());
        out.put("version", profile.getKeyInfo().version());
        out.put("savedAt", null);
        out.put("epoch", record.epoch());
        out.put("owner", AdminSession.ownerJson(record.owner()));
        out.put("profileCreateTime", String.valueOf(meta.getProfileCreateTime()));
        out.put("sessionLoadCount", meta.getSessionLoadCount());
        out.put("metaTags", meta.getMetaTags());
        out.put("data", profile.getData());
        out.put("activeUpdates", updates(profile.getGlobalUpdates().getActiveUpdates()));
        out.put("lockedUpdates", updates(profile.getGlobalUpdates().getLockedUpdates()));
        return out;
    }

    private static List<Map<String, Object>> updates(List<GlobalUpdate> list) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (GlobalUpdate u : list) {
            out.add(Json.object("id", u.id(), "data", u.data()));
        }
        return out;
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
