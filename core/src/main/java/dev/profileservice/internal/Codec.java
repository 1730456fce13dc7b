package dev.profileservice.internal;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.std.BeanSerializerBase;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.profileservice.DataModel;
import dev.profileservice.DataModelException;
import dev.profileservice.GlobalUpdate;
import dev.profileservice.spi.PendingUpdate;
import dev.profileservice.spi.StoredProfile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's encodings, all JSON (UTF-8):
 * <ul>
 *   <li>payload (owner-written): {@code {"v":1,"created":ms,"loads":n,"tags":{..},"locked":[{"id":n,"data":{..}}],
 *       "userIds":[..],"dataVersion":n,"data":<T>}} ({@code userIds} absent when empty, {@code dataVersion}
 *       when 1: payloads of stores that use neither are as they were)</li>
 *   <li>an Active global update's data (sender-written, one per update in the store's inbox, which
 *       numbers them): the data map as a JSON object.</li>
 * </ul>
 * Thread-safe (Jackson's mapper is).
 */
public final class Codec {
    static final int FORMAT = 1;

    private final ObjectMapper mapper;
    private final JavaType mapType;

    public Codec() {
        this.mapper = JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .addModule(strictModule())
                .visibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .build();
        this.mapType = mapper.getTypeFactory().constructMapType(LinkedHashMap.class, String.class, Object.class);
    }

    /**
     * Refuses JDK classes that Jackson would otherwise write through their getters (a Thread, a
     * ClassLoader, a Socket): they "encode" but are not data, and would come back as something else.
     * JDK value types with their own serializers (String, numbers, collections, java.time) are not
     * beans and are unaffected.
     */
    private static SimpleModule strictModule() {
        SimpleModule module = new SimpleModule("profileservice-strict");
        module.setSerializerModifier(new BeanSerializerModifier() {
            @Override
            public JsonSerializer<?> modifySerializer(
                    SerializationConfig config, BeanDescription description, JsonSerializer<?> serializer) {
                String type = description.getBeanClass().getName();
                boolean jdk = type.startsWith("java.")
                        || type.startsWith("javax.")
                        || type.startsWith("jdk.")
                        || type.startsWith("sun.")
                        || type.startsWith("com.sun.");
                if (!jdk || !(serializer instanceof BeanSerializerBase)) {
                    return serializer;
                }
                return new StdSerializer<Object>(Object.class) {
                    @Override
                    public void serialize(Object value, JsonGenerator gen, SerializerProvider provider)
                            throws IOException {
                        throw JsonMappingException.from(
                                gen,
                                "a value of type " + type + " is not data; store strings, numbers,"
                                        + " booleans, lists, maps, java.time values or your own classes");
                    }
                };
            }
        });
        // JSON has no NaN or infinity: Jackson would write the string "NaN", which comes back as a
        // String in a Map. Refuse such numbers instead of changing their type behind the user's back.
        StdSerializer<Double> doubles = new StdSerializer<>(Double.class) {
            @Override
            public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeNumber(finite(value, gen));
            }
        };
        StdSerializer<Float> floats = new StdSerializer<>(Float.class) {
            @Override
            public void serialize(Float value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeNumber((float) finite(value, gen));
            }
        };
        StdSerializer<double[]> doubleArrays = new StdSerializer<>(double[].class) {
            @Override
            public void serialize(double[] values, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeStartArray(values, values.length);
                for (double v : values) {
                    gen.writeNumber(finite(v, gen));
                }
                gen.writeEndArray();
            }
        };
        StdSerializer<float[]> floatArrays = new StdSerializer<>(float[].class) {
            @Override
            public void serialize(float[] values, JsonGenerator gen, SerializerProvider provider) throws IOException {
                gen.writeStartArray(values, values.length);
                for (float v : values) {
                    gen.writeNumber((float) finite(v, gen));
                }
                gen.writeEndArray();
            }
        };
        module.addSerializer(Double.class, doubles);
        module.addSerializer(Double.TYPE, doubles);
        module.addSerializer(Float.class, floats);
        module.addSerializer(Float.TYPE, floats);
        module.addSerializer(double[].class, doubleArrays);
        module.addSerializer(float[].class, floatArrays);
        return module;
    }

    private static double finite(double value, JsonGenerator gen) throws JsonMappingException {
        if (!Double.isFinite(value)) {
            throw JsonMappingException.from(
                    gen,
                    "the number " + value + " cannot be stored: JSON has no NaN or"
                            + " infinity, so it would not come back as a number (store null or a finite number)");
        }
        return value;
    }

    /** The data type of a store with this template: its class, or {@code LinkedHashMap<String,Object>} for maps. */
    public JavaType dataType(Object template) {
        if (template instanceof Map) {
            return mapType;
        }
        return mapper.getTypeFactory().constructType(template.getClass());
    }

    /**
     * The payload fields, decoded.
     *
     * @param dataVersion the data version the payload was stored at (its data is at the model's
     *                    version once decoded: migrated when this is older)
     */
    public record Payload<T>(
            long created,
            long loads,
            T data,
            Map<String, Object> tags,
            List<GlobalUpdate> locked,
            List<Long> userIds,
            int dataVersion) {}

    /** An Active update as the engine holds it: the API's view, and the version the store gave it. */
    public record ActiveUpdate(GlobalUpdate update, long version) {
        public long id() {
            return update.id();
        }
    }

    /**
     * A record's Active updates, decoded.
     *
     * @param active  the ones that decode, in id order
     * @param corrupt the ones that do not, to set aside
     * @param seq     the last id the store's inbox gave
     */
    public record Inbox(List<ActiveUpdate> active, List<PendingUpdate> corrupt, long seq) {
        static final Inbox EMPTY = new Inbox(List.of(), List.of(), 0);

        /** The API's view of the active ones. */
        public List<GlobalUpdate> updates() {
            return active.stream().map(ActiveUpdate::update).toList();
        }
    }

    /** Thrown when stored bytes are not a valid encoding. */
    public static final class CorruptException extends Exception {
        CorruptException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Encodes a payload; {@link IllegalArgumentException} naming the problem if something cannot be encoded. */
    public byte[] encodePayload(
            long created,
            long loads,
            Object data,
            Map<String, Object> tags,
            List<GlobalUpdate> locked,
            List<Long> userIds,
            int dataVersion) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("v", FORMAT);
        out.put("created", created);
        out.put("loads", loads);
        out.put("tags", tags);
        out.put("locked", locked);
        if (!userIds.isEmpty()) {
            out.put("userIds", userIds); // absent when empty: payloads of profiles without ids stay as they were
        }
        if (dataVersion != 1) {
            out.put("dataVersion", dataVersion); // absent at 1: payloads of stores without a model stay as they were
        }
        out.put("data", data);
        try {
            return mapper.writeValueAsBytes(out);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("profile data cannot be encoded as JSON: " + rootMessage(e), e);
        }
    }

    /** {@link #decodePayload(byte[], JavaType, DataModel, boolean)} for a session of a store without a model. */
    public <T> Payload<T> decodePayload(byte[] bytes, JavaType dataType) throws CorruptException {
        return decodePayload(bytes, dataType, DataModel.none(), false);
    }

    /**
     * Decodes a payload, its data brought to {@code model}'s version by the model's steps.
     *
     * @param readNewer read data at a newer version than the model's as it is stored (for a view,
     *                  which never writes it back in an older shape), rather than refusing it (for
     *                  a session)
     * @throws CorruptException  if the bytes are not a valid payload
     * @throws DataModelException if the data is at a newer version than the model's (unless
     *                            {@code readNewer}), or a step failed
     */
    public <T> Payload<T> decodePayload(byte[] bytes, JavaType dataType, DataModel<?> model, boolean readNewer)
            throws CorruptException {
        JsonNode root = tree(bytes, "payload");
        int v = root.path("v").asInt(-1);
        if (v != FORMAT) {
            throw new CorruptException("payload format version is " + root.path("v") + ", expected " + FORMAT, null);
        }
        JsonNode created = root.get("created");
        JsonNode loads = root.get("loads");
        if (created == null || !created.isIntegralNumber() || loads == null || !loads.isIntegralNumber()) {
            throw new CorruptException("payload 'created' or 'loads' is missing or not a whole number", null);
        }
        JsonNode tags = root.get("tags");
        if (tags == null || !tags.isObject()) {
            throw new CorruptException("payload 'tags' is missing or not an object", null);
        }
        JsonNode data = root.get("data");
        if (data == null || data.isNull()) {
            throw new CorruptException("payload 'data' is missing or null", null);
        }
        int dataVersion = dataVersion(root.get("dataVersion"));
        if (dataVersion > model.version() && !readNewer) {
            throw new DataModelException(
                    "the data is at version " + dataVersion + ", newer than this server's data model (version "
                            + model.version() + "): it was saved by a newer release; this server must not load it",
                    null);
        }
        if (dataVersion < model.version()) {
            data = migrate(data, dataVersion, model);
        }
        try {
            T value = mapper.readerFor(dataType).readValue(data);
            if (value == null) {
                throw new CorruptException("payload 'data' decoded to null", null);
            }
            Map<String, Object> tagMap = mapper.convertValue(tags, mapType);
            return new Payload<>(
                    created.asLong(),
                    loads.asLong(),
                    value,
                    tagMap,
                    updates(root.get("locked"), "locked"),
                    userIds(root.get("userIds")),
                    dataVersion);
        } catch (IOException | IllegalArgumentException e) {
            throw new CorruptException(
                    "payload 'data' does not match " + dataType.toCanonical() + ": " + rootMessage(e), e);
        }
    }

    /** A payload's data version: 1 when absent (saved before its store had a data model). */
    private static int dataVersion(JsonNode node) throws CorruptException {
        if (node == null) {
            return 1;
        }
        if (!node.isInt() || node.asInt() < 1) {
            throw new CorruptException("payload 'dataVersion' is " + node + ", not a whole number from 1", null);
        }
        return node.asInt();
    }

    /** Runs the model's steps from {@code from} on the data as a map; a step that throws is a {@link DataModelException}. */
    private JsonNode migrate(JsonNode data, int from, DataModel<?> model) throws CorruptException {
        if (!data.isObject()) {
            throw new CorruptException("payload 'data' at version " + from + " is not an object to migrate", null);
        }
        Map<String, Object> map = mapper.convertValue(data, mapType);
        for (int v = from; v < model.version(); v++) {
            try {
                model.step(v).accept(map);
            } catch (RuntimeException e) {
                throw new DataModelException(
                        "the migration step from data version " + v + " to " + (v + 1) + " failed: " + e, e);
            }
        }
        try {
            return mapper.valueToTree(map);
        } catch (IllegalArgumentException e) {
            throw new DataModelException(
                    "the data migrated to version " + model.version() + " cannot be encoded as JSON: " + rootMessage(e),
                    e);
        }
    }

    /** A payload's user ids: none when absent (payloads written before user ids existed). */
    private static List<Long> userIds(JsonNode ids) throws CorruptException {
        if (ids == null || ids.isNull()) {
            return List.of();
        }
        if (!ids.isArray()) {
            throw new CorruptException("payload 'userIds' is not a list", null);
        }
        List<Long> out = new ArrayList<>(ids.size());
        for (JsonNode id : ids) {
            if (!id.isIntegralNumber() || !id.canConvertToLong()) {
                throw new CorruptException("payload 'userIds' holds " + id + ", not a whole number", null);
            }
            out.add(id.asLong());
        }
        return List.copyOf(out);
    }

    /** The Locked updates of a payload, without decoding its data (a sender's view needs no more). */
    public List<GlobalUpdate> lockedUpdates(byte[] payload) throws CorruptException {
        if (payload == null) {
            return List.of();
        }
        return updates(tree(payload, "payload").get("locked"), "locked");
    }

    /** Encodes an Active update's data; {@link IllegalArgumentException} naming the problem if it cannot be encoded. */
    public byte[] encodeUpdateData(Map<String, Object> data) {
        if (data == null) {
            throw new IllegalArgumentException("global update data must not be null");
        }
        try {
            return mapper.writeValueAsBytes(data);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("global update data cannot be encoded as JSON: " + rootMessage(e), e);
        }
    }

    /** Decodes the Active updates of {@code record}; an update whose data is not a JSON object is {@code corrupt}. */
    public Inbox decodeInbox(StoredProfile record) {
        List<ActiveUpdate> active = new ArrayList<>(record.updates().size());
        List<PendingUpdate> corrupt = new ArrayList<>(0);
        for (PendingUpdate u : record.updates()) {
            try {
                JsonNode data = tree(u.data(), "global update " + u.id());
                active.add(new ActiveUpdate(
                        new GlobalUpdate(u.id(), Collections.unmodifiableMap(mapper.convertValue(data, mapType))),
                        u.version()));
            } catch (CorruptException | IllegalArgumentException e) {
                corrupt.add(u);
            }
        }
        return new Inbox(List.copyOf(active), List.copyOf(corrupt), record.updateSeq());
    }

    private List<GlobalUpdate> updates(JsonNode array, String what) throws CorruptException {
        if (array == null || !array.isArray()) {
            throw new CorruptException("'" + what + "' is missing or not an array", null);
        }
        List<GlobalUpdate> out = new ArrayList<>(array.size());
        for (JsonNode u : array) {
            JsonNode id = u.get("id");
            JsonNode data = u.get("data");
            if (id == null || !id.isIntegralNumber() || data == null || !data.isObject()) {
                throw new CorruptException(
                        "an entry of '" + what + "' has no whole-number 'id' or no object 'data'", null);
            }
            out.add(update(id.asLong(), mapper.convertValue(data, mapType)));
        }
        return Collections.unmodifiableList(out);
    }

    private JsonNode tree(byte[] bytes, String what) throws CorruptException {
        try {
            JsonNode root = mapper.readTree(bytes);
            if (root == null || !root.isObject()) {
                throw new CorruptException(what + " is not a JSON object", null);
            }
            return root;
        } catch (IOException e) {
            throw new CorruptException(what + " is not valid JSON: " + rootMessage(e), e);
        }
    }

    /** A global update with an unmodifiable deep copy of {@code data}. */
    public GlobalUpdate update(long id, Map<String, Object> data) {
        return new GlobalUpdate(id, Collections.unmodifiableMap(copyMap(data, "global update data")));
    }

    /** A {@link Reconciler} that reads and writes data as this codec does. */
    Reconciler reconciler() {
        return new Reconciler(mapper);
    }

    /** A deep copy of {@code value} as {@code type}, through JSON; {@link IllegalArgumentException} if it cannot be encoded. */
    public <T> T copy(Object value, JavaType type, String what) {
        try {
            return mapper.readerFor(type).readValue(mapper.writeValueAsBytes(value));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(what + " cannot be encoded as JSON: " + rootMessage(e), e);
        }
    }

    /** A mutable deep copy of a map, through JSON. */
    public Map<String, Object> copyMap(Map<String, Object> value, String what) {
        if (value == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        return copy(value, mapType, what);
    }

    /** Throws {@link IllegalArgumentException} if {@code value} cannot be encoded. */
    public void checkEncodable(Object value, String what) {
        try {
            mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException(what + " cannot be encoded as JSON: " + rootMessage(e), e);
        }
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m != null) {
            int nl = m.indexOf('\n');
            if (nl > 0) {
                m = m.substring(0, nl);
            }
        }
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
