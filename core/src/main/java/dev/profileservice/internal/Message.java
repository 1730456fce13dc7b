package dev.profileservice.internal;

import java.util.Optional;

/**
 * What one server tells another over the store's push channel ({@link dev.profileservice.spi.MessageBus}).
 * Messages are hints that make waits short: a lost, late or repeated one costs at most a poll
 * interval, never safety, because every decision is taken again from the store.
 *
 * <p>Wire form (unchanged since the first release, so servers of different versions understand
 * each other): {@code K|fromServerId|store|key}, where {@code K} is the {@link Kind}'s letter, and
 * {@code P|fromServerId|store|epoch|key} for {@link Kind#RELEASE_SESSION}, which names the session
 * it asks for. Store names cannot hold {@code |}; a key may, as the last field. A server ignores
 * kinds it does not know, so an older server asked with {@code P} does not answer and the FORCE_LOAD
 * takes the profile at its timeout, as when the message is lost.
 *
 * @param kind  what is asked or told
 * @param from  the sending server's id
 * @param store the profile store's name
 * @param key   the profile's key
 * @param epoch the session asked about ({@link Kind#RELEASE_SESSION}), else {@link #NO_EPOCH}
 */
record Message(Kind kind, String from, String store, String key, long epoch) {
    static final long NO_EPOCH = -1;

    Message(Kind kind, String from, String store, String key) {
        this(kind, from, store, key, NO_EPOCH);
    }

    /** The kinds of message, each with its one-letter wire code. */
    enum Kind {
        /**
         * From an older server's FORCE_LOAD: please save and release this profile now, then tell me
         * ({@link #RELEASED}). Not sent any more: a late or repeated one would release a session the
         * owner took after the ask.
         */
        PLEASE_RELEASE('R'),
        /**
         * From a FORCE_LOAD or a steal: please save and release your session of this profile at
         * {@link Message#epoch} now, then tell me ({@link #RELEASED}). A later session of the owner
         * is not released by a late or repeated ask.
         */
        RELEASE_SESSION('P'),
        /** From a REPEAT load: keep it, but tell me ({@link #RELEASED}) when you release it. */
        NOTIFY_ON_RELEASE('W'),
        /** The profile was released here (or is not held here): load it again now. */
        RELEASED('F'),
        /** A global update was sent to a profile you hold: sync it now instead of at the next auto-save. */
        NEW_UPDATE('U');

        final char code;

        Kind(char code) {
            this.code = code;
        }

        static Optional<Kind> of(String code) {
            for (Kind k : values()) {
                if (code.length() == 1 && code.charAt(0) == k.code) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    /** The wire form. */
    String encode() {
        return kind == Kind.RELEASE_SESSION
                ? kind.code + "|" + from + "|" + store + "|" + epoch + "|" + key
                : kind.code + "|" + from + "|" + store + "|" + key;
    }

    /** The message of {@code text}, or empty if it is not one (another version's kind, garbage). */
    static Optional<Message> decode(String text) {
        String[] parts = text.split("\\|", 4);
        if (parts.length != 4) {
            return Optional.empty();
        }
        Optional<Kind> kind = Kind.of(parts[0]);
        if (kind.isEmpty() || kind.get() != Kind.RELEASE_SESSION) {
            return kind.map(k -> new Message(k, parts[1], parts[2], parts[3]));
        }
        String[] epochAndKey = parts[3].split("\\|", 2);
        if (epochAndKey.length != 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    new Message(kind.get(), parts[1], parts[2], epochAndKey[1], Long.parseLong(epochAndKey[0])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
