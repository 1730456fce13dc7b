package dev.profileservice.jdbc;

import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One "game server" process of {@link AlternatingHandOffTest}: takes the profile with FORCE_LOAD,
 * appends its id when it is its turn, holds the profile until the other process takes it, and
 * repeats until {@code total} edits are in the profile.
 *
 * <p>Arguments: {@code uri store key workerId(0|1) total}. Exit code 0 on success.
 */
public final class AlternatingHandOffWorker {
    private AlternatingHandOffWorker() {}

    public static void main(String[] args) throws Exception {
        String uri = args[0];
        String storeName = args[1];
        String key = args[2];
        int me = Integer.parseInt(args[3]);
        int total = Integer.parseInt(args[4]);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        try (ProfileService service = ProfileService.builder()
                .backend(uri)
                .placeId("hand-off")
                .jobId("worker-" + me)
                .pollInterval(Duration.ofMillis(200))
                .build()) {
            ProfileStore<Map<String, Object>> store =
                    service.getProfileStore(storeName, Map.of("count", 0, "edits", List.of()));
            int mine = 0;
            while (System.nanoTime() < deadline) {
                // A game server would learn from its own traffic that it is its turn; here it reads the store.
                int stored = store.viewProfile(key)
                        .map(v -> ((Number) v.getData().get("count")).intValue())
                        .orElse(0);
                if (stored >= total) {
                    System.out.println("worker " + me + " done after " + mine + " hand-overs to it");
                    return;
                }
                if (stored % 2 != me) {
                    TimeUnit.MILLISECONDS.sleep(5); // the other process's turn: look again shortly
                    continue;
                }
                Optional<Profile<Map<String, Object>>> loaded = store.loadProfile(key, NotReleasedHandler.FORCE_LOAD);
                if (loaded.isEmpty()) {
                    continue; // lost a race: look again
                }
                Profile<Map<String, Object>> p = loaded.get();
                CountDownLatch taken = new CountDownLatch(1);
                p.listenToRelease(taken::countDown);
                int[] count = new int[1];
                p.edit(d -> {
                    count[0] = ((Number) d.get("count")).intValue();
                    if (count[0] < total && count[0] % 2 == me) {
                        List<Object> edits = new ArrayList<>((List<?>) d.get("edits"));
                        edits.add(me);
                        d.put("edits", edits);
                        d.put("count", ++count[0]);
                    }
                });
                mine++;
                if (count[0] >= total) {
                    p.release();
                    System.out.println("worker " + me + " made the last edit after " + mine + " hand-overs to it");
                    return;
                }
                p.save(); // let the other process see that it is its turn
                // hold the profile until the other process takes it (FORCE_LOAD asks us to release)
                if (!taken.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break;
                }
            }
            System.err.println("worker " + me + " timed out");
            System.exit(2);
        }
    }
}
