package scn.ops;

import scn.backend.SpikePath;
import scn.tensor.ConvGeometry;

/**
 * Chooses, per convolution call on byte spikes, between the dense path ({@link Conv2dFast}: im2col +
 * GEMM) and the event-driven one ({@link SpikeConvFast}), from the density of that input measured on
 * the spot (one pass of bit counts over the bytes) and a crossover density per pass: event-driven
 * below it, dense at and above.
 *
 * <p>The crossovers are measured, not guessed. A layer whose shape (kernel, stride, padding, groups,
 * channels, input plane) is in {@link SpikeCrossovers}, measured on that very shape, takes the row
 * measured nearest its number of images per call; any other takes its {@link Kind}'s. Either way the
 * choice depends only on the shape, the images per call and the input's density, never on timing
 * during the run, so training repeats itself bit for bit. The table is regenerated (after
 * {@code mvn -f bench/pom.xml package}) with
 * {@code java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar scn.bench.SpikeCrossoverTable --widths
 * 0.25,0.5,1 --batch 2 --reps 5 --out src/main/resources/scn/ops/spike-crossovers.tsv},
 * then {@code --widths 0.25,0.5 --batch 8 --reps 5 --out … --append} for the rows at 40 images per
 * call; see {@code docs/SPIKES.md}.
 */
public final class SpikeConv {
    /**
     * Layer kinds with their own crossover densities (event-driven below, dense above), for the forward
     * pass and for the weight gradient: the fallback for shapes that {@link SpikeCrossovers} does not
     * list (other widths or expansions, the tests' small shapes). Measured with
     * {@code java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar scn.bench.SpikeConvTable 11}
     * on one layer of each kind at width 0.25 (8 images, 2 threads, AVX-512; the whole table is in
     * {@code docs/SPIKES.md}): the density where event-driven and dense take equal time, interpolated
     * between the measured densities 1, 2, 5, 10, 20, 30 and 50 %. Where the event-driven path still won
     * at 50 % the crossover is set to 0.5 (not measured above); where it lost already at 1 %, to 0.
     * Head outputs (1×1, 16 → 2, narrowing) cross at 4 % forward and 13 % for the weight gradient; they
     * share the project layers' figures, which cost far more.
     */
    public enum Kind {
        STEM("conv kxk (k>=5)", 0.25, 0.50),
        CONV3X3("conv 3x3/1", 0.50, 0.50),
        CONV3X3_STRIDED("conv 3x3/2", 0.50, 0.23),
        POINTWISE_WIDENING("conv 1x1/1 widening", 0.022, 0.024),
        POINTWISE_NARROWING("conv 1x1/1 narrowing", 0.41, 0.17),
        POINTWISE_STRIDED("conv 1x1/2", 0.0, 0.035),
        DEPTHWISE("depthwise 3x3", 0.028, 0.0);

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

        /**
         * A 1×1 layer's crossover depends on how its channel counts compare: the dense product of a
         * widening layer (expand, few inputs per output) is cheap and the event-driven one pays a layout
         * change on many outputs; a narrowing one (project, head outputs) is the reverse.
         */
        public static Kind of(ConvGeometry g) {
            if (g.isDepthwise()) return DEPTHWISE;
            if (g.kh() == 1 && g.kw() == 1) {
                if (g.stride() != 1) return POINTWISE_STRIDED;
                return g.cout() > g.cin() ? POINTWISE_WIDENING : POINTWISE_NARROWING;
            }
            if (g.kh() <= 3 && g.kw() <= 3) return g.stride() == 1 ? CONV3X3 : CONV3X3_STRIDED;
            return STEM;
        }
    }

    private SpikeConv() {}

    /**
     * Whether the forward pass of {@code conv(x, ·)} runs event-driven: then the active inputs of each
     * (image, group) plane of {@code x}, which the event-driven kernel splits its work by (of each image
     * for a depthwise layer, whose kernel splits by channel and needs no counts); null when it runs
     * dense. Notes the choice in {@link ConvTrace}.
     */
    static long[] forward(byte[] x, ConvGeometry g, String layer) {
        return choose(x, g, layer, false);
    }

    /** As {@link #forward}, for the weight gradient. */
    static long[] weightGradient(byte[] x, ConvGeometry g, String layer) {
        return choose(x, g, layer, true);
    }

    /**
     * The crossover densities a layer of geometry {@code g} is held to in {@code auto}: its shape's row
     * of the packaged table where there is one, else its kind's.
     */
    public static Crossover crossover(ConvGeometry g) {
        return crossover(g, SpikeCrossovers.packaged());
    }

    /** As above, from the given table. */
    static Crossover crossover(ConvGeometry g, SpikeCrossovers table) {
        SpikeCrossovers.Measured row = table.get(g);
        if (row != null) return new Crossover(row.forward(), row.weightGradient(), true);
        Kind k = Kind.of(g);
        return new Crossover(k.forwardCrossover, k.weightCrossover, false);
    }

    /**
     * Crossover densities for the forward pass and the weight gradient, and whether they were measured on the layer's
     * own shape.
     */
    public record Crossover(double forward, double weightGradient, boolean fromShape) {
        double of(boolean weightPass) {
            return weightPass ? weightGradient : forward;
        }

        /** {@code shape} (the per-shape table) or {@code kind} (the layer kind's fallback). */
        public String source() {
            return fromShape ? "shape" : "kind";
        }
    }

    /** The decision of {@code auto}: event-driven strictly below the crossover. */
    static boolean eventDriven(ConvGeometry g, double density, boolean weightPass, SpikeCrossovers table) {
        return density < crossover(g, table).of(weightPass);
    }

    /**
     * The active inputs per plane when event-driven, else null; counted once, for the density and for the kernel's
     * split.
     */
    private static long[] choose(byte[] x, ConvGeometry g, String layer, boolean weightPass) {
        SpikePath.Mode mode = SpikePath.mode();
        boolean trace = ConvTrace.enabled();
        boolean perImage = g.isDepthwise(); // a count per depthwise channel would go unused
        int planes = perImage ? g.n() : g.n() * g.groups(),
                planeSize = (perImage ? g.cin() : g.cinPerGroup()) * g.h() * g.w();
        long[] active = mode == SpikePath.Mode.DENSE && !trace ? null : SpikeIndex.onesPerPlane(x, planes, planeSize);
        double density = Double.NaN;
        if (active != null) {
            long ones = 0;
            for (long a : active) ones += a;
            density = (double) ones / ((long) g.n() * g.cin() * g.h() * g.w());
        }
        boolean sparse = switch (mode) {
            case DENSE -> false;
            case SPARSE -> true;
            case AUTO -> eventDriven(g, density, weightPass, SpikeCrossovers.packaged());
        };
        if (trace) ConvTrace.record(layer, g, weightPass, density, sparse);
        return sparse ? active : null;
    }
}
