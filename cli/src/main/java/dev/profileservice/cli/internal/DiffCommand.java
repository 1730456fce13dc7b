package dev.profileservice.cli.internal;

import dev.profileservice.spi.StoredProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code profiles diff KEY V1 V2}: what changed from one version of a profile to another, in data,
 * meta tags, user ids and Locked updates ({@link PayloadDiff}); {@code latest} names the current
 * record. With {@code --json}, the RFC 6902 patch from V1 to V2.
 */
@Command(
        name = "diff",
        description = {
            "Show what changed from version V1 to version V2 of a profile (data, meta tags, user ids, locked"
                    + " updates), one line per change: ~ /data/coins: 100 -> 0, + /data/items/3: \"sword\","
                    + " - /tags/Event.",
            "With --json, print the RFC 6902 patch from V1 to V2 over the document"
                    + " {\"data\":..,\"tags\":..,\"userIds\":[..],\"locked\":[..]}."
        })
public final class DiffCommand extends OneProfileCommand {

    @Mixin
    HelpOption help;

    @Parameters(
            index = "1",
            paramLabel = "V1",
            description = "The older version id, as 'profiles history' lists it, or 'latest'")
    String from;

    @Parameters(index = "2", paramLabel = "V2", description = "The newer version id, or 'latest' (the current record)")
    String to;

    @Override
    void checkStore(AdminSession session) {
        for (String v : new String[] {from, to}) {
            if (!Versions.LATEST.equals(v)) {
                Versions.parse(v);
            }
        }
        session.history();
    }

    @Override
    int run(AdminSession session, StoredProfile record) {
        VersionBrowser.Diff found = VersionBrowser.diff(session, key, record, from, to);
        Versions.Labelled a = found.from();
        Versions.Labelled b = found.to();
        PayloadDiff diff = found.diff();
        store.print(() -> diff.patch(), w -> {
            w.println("--- " + key + " " + a.label());
            w.println("+++ " + key + " " + b.label());
            if (diff.isEmpty()) {
                w.println("no differences in data, meta tags, user ids or locked updates");
            }
            diff.lines().forEach(w::println);
        });
        return 0;
    }
}
