package dev.profileservice;

/**
 * A service-wide event source ({@code issueSignal}, {@code corruptionSignal},
 * {@code criticalStateSignal}). Listeners run on the service's listener executor, one event at a
 * time in the order the events happened; a listener that throws is logged and stays connected.
 *
 * @param <L> the listener type
 */
public interface Signal<L> {
    /** Subscribes {@code listener}; never null. */
    Subscription connect(L listener);
}
