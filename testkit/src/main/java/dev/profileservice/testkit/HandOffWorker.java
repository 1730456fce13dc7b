package dev.profileservice.testkit;

import dev.profileservice.NotReleasedHandler;
import dev.profileservice.Profile;
import dev.profileservice.ProfileService;
import dev.profileservice.ProfileStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One "game server" of a multi-process hand-off test ({@link MultiProcessHandOff}): {@code rounds}
 * times it loads one profile with FORCE_LOAD (taking it from whichever process holds it), appends
 * one edit ({@code counter + 1}, {@code "workerName-i"} added to {@code edits}) and releases it.
 *
 * <p>Usage: {@code java dev.profileservice.testkit.HandOffWorker backendUri storeName key rounds workerName}.
 * Prints one summary line starting with {@code HANDOFF } and exits 0; on a failure prints the stack
 * trace and exits 1.
 *
 * <h2>Threads</h2>
 * Runs on the calling (main) thread; the service it opens uses its own internal threads.
 */
public final class HandOffWorker {

    /** The data the workers edit. Public fields, as the engine encodes them. */
    public static class HandOffData {
        /** Number of edits applied. */
        public long counter;
        /** One entry per edit, {@code "workerName-round"}, in the order applied. */
        public List<String> edits = new ArrayList<>();
    }

    /** What one worker did. */
    public record Summary(String workerName, int rounds, int emptyLoads, int handedBackBeforeEdit, long millis) {
        /** The line printed by {@link #main}. */
        public String line() {
            return "HANDOFF worker=" + workerName + " rounds=" + rounds + " emptyLoads=" + emptyLoads
                    + " handedBackBeforeEdit=" + handedBackBeforeEdit + " millis=" + millis;
        }
    }

    private HandOffWorker() {}

    /** Entry point for a child JVM; see the class description for the arguments. */
    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println("usage: HandOffWorker backendUri storeName key rounds workerName");
            System.exit(64);
        }
        try {
            Summary s = run(args[0], args[1], args[2], Integer.parseInt(args[3]), args[4]);
            System.out.println(s.line());
            System.out.flush();
            System.exit(0);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
    }

    /**
     * Does the work of one worker in this JVM: opens a service on {@code backendUri}, makes
     * {@code rounds} edits with a load/edit/release each, closes the service.
     */
    public static Summary run(String backendUri, String storeName, String key, int rounds, String workerName) {
        long start = System.nanoTime();
        int empty = 0;
        int handedBack = 0;
        try (ProfileService service = ProfileService.builder()
                .backend(backendUri)
                .placeId("hand-off")
                .jobId(workerName)
                .pollInterval(Duration.ofMillis(100))
                .build()) {
            ProfileStore<HandOffData> store = service.getProfileStore(storeName, new HandOffData());
            for (int i = 0; i < rounds; i++) {
                Optional<Profile<HandOffData>> loaded = store.loadProfile(key, NotReleasedHandler.FORCE_LOAD);
                if (loaded.isEmpty()) {
                    // another server won a race for it: FORCE_LOAD again
                    empty++;
                    if (empty + handedBack > 100 * rounds) {
                        throw new IllegalStateException(
                                workerName + ": FORCE_LOAD of " + key + " kept returning empty");
                    }
                    i--;
                    continue;
                }
                Profile<HandOffData> p = loaded.get();
                String edit = workerName + "-" + i;
                try {
                    p.edit(d -> {
                        d.counter++;
                        d.edits.add(edit);
                    });
                } catch (IllegalStateException askedToRelease) {
                    // another worker's FORCE_LOAD asked us to release before we edited: nothing was
                    // applied, so this round starts again
                    handedBack++;
                    if (empty + handedBack > 100 * rounds) {
                        throw new IllegalStateException(workerName + ": " + key + " was taken away before every edit");
                    }
                    i--;
                    continue;
                } finally {
                    p.release();
                }
            }
        }
        return new Summary(workerName, rounds, empty, handedBack, (System.nanoTime() - start) / 1_000_000);
    }
}
