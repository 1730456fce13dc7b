package dev.profileservice.spi;

import java.util.Locale;

/**
 * Why a version of a profile was written, as the history keeps it ({@link VersionHistory}). Stored
 * by its {@link #label()}.
 */
public enum VersionCause {
    /** The owner's periodic save. */
    AUTO_SAVE,
    /** A save the game asked for ({@code Profile.save()}). */
    SAVE,
    /** The releasing save that ended a session. */
    RELEASE,
    /** The releasing save of a service that was closing. */
    SHUTDOWN,
    /** A rollback: {@code Profile.overwrite()} on a view. */
    OVERWRITE,
    /** An administrator's tool (the {@code profiles} command, a console). */
    ADMIN,
    /** A data migration. */
    MIGRATION;

    /** The stored form: the name in lower case with dashes, e.g. {@code auto-save}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The cause stored as {@code label}.
     *
     * @throws IllegalArgumentException naming the label if it is not one of {@link #label()}'s
     */
    public static VersionCause ofLabel(String label) {
        for (VersionCause c : values()) {
            if (c.label().equals(label)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown version cause '" + label + "'");
    }
}
