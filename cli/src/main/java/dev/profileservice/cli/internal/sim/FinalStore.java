package dev.profileservice.cli.internal.sim;

import dev.profileservice.GlobalUpdates;
import dev.profileservice.Profile;
import dev.profileservice.ProfileStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the store holds for each player after every server stopped, read with {@code viewProfile}
 * (no lock taken), on the simulation's thread.
 *
 * @param data           each player's data, for those with saved data
 * @param pendingUpdates each player's active plus locked global updates still in the store
 * @param viewErrors     the players whose view failed, with the error
 */
record FinalStore(Map<String, SimPlayerData> data, Map<String, Integer> pendingUpdates, List<String> viewErrors) {

    static FinalStore read(ProfileStore<SimPlayerData> store, List<String> keys) {
        Map<String, SimPlayerData> data = new HashMap<>();
        Map<String, Integer> pendingUpdates = new HashMap<>();
        List<String> viewErrors = new ArrayList<>();
        for (String key : keys) {
            try {
                Optional<Profile<SimPlayerData>> view = store.viewProfile(key);
                if (view.isPresent()) {
                    data.put(key, view.get().getData());
                    GlobalUpdates u = view.get().getGlobalUpdates();
                    pendingUpdates.put(
                            key,
                            u.getActiveUpdates().size() + u.getLockedUpdates().size());
                }
            } catch (RuntimeException e) {
                viewErrors.add(key + ": " + e);
            }
        }
        return new FinalStore(data, pendingUpdates, viewErrors);
    }
}
