package dev.profileservice.bench;

import java.util.concurrent.atomic.LongAdder;

/**
 * What every raw baseline shares: the count of the requests it sent to its store
 * ({@link RawStore#roundTrips()}). Thread-safe: any thread running a baseline operation counts.
 */
abstract class CountedRawStore implements RawStore {
    private final LongAdder roundTrips = new LongAdder();

    /** Counts one request to the store; call right before sending it. */
    protected final void roundTrip() {
        roundTrips.increment();
    }

    @Override
    public final long roundTrips() {
        return roundTrips.sum();
    }
}
