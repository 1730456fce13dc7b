package dev.profileservice.cli.internal;

import dev.profileservice.spi.StoredProfile;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * {@code profiles release KEY}: frees a stuck session lock safely. {@code Backend.forceRelease}
 * clears the owner and bumps the epoch in one atomic step, so the old owner's late writes are refused
 * by the store (it then fires its release listeners).
 */
@Command(
        name = "release",
        mixinStandardHelpOptions = true,
        description = "Free a stuck session lock; bumps the epoch so the old owner's late writes are refused.")
public final class ReleaseCommand extends OneProfileCommand {

    @Override
    int run(AdminSession session, StoredProfile before) {
        StoredProfile after = SessionReleaser.release(session, key, before).after();
        store.print(
                () -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("key", key);
                    out.put("wasHeld", before.owner() != null);
                    out.put("previousOwner", AdminSession.ownerJson(before.owner()));
                    out.put("epochBefore", before.epoch());
                    out.put("epochAfter", after.epoch());
                    return out;
                },
                w -> w.println(
                        before.owner() == null
                                ? key + " was not held; epoch " + before.epoch() + " -> " + after.epoch()
                                : "released " + key + ": was held by place "
                                        + before.owner().placeId() + ", job "
                                        + before.owner().jobId() + " (server "
                                        + before.owner().serverId() + "); epoch "
                                        + before.epoch() + " -> " + after.epoch()
                                        + ", so that server's late writes will be refused"));
        return 0;
    }
}
