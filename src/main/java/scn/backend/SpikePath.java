package scn.backend;

import java.util.Locale;

/**
 * The one switch for convolutions on spike inputs: {@code dense} always lowers spikes to the dense
 * (im2col + GEMM) path, {@code sparse} always runs the event-driven path, {@code auto} (the default)
 * picks per layer and call from the input's measured density and a crossover density measured on the
 * layer's shape or kind (see {@code scn.ops.SpikeConv}).
 *
 * <p>Set once at start-up ({@code --spikes} on the command line or {@code -Dscn.spikes=…}); tests and
 * benchmarks flip it to compare paths. The references ({@link Kernels#reference()}) override it.
 */
public final class SpikePath {
    public enum Mode {
        DENSE,
        SPARSE,
        AUTO
    }

    private static volatile Mode mode = parse(System.getProperty("scn.spikes", "auto"));

    private SpikePath() {}

    public static Mode mode() {
        return mode;
    }

    public static void force(Mode m) {
        mode = m;
    }

    /** {@code dense|sparse|auto}, case-insensitive. */
    public static Mode parse(String s) {
        try {
            return Mode.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("spike path must be dense, sparse or auto, got '" + s + "'");
        }
    }

    /** One line for the start-up log. */
    public static String describe() {
        return switch (mode) {
            case DENSE -> "dense (spikes lowered to im2col + GEMM)";
            case SPARSE -> "sparse (event-driven, accumulate-only)";
            case AUTO ->
                "auto (event-driven below a crossover density measured on each layer's shape, or on its layer kind where the shape is not in the table)";
        };
    }
}
