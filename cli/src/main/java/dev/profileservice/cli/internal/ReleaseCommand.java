package dev.profileservice.cli.internal;

import dev.profileservice.spi.StoredProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code profiles release KEY}: frees a stuck session lock safely. {@code Backend.forceRelease}
 * clears the owner and bumps the epoch in one atomic step, so the old owner's late writes are refused
 * by the store (it then fires its release listeners).
 */
@Command(name = "release", mixinStandardHelpOptions = true,
        description = "Free a stuck session lock; bumps the epoch so the old owner's late writes are refused.")
public final class ReleaseCommand implements Callable<Integer> {

    @Mixin
    StoreOptions store;

    @Parameters(index = "0", paramLabel = "KEY", description = "The profile key")
    String key;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (AdminSession session = AdminSession.open(store)) {
            session.requireStoreExists();
            StoredProfile before = session.requireKey(key);
            StoredProfile after = session.admin().forceRelease(store.profileStore, key);
            PrintWriter w = spec.commandLine().getOut();
            if (store.json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("key", key);
                out.put("wasHeld", before.owner() != null);
                out.put("previousOwner", before.owner() == null ? null : Map.of("serverId", before.owner().serverId(),
                        "placeId", before.owner().placeId(), "jobId", before.owner().jobId()));
                out.put("epochBefore", before.epoch());
                out.put("epochAfter", after.epoch());
                w.println(Json.write(out));
            } else if (before.owner() != null) {
                w.println("released " + key + ": was held by place " + before.owner().placeId() + ", job "
                        + before.owner().jobId() + " (server " + before.owner().serverId() + "); epoch "
                        + before.epoch() + " -> " + after.epoch() + ", so that server's late writes will be refused");
            } else {
                w.println(key + " was not held; epoch " + before.epoch() + " -> " + after.epoch());
            }
            w.flush();
            return 0;
        }
    }
}
