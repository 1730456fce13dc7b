package dev.profileservice;

/** The order of a {@link ProfileVersionQuery}: ProfileService's {@code Enum.SortDirection}. */
public enum SortDirection {
    /** Oldest version first. */
    ASCENDING,
    /** Newest version first. */
    DESCENDING
}
