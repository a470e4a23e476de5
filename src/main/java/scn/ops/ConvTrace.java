package scn.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scn.tensor.ConvGeometry;

/**
 * Which path each convolution on spikes took and at what input density, per layer, for
 * {@code bench --spikes} and {@code summary}. Off unless enabled; when on, each dispatch adds one
 * record under a lock (a few hundred per training step, next to milliseconds of convolution).
 */
public final class ConvTrace {
    /**
     * One layer's record: its geometry (of the first call), calls per pass and path, and the mean density of its spike
     * input.
     */
    public record Row(
            String layer,
            ConvGeometry geometry,
            double density,
            int forwardSparse,
            int forwardDense,
            int weightSparse,
            int weightDense) {
        /** The layer kind's label. */
        public String kind() {
            return SpikeConv.Kind.of(geometry).label();
        }

        /** The input's shape, {@code [N, Cin, H, W]}. */
        public String input() {
            return ConvTrace.input(geometry);
        }

        /** The crossovers {@code auto} holds the layer to, and where they come from. */
        public SpikeConv.Crossover crossover() {
            return SpikeConv.crossover(geometry);
        }

        /** {@code sparse}, {@code dense} or {@code mixed} for the forward pass; {@code -} when it never ran. */
        public String forwardPath() {
            return path(forwardSparse, forwardDense);
        }

        public String weightPath() {
            return path(weightSparse, weightDense);
        }

        /** How {@code sparse} event-driven and {@code dense} passes read: {@code sparse}, {@code dense}, {@code mixed}. */
        public static String path(int sparse, int dense) {
            if (sparse + dense == 0) return "-";
            return dense == 0 ? "sparse" : sparse == 0 ? "dense" : "mixed";
        }
    }

    private static final class Tally {
        final ConvGeometry geometry;
        double densitySum;
        int densityCount, forwardSparse, forwardDense, weightSparse, weightDense;

        Tally(ConvGeometry geometry) {
            this.geometry = geometry;
        }
    }

    private static volatile boolean enabled;
    private static final Map<String, Tally> LAYERS = new LinkedHashMap<>();

    private ConvTrace() {}

    public static void enable(boolean on) {
        enabled = on;
    }

    public static synchronized void reset() {
        LAYERS.clear();
    }

    static boolean enabled() {
        return enabled;
    }

    /** Notes one dispatch; {@code layer} may be null (then the geometry names it). */
    static synchronized void record(String layer, ConvGeometry g, boolean weightPass, double density, boolean sparse) {
        String key = layer != null ? layer : SpikeConv.Kind.of(g).label() + " " + input(g) + " -> " + g.cout();
        Tally t = LAYERS.computeIfAbsent(key, k -> new Tally(g));
        if (!weightPass) {
            t.densitySum += density;
            t.densityCount++;
            if (sparse) t.forwardSparse++;
            else t.forwardDense++;
        } else if (sparse) {
            t.weightSparse++;
        } else {
            t.weightDense++;
        }
    }

    private static String input(ConvGeometry g) {
        return "[" + g.n() + ", " + g.cin() + ", " + g.h() + ", " + g.w() + "]";
    }

    /** The layers in the order they first ran. */
    public static synchronized List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        LAYERS.forEach((layer, t) -> rows.add(new Row(
                layer,
                t.geometry,
                t.densityCount == 0 ? Double.NaN : t.densitySum / t.densityCount,
                t.forwardSparse,
                t.forwardDense,
                t.weightSparse,
                t.weightDense)));
        return rows;
    }
}
