package dev.profileservice.cli.internal;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code profiles gift KEY --data JSON}: sends a global update (an Active update) with
 * {@code globalUpdateProfile} + {@code addActiveUpdate}; the owner processes it through
 * Active, Locked, Cleared. Durable when the command prints the id.
 */
@Command(
        name = "gift",
        mixinStandardHelpOptions = true,
        description = "Send a global update (gift) to a profile, online or offline; prints the update id.")
public final class GiftCommand extends StoreCommand {

    @Parameters(index = "0", paramLabel = "KEY", description = "The profile key")
    String key;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "JSON",
            description = "The update's data, a JSON object, e.g. '{\"coins\":100}'")
    String data;

    @Option(
            names = "--allow-new",
            description = "Also send to a key that has no record yet (default: refuse, to catch typos)")
    boolean allowNew;

    @Override
    public Integer call() {
        Map<String, Object> payload = Gifting.parse(data, "--data");
        try (AdminSession session = store.openExisting()) {
            long id = Gifting.send(session, key, payload, allowNew);
            store.print(
                    () -> Json.object("key", key, "id", id, "data", payload),
                    w -> w.println("sent global update #" + id + " to " + key + " in " + store.profileStore() + ": "
                            + Json.write(payload)));
            return 0;
        }
    }
}
