package dev.profileservice;

/** A listener's subscription, returned by every {@code connect} and {@code listenTo...} method. */
public interface Subscription {
    /** Stops further calls to the listener. Idempotent; a call already running finishes. */
    void disconnect();

    /** Whether the listener is still subscribed. */
    boolean isConnected();
}
