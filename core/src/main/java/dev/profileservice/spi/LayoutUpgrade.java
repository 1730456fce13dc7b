package dev.profileservice.spi;

import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upgrades a store's layout (tables, key structures) in place, one numbered step at a time, so that
 * a store written by an older release keeps its data when a newer release opens it. Every built-in
 * store upgrades through this class; each keeps the number of its layout in the store itself.
 *
 * <p>Layout 1 is the first release's. Step {@code n} brings layout {@code n - 1} to {@code n}; the
 * steps of a store are numbered 2, 3, ... without gaps. A store at layout {@code v} runs the steps
 * after {@code v} in order and records each number as soon as its step is done, so an upgrade cut
 * short (a crash, a lost connection) resumes at the step it stopped in: every step must therefore be
 * safe to run again after running part way. A store at a layout newer than the steps know is
 * refused, naming both numbers: an older release must not write a layout it does not understand.
 *
 * <h2>Threads</h2>
 * {@link #upgrade} runs the steps on the calling thread. The caller holds the store's own upgrade
 * lock around the read of the current layout and the upgrade, so two processes starting at once
 * upgrade once, one after the other. Immutable.
 *
 * @param <S> what a step works on: a JDBC connection, a Redis connection
 */
public final class LayoutUpgrade<S> {
    private static final Logger LOG = LoggerFactory.getLogger(LayoutUpgrade.class);

    /** One step of the upgrade. */
    public interface Step<S> {
        /** The layout this step brings the store to; it runs on a store at {@code to() - 1}. */
        int to();

        /** What the step changes, for the log. */
        String description();

        /** Changes the store; safe to run again after a failure part way. */
        void apply(S store) throws Exception;
        /** A step made of its three parts. */
        static <S> Step<S> of(int to, String description, Action<S> apply) {
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(apply, "apply");
            return new Step<>() {
                @Override
                public int to() {
                    return to;
                }

                @Override
                public String description() {
                    return description;
                }

                @Override
                public void apply(S store) throws Exception {
                    apply.apply(store);
                }
            };
        }
    }

    /** What a step does to the store ({@link Step#apply}). */
    @FunctionalInterface
    public interface Action<S> {
        void apply(S store) throws Exception;
    }

    /** Records the layout a store is now at, in the store. */
    @FunctionalInterface
    public interface Recorder<S> {
        void record(S store, int layout) throws Exception;
    }

    private final String storeDescription;
    private final List<Step<S>> steps;

    /**
     * @param storeDescription the store, for messages (a URI with its password masked)
     * @param steps            steps numbered 2, 3, ... in order, without gaps
     * @throws IllegalArgumentException if the steps are not numbered so
     */
    public LayoutUpgrade(String storeDescription, List<Step<S>> steps) {
        this.storeDescription = Objects.requireNonNull(storeDescription, "storeDescription");
        this.steps = List.copyOf(steps);
        for (int i = 0; i < this.steps.size(); i++) {
            if (this.steps.get(i).to() != i + 2) {
                throw new IllegalArgumentException("layout step " + (i + 1) + " brings the layout to "
                        + this.steps.get(i).to() + "; steps must be numbered 2, 3, ... in order");
            }
        }
    }

    /** The layout this release writes: the last step's number, or 1 without steps. */
    public int latest() {
        return steps.size() + 1;
    }

    /**
     * Brings a store at layout {@code current} to {@link #latest()}, recording each step's number
     * once it is done.
     *
     * @return how many steps ran
     * @throws BackendException (not transient) if the store's layout is newer than this release's;
     *         a step's failure as it is when it is a {@code BackendException}, else wrapped in one
     *         naming the step (transient, so the store can be opened again to resume)
     */
    public int upgrade(S store, int current, Recorder<S> recorder) {
        if (current > latest()) {
            throw new BackendException(
                    "the ProfileService data in " + storeDescription + " has layout " + current
                            + ", newer than this release understands (" + latest() + "); upgrade the library",
                    false);
        }
        if (current < 1) {
            throw new IllegalArgumentException("layout " + current + " does not exist; layouts start at 1");
        }
        int ran = 0;
        for (Step<S> step : steps.subList(current - 1, steps.size())) {
            long start = System.nanoTime();
            LOG.info(
                    "upgrading the ProfileService data in {} to layout {}: {}",
                    storeDescription,
                    step.to(),
                    step.description());
            try {
                step.apply(store);
                recorder.record(store, step.to());
            } catch (BackendException e) {
                throw e;
            } catch (Exception e) {
                throw new BackendException(
                        "upgrading " + storeDescription + " to layout " + step.to() + " (" + step.description()
                                + ") failed: " + e + "; the next start resumes at this step",
                        true,
                        e);
            }
            LOG.info(
                    "{} is at layout {} ({} ms)", storeDescription, step.to(), (System.nanoTime() - start) / 1_000_000);
            ran++;
        }
        return ran;
    }
}
