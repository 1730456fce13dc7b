package dev.profileservice.examples;

import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** The README's quick start: three players join, earn, receive gifts and leave, on a SQLite file. */
public class QuickStart {

    /** Your player data: a plain class with public fields (or a record, or a Map). */
    public static class PlayerData {
        public int coins;
        public List<String> inventory = new ArrayList<>();
    }

    /** Clear a gift and apply it in one edit: both are saved together or not at all. */
    private static void apply(Profile<PlayerData> profile, long id, Map<String, Object> gift) {
        profile.edit(data -> {
            profile.getGlobalUpdates().clearLockedUpdate(id); // throws if it was applied already
            data.coins += ((Number) gift.get("coins")).intValue();
        });
    }

    public static void main(String[] args) throws InterruptedException {
        String db = args.length > 0 ? args[0] : "quickstart.db";
        try (ProfileService service = ProfileService.builder()
                .backend("sqlite:" + db) // the embedded store: one file, no server
                .placeId("lobby")
                .autoSavePeriod(Duration.ofSeconds(30))
                .build()) {
            service.issueSignal().connect(message -> System.err.println("store issue: " + message));
            ProfileStore<PlayerData> players = service.getProfileStore("PlayerData", new PlayerData());

            // An admin gifts coins to Bob, who is offline: the gift waits in his profile.
            players.globalUpdateProfile(
                    "Player_Bob", updates -> updates.addActiveUpdate(Map.of("type", "AdminGift", "coins", 500)));

            CountDownLatch giftsApplied = new CountDownLatch(2);
            Map<String, Profile<PlayerData>> online = new LinkedHashMap<>();
            for (String name : List.of("Alice", "Bob", "Carol")) {
                // Join: take the session lock. FORCE_LOAD asks another server to let go first.
                Profile<PlayerData> profile =
                        players.loadProfile("Player_" + name).orElseThrow();
                profile.listenToRelease(() -> System.out.println(name + " left (profile released)"));

                // Gifts: Active -> lock it (saved at once) -> apply and clear it in one edit.
                var updates = profile.getGlobalUpdates();
                updates.getLockedUpdates().forEach(gift -> apply(profile, gift.id(), gift.data()));
                updates.getActiveUpdates().forEach(gift -> updates.lockActiveUpdate(gift.id()));
                updates.listenToNewActiveUpdate((id, gift) -> updates.lockActiveUpdate(id));
                updates.listenToNewLockedUpdate((id, gift) -> {
                    apply(profile, id, gift);
                    giftsApplied.countDown();
                });
                online.put(name, profile);
            }

            // Play: edit inside edit(...) so no auto-save ever sees half a change.
            online.values()
                    .forEach(profile -> profile.edit(data -> {
                        data.coins += 10;
                        data.inventory.add("sword");
                    }));

            // A gift to a player who is online right now reaches her server at once.
            players.globalUpdateProfile(
                    "Player_Alice", updates -> updates.addActiveUpdate(Map.of("type", "AdminGift", "coins", 250)));
            giftsApplied.await(10, TimeUnit.SECONDS);

            // Leave: release saves one last time and returns once that save is durable.
            online.values().forEach(Profile::release);

            for (String name : List.of("Alice", "Bob", "Carol")) {
                PlayerData data =
                        players.viewProfile("Player_" + name).orElseThrow().getData();
                System.out.println(name + ": " + data.coins + " coins, " + data.inventory);
            }
        }
    }
}
