package dev.profileservice.bench;

import java.util.List;

/**
 * The raw baseline: the session-locked profile protocol written by hand, as well as a user could,
 * with the same driver against the same server as the library's backend. One record per key holds
 * {@code (epoch, owner, payload)}; taking a session increments the epoch; saving is one conditional
 * write that checks epoch and owner in the store. It has none of the library's extras (inbox,
 * heartbeat, hand-over, corruption handling), so it is the floor the library is measured against.
 *
 * <p>Every method is blocking and thread-safe; each counts the requests it sends to the store in
 * {@link #roundTrips()}.
 */
public interface RawStore extends AutoCloseable {

    /** The taken session: the epoch to fence writes with, and the payload that was stored. */
    record Session(String key, String owner, long epoch, byte[] payload) {}

    /** What it is, for the report (driver, pool, script). */
    String describe();

    /** Creates (or resets) unowned records for {@code keys}, each holding {@code payload}. */
    void prepare(List<String> keys, byte[] payload);

    /**
     * Takes the session of an unowned record and reads its payload: the raw "load".
     *
     * @throws IllegalStateException if the record is owned or missing
     */
    Session acquire(String key, String owner);

    /** The fenced save; false if epoch or owner no longer match (nothing written). */
    boolean save(Session session, byte[] payload);

    /** The fenced final save that also clears the owner; false if the session was lost. */
    boolean release(Session session, byte[] payload);

    /** Requests sent to the store so far. */
    long roundTrips();

    /** Deletes everything this baseline created and closes the pool or connection. */
    @Override
    void close();
}
