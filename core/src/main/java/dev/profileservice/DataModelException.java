package dev.profileservice;

/**
 * A load or view refused by the store's {@link DataModel}: the data is at a newer version than this
 * server's model knows (a rolling deploy: this server runs the older release), a migration step
 * failed, or the data fails the validator. Nothing was written; the stored data is as it was.
 */
public final class DataModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
