package dev.profileservice;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The kept versions of one profile, one at a time: ProfileService's {@code ProfileVersionQuery}, from
 * {@link ProfileStore#profileVersionQuery}. Each call returns a view ({@link Profile#isActive()} false)
 * of the next version in the query's order; {@link Profile#getKeyInfo()} names the version and when
 * it was written. The query reads the store a page at a time, so a profile with many versions is
 * never loaded whole; versions pruned or wiped while it runs are skipped.
 *
 * <p>Threads: one caller at a time (it keeps its place in the history); any thread but the
 * service's listener executor for {@link #next()}.
 *
 * @param <T> the data type
 */
public interface ProfileVersionQuery<T> {

    /**
     * A view of the next version, or empty when there are no more.
     *
     * @throws ProfileServiceException if the store keeps failing
     */
    Optional<Profile<T>> next();

    /** The non-blocking form of {@link #next()}. */
    CompletableFuture<Optional<Profile<T>>> nextAsync();
}
