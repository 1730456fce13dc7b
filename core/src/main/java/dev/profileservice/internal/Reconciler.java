package dev.profileservice.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * {@code Profile.reconcile()}: fills what the data lacks from the template, recursively, never
 * overwriting a value that is there. Works on the JSON form, so maps, classes with fields and
 * records are treated alike: an absent map key, or a field or record component that is null,
 * takes the template's value (copied); nested objects are filled the same way; lists and values
 * that are there are left alone. A class's or map's data object is updated in place (code holding
 * it sees the new values); a record, being immutable, is replaced by a filled copy. Stateless; the
 * caller holds the profile's lock.
 */
final class Reconciler {
    private final ObjectMapper mapper;

    /** @param mapper the codec's mapper, so the data is read and written exactly as it is saved */
    Reconciler(ObjectMapper mapper) {
        this.mapper = mapper.copy().setDefaultMergeable(true);
    }

    /** The data after filling it from {@code template}: the same object unless it is a record (or nothing was missing). */
    <T> T reconcile(T data, Object template, JavaType type) {
        JsonNode have = mapper.valueToTree(data);
        JsonNode want = mapper.valueToTree(template);
        if (!(have instanceof ObjectNode haveObject) || !(want instanceof ObjectNode wantObject)) {
            return data;
        }
        ObjectNode missing = mapper.createObjectNode();
        if (!collectMissing(haveObject, wantObject, missing)) {
            return data;
        }
        try {
            if (data.getClass().isRecord()) {
                return mapper.readerFor(type).readValue(merge(haveObject, missing));
            }
            return mapper.readerForUpdating(data).readValue(missing);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "reconcile could not fill the data from the template: " + e.getMessage(), e);
        }
    }

    /** Puts into {@code missing} what {@code want} has and {@code have} lacks; whether there was any. */
    private static boolean collectMissing(ObjectNode have, ObjectNode want, ObjectNode missing) {
        boolean any = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = want.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = have.get(field.getKey());
            JsonNode wanted = field.getValue();
            if ((value == null || value.isNull()) && !wanted.isNull()) {
                missing.set(field.getKey(), wanted.deepCopy());
                any = true;
            } else if (value instanceof ObjectNode haveInner && wanted instanceof ObjectNode wantInner) {
                ObjectNode inner = missing.objectNode();
                if (collectMissing(haveInner, wantInner, inner)) {
                    missing.set(field.getKey(), inner);
                    any = true;
                }
            }
        }
        return any;
    }

    /** {@code have} with {@code missing} laid over it (a copy). */
    private static ObjectNode merge(ObjectNode have, ObjectNode missing) {
        ObjectNode out = have.deepCopy();
        missing.fields().forEachRemaining(f -> {
            JsonNode there = out.get(f.getKey());
            if (there instanceof ObjectNode inner && f.getValue() instanceof ObjectNode more) {
                out.set(f.getKey(), merge(inner, more));
            } else {
                out.set(f.getKey(), f.getValue());
            }
        });
        return out;
    }
}
