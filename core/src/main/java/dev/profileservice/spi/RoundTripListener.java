package dev.profileservice.spi;

/**
 * Instrumentation hook: a backend calls {@link #roundTrip(String)} once for every request it sends
 * to its store and waits on (one SQL statement or batch, one Redis command or script). Tests use it
 * to assert how many round trips each protocol step costs. Called on the thread that made the call;
 * must be cheap and must not throw.
 */
@FunctionalInterface
public interface RoundTripListener {
    RoundTripListener NONE = operation -> {};

    /** @param operation the backend operation that caused it, e.g. {@code "acquire"} */
    void roundTrip(String operation);
}
