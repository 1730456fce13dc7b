package dev.profileservice.internal;

import java.util.regex.Pattern;

/** Validation of store names and keys, with messages that say what is wrong. */
final class Names {
    static final int MAX_KEY_LENGTH = 200;
    private static final Pattern STORE = Pattern.compile("[A-Za-z0-9_.-]{1,50}");

    private Names() {}

    static String storeName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("profile store name must not be null");
        }
        if (!STORE.matcher(name).matches()) {
            throw new IllegalArgumentException("profile store name '" + printable(name)
                    + "' is invalid: use 1 to 50 characters from A-Z a-z 0-9 _ . -");
        }
        return name;
    }

    static String key(String key) {
        if (key == null) {
            throw new IllegalArgumentException("profile key must not be null");
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException("profile key must not be empty");
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("profile key is " + key.length() + " characters long; the limit is "
                    + MAX_KEY_LENGTH + " (key starts with '" + printable(key.substring(0, 20)) + "')");
        }
        for (int i = 0; i < key.length(); i++) {
            if (Character.isISOControl(key.charAt(i))) {
                throw new IllegalArgumentException(
                        "profile key '" + printable(key) + "' contains a control character at index " + i);
            }
        }
        return key;
    }

    /** ProfileService's {@code Identify()} form; keys hold no control characters ({@link #key}), so it is one log-safe line. */
    static String identify(String store, String key) {
        return "[Store:\"" + store + "\";Key:\"" + key + "\"]";
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
