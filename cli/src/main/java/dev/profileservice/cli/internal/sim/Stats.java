package dev.profileservice.cli.internal.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Percentiles of a list of samples (nearest-rank). */
final class Stats {
    private Stats() {}

    static double percentile(List<Double> samples, double p) {
        if (samples.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static Map<String, Object> summary(List<Double> samples) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", samples.size());
        m.put("p50", round(percentile(samples, 50)));
        m.put("p99", round(percentile(samples, 99)));
        m.put(
                "max",
                round(samples.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)));
        return m;
    }

    static Object round(double v) {
        if (Double.isNaN(v)) {
            return null;
        }
        return Math.round(v * 10) / 10.0;
    }
}
