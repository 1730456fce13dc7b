package dev.profileservice.redis.internal;

import dev.profileservice.spi.BackendException;
import dev.profileservice.spi.LayoutOneInbox;
import dev.profileservice.spi.LayoutUpgrade;
import dev.profileservice.spi.PendingUpdate;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key layout's number and its in-place upgrades ({@link LayoutUpgrade}), under
 * {@code PREFIX:layout} ({@link RedisKeys}).
 * <ul>
 *   <li>Layout 1 (the first release): a record's inbox was one JSON document in its {@code inbox}
 *       field, with the version {@code iv}, rewritten whole by every sender.</li>
 *   <li>Layout 2: pending updates one by one in {@code :u}, tokens in {@code :t} and {@code :c},
 *       the last id given in the record's {@code seq}. The step SCANs every record hash under the
 *       prefix and moves each one's inbox with {@link Scripts#MOVE_INBOX} (its Active updates at
 *       version 1 under the token {@link LayoutOneInbox#token}); an inbox that is not a readable
 *       layout-1 inbox is copied to the record's quarantine first. A record is moved only if its
 *       inbox is still the one read, so running the step again after a cut is safe.</li>
 *   <li>Layout 3: saves count revisions ({@code rev}) and keep versions ({@code :h}, {@code :v}),
 *       and the record keeps its user ids ({@code uids}) with their index
 *       ({@code PREFIX:uid:{STORE:ID}}, {@link RedisUserIndex}). Only new fields and keys: the step
 *       converts nothing (a record without {@code rev} is at revision 0, one without {@code uids}
 *       holds no ids until the first save of its next session sends them), but its number is
 *       recorded so that a server of the previous release, whose save scripts would write payloads
 *       without counting revisions, keeping versions or indexing ids, refuses to start.</li>
 * </ul>
 * A new store gets the latest number at once. Servers of an older release must be stopped before a
 * newer one upgrades; an older release refuses a newer layout at start.
 *
 * <h2>Threads</h2>
 * {@link #ensure} runs on the thread that opens the backend. The process that upgrades holds
 * {@code PREFIX:layout-lock} ({@code SET NX} with an expiry, so a crashed upgrader does not block
 * the store for ever); another process opening meanwhile waits for it, then finds the new number.
 */
final class RedisLayout {
    private static final Logger LOG = LoggerFactory.getLogger(RedisLayout.class);
    /** How long the lock outlives a process that died while upgrading (the next start resumes). */
    private static final Duration LOCK_EXPIRY = Duration.ofMinutes(5);
    /** How long a process waits for another's upgrade before it gives up (transiently). */
    private static final Duration WAIT_FOR_OTHER = Duration.ofMinutes(10);

    /** What layout 3 changes: nothing to convert, see the class comment. */
    static final String HISTORY_AND_USER_IDS = "saves count revisions and keep versions (rev, :h, :v) and the record's"
            + " user ids (uids) with their index (PREFIX:uid:{STORE:ID}); new fields and keys only, nothing to"
            + " convert: the number is recorded so that an older release, whose saves keep none of them, refuses"
            + " to start";

    private final CommandConnection redis;
    private final RedisKeys keys;
    private final LayoutUpgrade<CommandConnection> upgrade;

    RedisLayout(CommandConnection redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
        this.upgrade = new LayoutUpgrade<>(
                "Redis " + redis.description() + " under prefix '" + keys.prefix() + "'",
                List.of(new InboxToHashes(), LayoutUpgrade.Step.of(3, HISTORY_AND_USER_IDS, store -> {})));
    }

    /** The layout this release writes. */
    int latest() {
        return upgrade.latest();
    }

    /** Records the latest layout on a new store, upgrades an older one, refuses a newer one. */
    void ensure() {
        Integer found = current();
        if (found != null && found == latest()) {
            return; // the common start: nothing to do, no lock taken
        }
        if (found != null && found > latest()) {
            upgrade.upgrade(redis, found, (r, n) -> {}); // refuses, naming both numbers
        }
        String holder = UUID.randomUUID().toString();
        long deadline = System.nanoTime() + WAIT_FOR_OTHER.toNanos();
        while (!"OK"
                .equals(redis.sync()
                        .set(
                                keys.layoutLock(),
                                Scripts.utf8(holder),
                                SetArgs.Builder.nx().px(LOCK_EXPIRY.toMillis())))) {
            if (System.nanoTime() > deadline) {
                throw new BackendException(
                        "another process has been upgrading the ProfileService data in " + redis.description()
                                + " for over " + WAIT_FOR_OTHER.toMinutes() + " minutes (key " + keys.layoutLock()
                                + "); try again later",
                        true);
            }
            pause();
        }
        try {
            Integer layout = current();
            if (layout == null) {
                record(latest()); // a new store (layout 1 wrote its number at its first start)
            } else {
                upgrade.upgrade(redis, layout, (r, n) -> record(n));
            }
        } finally {
            redis.sync()
                    .eval(
                            Scripts.UNLOCK,
                            ScriptOutputType.INTEGER,
                            new String[] {keys.layoutLock()},
                            Scripts.utf8(holder));
        }
    }

    private Integer current() {
        byte[] value = redis.sync().get(keys.layout());
        return value == null ? null : (int) Scripts.number(value);
    }

    private void record(int layout) {
        redis.sync().set(keys.layout(), Scripts.ascii(layout));
    }

    private static void pause() {
        try {
            Thread.sleep(200); // waiting for another process's upgrade: nothing to be woken by
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while waiting for another process's layout upgrade", true, e);
        }
    }

    /** Layout 2: each record's inbox document becomes the hashes of an append log. */
    private final class InboxToHashes implements LayoutUpgrade.Step<CommandConnection> {
        @Override
        public int to() {
            return 2;
        }

        @Override
        public String description() {
            return "global updates move from each record's inbox field to hashes of their own";
        }

        @Override
        public void apply(CommandConnection store) {
            int moved = 0;
            for (String recordKey : redis.scan("layout upgrade", keys.anyRecordPattern())) {
                while (true) {
                    List<KeyValue<String, byte[]>> f = redis.sync().hmget(recordKey, "inbox", "payload");
                    byte[] inbox = f.get(0).getValueOrElse(null);
                    if (inbox == null || move(recordKey, inbox, f.get(1).getValueOrElse(null))) {
                        break;
                    }
                    // a process still on layout 1 wrote the inbox meanwhile: read it again
                }
                moved++;
            }
            LOG.info("looked at {} records of {}", moved, redis.description());
        }

        /** Moves one inbox; false if it changed since it was read. */
        private boolean move(String recordKey, byte[] inbox, byte[] payload) {
            String[] profile = RedisKeys.siblings(recordKey);
            List<byte[]> args = new ArrayList<>();
            args.add(inbox);
            try {
                LayoutOneInbox old = LayoutOneInbox.parse(inbox, payload);
                args.add(Scripts.ascii(old.seq()));
                for (PendingUpdate u : old.active()) {
                    args.add(Scripts.ascii(u.id()));
                    args.add(u.data());
                }
            } catch (IOException e) {
                LOG.warn(
                        "the inbox of {} in {} is not a readable layout-1 inbox ({}); it is copied to its quarantine and dropped",
                        recordKey,
                        redis.description(),
                        e.getMessage());
                String quarantine = recordKey.substring(0, recordKey.length() - RedisKeys.RECORD_SUFFIX.length())
                        + RedisKeys.QUARANTINE_SUFFIX;
                redis.eval(
                        Scripts.QUARANTINE,
                        ScriptOutputType.INTEGER,
                        new String[] {quarantine},
                        inbox,
                        Scripts.utf8("layout 2 upgrade: unreadable inbox"),
                        Scripts.ascii(System.currentTimeMillis()));
                args.add(Scripts.ascii(LayoutOneInbox.maxLockedId(payload)));
            }
            Long done = redis.eval(
                    Scripts.MOVE_INBOX,
                    ScriptOutputType.INTEGER,
                    new String[] {profile[0], profile[1], profile[2]},
                    args.toArray(new byte[0][]));
            return done != null && done == 1L;
        }
    }
}
