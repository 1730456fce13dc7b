package dev.profileservice.spi;

import java.util.Set;

/**
 * Creates a {@link Backend} from a store URI. Registered through
 * {@code META-INF/services/dev.profileservice.spi.BackendProvider}.
 */
public interface BackendProvider {

    /** URI schemes handled, lower case, without the colon, e.g. {@code "sqlite"}. */
    Set<String> schemes();

    /**
     * Opens a backend. Must fail fast ({@link BackendException}, message naming the URI with any
     * password masked) when the store cannot be reached or the URI is malformed.
     */
    Backend open(String uri);
}
