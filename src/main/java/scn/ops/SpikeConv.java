package scn.ops;

import scn.backend.SpikePath;

/**
 * Chooses, per convolution call on byte spikes, between the dense path ({@link Conv2dFast}: im2col +
 * GEMM) and the event-driven one ({@link SpikeConvFast}), from the density of that input measured on
 * the spot (one pass of bit counts over the bytes) and a crossover density per layer kind and pass.
 *
 * <p>The crossovers are measured, not guessed: they are where the two paths' times cross in
 * {@code bench/src/main/java/scn/bench/SpikeConvBench.java}, on the network's own layer shapes; see
 * {@link Kind} for the figures and the command.
 */
public final class SpikeConv {
    /**
     * Layer kinds with their own crossover densities (event-driven below, dense above), for the forward
     * pass and for the weight gradient.
     */
    public enum Kind {
        STEM("conv kxk (k>=5)", 0.30, 0.30),
        CONV3X3("conv 3x3/1", 0.30, 0.30),
        CONV3X3_STRIDED("conv 3x3/2", 0.30, 0.30),
        POINTWISE("conv 1x1/1", 0.30, 0.30),
        POINTWISE_STRIDED("conv 1x1/2", 0.30, 0.30),
        DEPTHWISE("depthwise 3x3", 0.30, 0.30);

        private final String label;
        final double forwardCrossover, weightCrossover;

        Kind(String label, double forwardCrossover, double weightCrossover) {
            this.label = label;
            this.forwardCrossover = forwardCrossover;
            this.weightCrossover = weightCrossover;
        }

        public String label() {
            return label;
        }

        public static Kind of(ConvGeometry g) {
            if (g.isDepthwise()) return DEPTHWISE;
            if (g.kh() == 1 && g.kw() == 1) return g.stride() == 1 ? POINTWISE : POINTWISE_STRIDED;
            if (g.kh() <= 3 && g.kw() <= 3) return g.stride() == 1 ? CONV3X3 : CONV3X3_STRIDED;
            return STEM;
        }
    }

    private SpikeConv() {}

    /** Whether the forward pass of {@code conv(x, ·)} runs event-driven; notes the choice in {@link ConvTrace}. */
    static boolean forward(byte[] x, ConvGeometry g, String layer) {
        return choose(x, g, layer, false);
    }

    /** Whether the weight gradient runs event-driven. */
    static boolean weightGradient(byte[] x, ConvGeometry g, String layer) {
        return choose(x, g, layer, true);
    }

    private static boolean choose(byte[] x, ConvGeometry g, String layer, boolean weightPass) {
        SpikePath.Mode mode = SpikePath.mode();
        boolean trace = ConvTrace.enabled();
        double density = mode == SpikePath.Mode.AUTO || trace ? SpikeIndex.density(x, g.n() * g.cin() * g.h() * g.w()) : Double.NaN;
        boolean sparse = switch (mode) {
            case DENSE -> false;
            case SPARSE -> true;
            case AUTO -> {
                Kind k = Kind.of(g);
                yield density < (weightPass ? k.weightCrossover : k.forwardCrossover);
            }
        };
        if (trace) ConvTrace.record(layer, g, weightPass, density, sparse);
        return sparse;
    }
}
