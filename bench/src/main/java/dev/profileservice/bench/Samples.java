package dev.profileservice.bench;

import java.util.Arrays;
import java.util.Locale;

/** Latency samples in nanoseconds, and their percentiles (nearest rank). Not thread-safe. */
public final class Samples {
    private long[] values = new long[64];
    private int size;

    /** Adds one sample. */
    public void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    /** Number of samples. */
    public int size() {
        return size;
    }

    /** The {@code p}-th percentile (0 &lt; p &le; 100) by nearest rank, in nanoseconds. */
    public long percentile(double p) {
        if (size == 0) {
            throw new IllegalStateException("no samples");
        }
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))];
    }

    /** The mean in nanoseconds. */
    public double mean() {
        if (size == 0) {
            throw new IllegalStateException("no samples");
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            sum += values[i];
        }
        return sum / size;
    }

    /** Milliseconds with a precision that suits the value, e.g. {@code 0.412 ms}, {@code 15.2 ms}, {@code 2 100 ms}. */
    public static String ms(double nanos) {
        double ms = nanos / 1e6;
        if (ms < 10) {
            return String.format(Locale.ROOT, "%.3f ms", ms);
        }
        if (ms < 1000) {
            return String.format(Locale.ROOT, "%.1f ms", ms);
        }
        return String.format(Locale.ROOT, "%,.0f ms", ms);
    }
}
