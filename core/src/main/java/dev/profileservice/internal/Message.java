package dev.profileservice.internal;

import java.util.Optional;

/**
 * What one server tells another over the store's push channel ({@link dev.profileservice.spi.MessageBus}).
 * Messages are hints that make waits short: a lost, late or repeated one costs at most a poll
 * interval, never safety, because every decision is taken again from the store.
 *
 * <p>Wire form (unchanged since the first release, so servers of different versions understand
 * each other): {@code K|fromServerId|store|key}, where {@code K} is the {@link Kind}'s letter.
 * Store names cannot hold {@code |}; a key may, as the last field.
 *
 * @param kind  what is asked or told
 * @param from  the sending server's id
 * @param store the profile store's name
 * @param key   the profile's key
 */
record Message(Kind kind, String from, String store, String key) {

    /** The kinds of message, each with its one-letter wire code. */
    enum Kind {
        /** From a FORCE_LOAD: please save and release this profile now, then tell me ({@link #RELEASED}). */
        PLEASE_RELEASE('R'),
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
        return kind.code + "|" + from + "|" + store + "|" + key;
    }

    /** The message of {@code text}, or empty if it is not one (another version's kind, garbage). */
    static Optional<Message> decode(String text) {
        String[] parts = text.split("\\|", 4);
        if (parts.length != 4) {
            return Optional.empty();
        }
        return Kind.of(parts[0]).map(kind -> new Message(kind, parts[1], parts[2], parts[3]));
    }
}
