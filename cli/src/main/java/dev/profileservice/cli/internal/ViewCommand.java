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

/** {@code profiles view KEY}: data, metadata, session and global updates of one profile, without locking it. */
@Command(
        name = "view",
        mixinStandardHelpOptions = true,
        description =
                "Show one profile (data, meta tags, session, active and locked global updates) without locking it.")
public final class ViewCommand extends OneProfileCommand {

    @Override
    int run(AdminSession session, StoredProfile record) {
        Profile<Map<String, Object>> profile = session.profileStore()
                .viewProfile(key)
                .orElseThrow(() -> new BadInputException("profile '" + key + "' in profile store '"
                        + store.profileStore() + "' has no saved data yet (" + pending(record) + ")"));
        Map<String, Object> out = describe(profile, record);
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
