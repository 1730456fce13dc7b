package dev.profileservice.bench;

import com.fasterxml.jackson.databind.JavaType;
import dev.profileservice.GlobalUpdate;
import dev.profileservice.internal.Codec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The engine's payload encoding ({@code dev.profileservice.internal.Codec}, not API) of a profile of
 * 2 KB and 100 KB of data, with two meta tags and one locked global update: encode (what every save
 * pays) and decode (what every load pays).
 */
public class CodecBenchmark extends MicroBenchmark {

    /** Size of the profile data (plain JSON). */
    @Param({"2048", "102400"})
    public int bytes;

    private Codec codec;
    private Map<String, Object> data;
    private Map<String, Object> tags;
    private List<GlobalUpdate> locked;
    private JavaType dataType;
    private byte[] encoded;

    @Setup(Level.Trial)
    public void setUp() {
        codec = new Codec();
        data = Payloads.profile(bytes);
        tags = new LinkedHashMap<>(Map.of("lastPurchase", "gem_pack_3", "vip", true));
        locked = List.of(new GlobalUpdate(7, Map.of("gift", "coins", "amount", 100)));
        dataType = codec.dataType(data);
        encoded = encode();
    }

    /** Encode data, tags and locked updates into the stored payload. */
    @Benchmark
    public byte[] encode() {
        return codec.encodePayload(1_700_000_000_000L, 12, data, tags, locked, java.util.List.of(), 1);
    }

    /** Decode a stored payload back into data, tags and locked updates. */
    @Benchmark
    public Object decode() throws Codec.CorruptException {
        return codec.decodePayload(encoded, dataType);
    }
}
