package dev.profileservice.spi;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Backend#sendUpdates} does to one inbox, decided from the few facts of the inbox the
 * send touches. For stores that lock the record and then decide in Java (a SQL transaction, an
 * in-memory map): read the facts under the lock, call {@link #of}, and when the plan is
 * {@link SendResult.Status#APPLIED} write what it lists, in the same atomic step. Stores that decide
 * inside the store (a Lua script) follow the same rules. Pure and immutable.
 *
 * <p>The rules: a change or clear of an update that is not pending at the expected version makes
 * the send a {@code CONFLICT}; adds whose token was not seen before are fresh and take the ids after
 * {@code seq} in order (a token repeated within the send counts once); if any add is fresh and the
 * pending updates after the send, less the clears, would exceed {@code maxPending}, the send is
 * {@code FULL}. Nothing is written unless the plan is {@code APPLIED}.
 *
 * @param status   the outcome
 * @param addedIds when applied, the id of each add of the send, in order (the first id of a seen token)
 * @param inserts  when applied, the fresh updates to store at version 1, with their tokens
 * @param changes  when applied, the updates to replace, each with its new version and data
 * @param clears   when applied, the ids to remove (their tokens are then remembered as consumed)
 * @param seq      the inbox's sequence after the send
 * @param pending  how many updates are pending after the send
 */
public record SendPlan(
        SendResult.Status status,
        List<Long> addedIds,
        List<Insert> inserts,
        List<PendingUpdate> changes,
        List<Long> clears,
        long seq,
        int pending) {

    /** A fresh add: its id, its token and its data. */
    public record Insert(long id, String token, byte[] data) {}

    /**
     * Decides a send.
     *
     * @param ops              the send
     * @param maxPending       the limit the sender gave
     * @param seq              the inbox's sequence now (the last id given, 0 if none)
     * @param pending          how many updates are pending now
     * @param idOfToken        the id of each token of the send's adds the store remembers (pending or
     *                         consumed within {@link Backend#TOKEN_RETENTION}); other tokens may be absent
     * @param versionOfPending the version of each update the send's changes and clears name that is
     *                         still pending; others may be absent
     */
    public static SendPlan of(
            List<UpdateOp> ops,
            int maxPending,
            long seq,
            int pending,
            Map<String, Long> idOfToken,
            Map<Long, Long> versionOfPending) {
        Objects.requireNonNull(ops, "ops");
        Map<String, Long> tokens = new HashMap<>(idOfToken);
        List<Long> added = new ArrayList<>();
        List<Insert> inserts = new ArrayList<>();
        List<PendingUpdate> changes = new ArrayList<>();
        List<Long> clears = new ArrayList<>();
        long next = seq;
        for (UpdateOp op : ops) {
            if (op instanceof UpdateOp.Add a) {
                Long id = tokens.get(a.token());
                if (id == null) {
                    id = ++next;
                    tokens.put(a.token(), id);
                    inserts.add(new Insert(id, a.token(), a.data()));
                }
                added.add(id);
            } else if (op instanceof UpdateOp.Change c) {
                if (!Objects.equals(versionOfPending.get(c.id()), c.expectedVersion())) {
                    return refused(SendResult.Status.CONFLICT, seq, pending);
                }
                changes.add(new PendingUpdate(c.id(), c.expectedVersion() + 1, c.data()));
            } else if (op instanceof UpdateOp.Clear c) {
                if (!Objects.equals(versionOfPending.get(c.id()), c.expectedVersion())) {
                    return refused(SendResult.Status.CONFLICT, seq, pending);
                }
                clears.add(c.id());
            }
        }
        int after = pending - clears.size() + inserts.size();
        if (!inserts.isEmpty() && after > maxPending) {
            return refused(SendResult.Status.FULL, seq, pending);
        }
        return new SendPlan(
                SendResult.Status.APPLIED,
                List.copyOf(added),
                List.copyOf(inserts),
                List.copyOf(changes),
                List.copyOf(clears),
                next,
                after);
    }

    private static SendPlan refused(SendResult.Status status, long seq, int pending) {
        return new SendPlan(status, List.of(), List.of(), List.of(), List.of(), seq, pending);
    }

    /** Whether the send is applied (the lists then say what to write). */
    public boolean applied() {
        return status == SendResult.Status.APPLIED;
    }

    /** The tokens of the send's adds, for reading {@code idOfToken}. */
    public static List<String> tokens(List<UpdateOp> ops) {
        return ops.stream()
                .filter(UpdateOp.Add.class::isInstance)
                .map(op -> ((UpdateOp.Add) op).token())
                .distinct()
                .toList();
    }

    /** The ids the send's changes and clears name, for reading {@code versionOfPending}. */
    public static List<Long> targets(List<UpdateOp> ops) {
        List<Long> ids = new ArrayList<>();
        for (UpdateOp op : ops) {
            if (op instanceof UpdateOp.Change c) {
                ids.add(c.id());
            } else if (op instanceof UpdateOp.Clear c) {
                ids.add(c.id());
            }
        }
        return ids.stream().distinct().toList();
    }
}
