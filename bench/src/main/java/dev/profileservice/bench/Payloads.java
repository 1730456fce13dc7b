package dev.profileservice.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Profile data of a chosen size, shaped like a game's player profile (currencies, settings, an
 * inventory of item maps), as a {@code Map<String, Object>} the way the library stores maps. Sizes
 * are of the plain JSON encoding of the data alone. Thread-safe (stateless).
 */
public final class Payloads {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Payloads() {}

    /** Data whose JSON encoding is {@code approxBytes} long, give or take one inventory item (~60 bytes). */
    public static Map<String, Object> profile(int approxBytes) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("coins", 1250L);
        data.put("gems", 17L);
        data.put("level", 42L);
        data.put("xp", 918_273L);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("music", Boolean.TRUE);
        settings.put("sfxVolume", 0.8);
        settings.put("language", "en-GB");
        data.put("settings", settings);
        List<Object> inventory = new ArrayList<>();
        data.put("inventory", inventory);
        int i = 0;
        while (jsonSize(data) < approxBytes) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("id", "item_" + i);
            item.put("count", (long) (i % 64) + 1);
            item.put("name", "Enchanted sword #" + i);
            inventory.add(item);
            i++;
        }
        return data;
    }

    /** A deep copy of JSON-like data (maps, lists, scalars), as a decoder would produce it. */
    @SuppressWarnings("unchecked")
    public static Object deepCopy(Object value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put((String) k, deepCopy(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(v -> out.add(deepCopy(v)));
            return out;
        }
        return value;
    }

    /**
     * Makes {@code payload} differ from the last one written, as the library's do (every save
     * carries an edit). This matters: SQLite and InnoDB skip writing a row whose bytes did not
     * change, so a raw loop writing the same bytes over and over would measure no writes at all.
     */
    public static void stamp(byte[] payload, long version) {
        for (int b = 0; b < 8 && b < payload.length; b++) {
            payload[b] = (byte) (version >>> (8 * b));
        }
    }

    /** The plain JSON size of {@code value} in bytes. */
    public static int jsonSize(Object value) {
        return json(value).length;
    }

    /** The plain JSON encoding of {@code value}. */
    public static byte[] json(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode benchmark data: " + e.getMessage(), e);
        }
    }
}
