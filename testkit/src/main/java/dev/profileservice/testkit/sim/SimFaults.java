package dev.profileservice.testkit.sim;

/**
 * How often each fault strikes right now; the simulation changes them as a seed runs and sets them
 * all to zero to heal. Probabilities are per call or per message.
 */
final class SimFaults {
    /** A store call fails before the store applies anything. */
    double failBefore;
    /** A store call is applied but its reply is lost: the caller sees a failure. */
    double lostReply;
    /** A store call is slow: virtual time passes inside it, up to {@link #slowMillis}. */
    double slow;

    long slowMillis;
    /** A message is lost. */
    double messageLoss;
    /** A message is delivered twice. */
    double messageDuplicate;
    /** Messages are delayed by up to this much (so they also overtake each other). */
    long messageDelayMillis;

    void heal() {
        failBefore = 0;
        lostReply = 0;
        slow = 0;
        messageLoss = 0;
        messageDuplicate = 0;
        messageDelayMillis = 0;
    }

    @Override
    public String toString() {
        return String.format(
                "failBefore=%.2f lostReply=%.2f slow=%.2f(%dms) loss=%.2f dup=%.2f delay=%dms",
                failBefore, lostReply, slow, slowMillis, messageLoss, messageDuplicate, messageDelayMillis);
    }
}
