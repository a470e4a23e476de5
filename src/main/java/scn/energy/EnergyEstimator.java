package scn.energy;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.backend.DeviceBuffer;
import scn.backend.opencl.ClArena;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.EnergyCountCl;
import scn.data.Batch;
import scn.data.DataLoader;
import scn.data.Dataset;
import scn.nn.Probe;
import scn.nn.SpikingCenterNet;
import scn.tensor.Arena;
import scn.tensor.SpikeTensor;

/**
 * The energy estimate of SPEC section 8, counted from real forward passes through a {@link Probe}.
 * Batch norm is folded into the convolution before it, so each convolution is one layer:
 * <ul>
 * <li>binary input (all values 0 or 1): accumulate operations, {@code ACs = Σ over non-zero inputs of
 * the number of output positions they reach}, that is {@code (cout/groups) · nY(y) · nX(x)} for an input
 * at row y, column x, where {@code nY(y)} counts the output rows whose kernel window covers y (borders,
 * padding and stride included);</li>
 * <li>other input: dense multiply-accumulates, {@code N · cout · outH · outW · (cin/groups) · k²};</li>
 * <li>residual additions: one AC per element.</li>
 * </ul>
 * {@code E = 0.9 pJ · ACs + 4.6 pJ · MACs} (45 nm, Horowitz 2014). Figures are per sample and per time
 * step. The ReLU teacher's figure for comparison is the dense MAC count of the same layers at 4.6 pJ.
 * Max-pooling, upsampling, concatenation, the neurons and the time average are not counted.
 *
 * <p>The totals are integer counts ({@link Counts}), so the counts of parts of a split, taken apart (the Spark
 * module's tasks, one per recording), add up to the whole's exactly, in any order.
 */
public final class EnergyEstimator implements Probe.Listener {
    public static final double PJ_PER_AC = 0.9, PJ_PER_MAC = 4.6;

    /** One layer's totals over everything watched. */
    private static final class Layer {
        final String name;
        long inputs, nonZero, acs, macs, denseMacs;
        boolean binary = true;

        Layer(String name) {
            this.name = name;
        }
    }

    /**
     * One layer's totals: its convolution's inputs and the non-zero ones among them, whether all were 0 or 1, the
     * accumulates (binary passes, and residual additions), the multiply-accumulates (other passes) and the dense
     * multiply-accumulates of every pass (the ReLU teacher's figure).
     */
    public record LayerCount(
            String name, long inputs, long nonZero, boolean binary, long acs, long macs, long denseMacs)
            implements Serializable {
        LayerCount plus(LayerCount o) {
            return new LayerCount(
                    name,
                    inputs + o.inputs,
                    nonZero + o.nonZero,
                    binary && o.binary,
                    acs + o.acs,
                    macs + o.macs,
                    denseMacs + o.denseMacs);
        }
    }

    /** Every layer's totals, in the order the layers ran, over {@code samples} samples. */
    public record Counts(List<LayerCount> layers, long samples) implements Serializable {
        public Counts {
            layers = List.copyOf(layers);
        }

        /** The totals over this part and {@code other}: the layers of both, in this one's order, then other's new ones. */
        public Counts plus(Counts other) {
            Map<String, LayerCount> sum = new LinkedHashMap<>();
            for (LayerCount l : layers) sum.put(l.name(), l);
            for (LayerCount l : other.layers) sum.merge(l.name(), l, LayerCount::plus);
            return new Counts(new ArrayList<>(sum.values()), samples + other.samples);
        }
    }

    /** A layer's figures per sample and time step. */
    public record LayerReport(
            String name,
            double inputFiringRate,
            boolean binaryInput,
            double acs,
            double macs,
            double energyPj,
            double teacherMacs) {}

    /** All layers and totals per sample and time step; {@code firingRate} is over all convolution inputs. */
    public record Report(
            List<LayerReport> layers,
            double acs,
            double macs,
            double energyPj,
            double teacherMacs,
            double teacherEnergyPj,
            double firingRate,
            long samples,
            int timeSteps) {}

    private final Map<String, Layer> layers = new LinkedHashMap<>();

    @Override
    public void conv(
            String name, Var input, int cout, int kernel, int stride, int pad, int groups, int outH, int outW) {
        Layer l = layers.computeIfAbsent(name, Layer::new);
        int[] s = input.shape();
        int r = s.length;
        int cin = s[r - 3], h = s[r - 2], w = s[r - 1];
        long images = 1;
        for (int i = 0; i < r - 3; i++) images *= s[i];
        long[] reachY = reach(h, outH, kernel, stride, pad);
        long[] reachX = reach(w, outW, kernel, stride, pad);
        long perOutputChannelGroup = cout / groups;
        long dense = images * cout * outH * outW * (cin / groups) * kernel * kernel;
        if (input.onDevice()) { // counted where the activation is: three numbers come back, not the activation
            ClBuffer x = input.buffer();
            ClArena arena = x.device().arena();
            ClBuffer ry = arena.take(DeviceBuffer.Type.INT32, h), rx = arena.take(DeviceBuffer.Type.INT32, w);
            x.device().write(ry, toInts(reachY));
            x.device().write(rx, toInts(reachX));
            EnergyCountCl.Counts c = EnergyCountCl.count(x, ry, rx, h, w, Math.toIntExact(x.length()));
            arena.giveBack(ry);
            arena.giveBack(rx);
            add(
                    l,
                    images * cin * (long) h * w,
                    c.nonZero(),
                    c.nonBinary() == 0,
                    c.reached() * perOutputChannelGroup,
                    dense);
            return;
        }
        SpikeTensor spikes = input.spikes();
        byte[] b = spikes != null ? spikes.data() : null;
        float[] f = spikes == null ? input.value().data() : null;
        long nonZero = 0, reached = 0;
        boolean binary = true;
        int plane = h * w;
        for (long n = 0; n < images * cin; n++) {
            long base = n * plane;
            for (int y = 0; y < h; y++) {
                long rowBase = base + (long) y * w;
                long ry = reachY[y];
                for (int x = 0; x < w; x++) {
                    float v = b != null ? b[(int) (rowBase + x)] : f[(int) (rowBase + x)];
                    if (v == 0f) continue;
                    if (v != 1f) binary = false;
                    nonZero++;
                    reached += ry * reachX[x];
                }
            }
        }
        add(l, images * cin * plane, nonZero, binary, reached * perOutputChannelGroup, dense);
    }

    /** Adds one pass over a layer: its inputs, the non-zero ones, and ACs when binary, else its dense MACs. */
    private static void add(Layer l, long inputs, long nonZero, boolean binary, long acs, long dense) {
        l.inputs += inputs;
        l.nonZero += nonZero;
        l.denseMacs += dense;
        if (binary) l.acs += acs;
        else l.macs += dense;
        l.binary &= binary;
    }

    private static int[] toInts(long[] a) {
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) out[i] = Math.toIntExact(a[i]);
        return out;
    }

    @Override
    public void add(String name, long elements) {
        layers.computeIfAbsent(name, Layer::new).acs += elements;
    }

    /** For each input coordinate, how many output coordinates' kernel windows cover it. */
    static long[] reach(int in, int out, int kernel, int stride, int pad) {
        long[] r = new long[in];
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < kernel; k++) {
                int i = o * stride - pad + k;
                if (i >= 0 && i < in) r[i]++;
            }
        }
        return r;
    }

    /**
     * Runs {@code model} in evaluation mode over the first {@code samples} samples of {@code dataset} (0: all), in
     * whole batches of {@code batch} (the last may pass the samples asked for: {@link #samplesMeasured}), watching every
     * layer, and returns the figures; {@code progress} hears the samples done, up to {@code samples}.
     */
    public static Report measure(
            SpikingCenterNet model, Dataset dataset, long samples, int batch, LongConsumer progress)
            throws IOException {
        long want = samples == 0 ? dataset.size() : Math.min(samples, dataset.size());
        long measured = samplesMeasured(samples, batch, dataset.size());
        Counts c = count(model, dataset, measured, batch, done -> progress.accept(Math.min(done, want)));
        return report(c, model.config().timeSteps());
    }

    /**
     * How many samples {@link #measure} runs for {@code samples} (0: all) of a split of {@code size} in batches of
     * {@code batch}: whole batches, no more than the split holds.
     */
    public static long samplesMeasured(long samples, int batch, long size) {
        long want = samples == 0 ? size : Math.min(samples, size);
        return Math.min(size, (want + batch - 1) / batch * batch);
    }

    /**
     * Runs {@code model} in evaluation mode over exactly the first {@code samples} samples of {@code dataset} (no more
     * than it holds), in batches of {@code batch} (the last cut short where {@code samples} ends), and returns what
     * every layer counted; {@code progress} hears the samples done.
     */
    public static Counts count(SpikingCenterNet model, Dataset dataset, long samples, int batch, LongConsumer progress)
            throws IOException {
        EnergyEstimator estimator = new EnergyEstimator();
        long want = Math.min(samples, dataset.size());
        long seen = 0;
        Arena arena = new Arena();
        try (DataLoader loader = new DataLoader(dataset, DataLoader.Options.of(batch, 0, false, false))) {
            for (Batch whole : loader.epoch(0)) {
                if (seen >= want) break;
                Batch b = seen + whole.size() <= want ? whole : whole.first((int) (want - seen));
                arena.reset();
                try (var noGrad = Tape.noGrad();
                        var scope = arena.activate()) {
                    if (model.device() != null) model.device().device().arena().reset();
                    Probe.watch(estimator, () -> model.forward(model.input(b.input()), false));
                }
                seen += b.size();
                progress.accept(seen);
            }
        }
        return estimator.counts(seen);
    }

    /** What every layer counted so far, over {@code samples} samples. */
    public Counts counts(long samples) {
        List<LayerCount> out = new ArrayList<>();
        for (Layer l : layers.values())
            out.add(new LayerCount(l.name, l.inputs, l.nonZero, l.binary, l.acs, l.macs, l.denseMacs));
        return new Counts(out, samples);
    }

    /** Figures per sample and time step, having watched {@code samples} samples of {@code timeSteps} steps. */
    public Report report(long samples, int timeSteps) {
        return report(counts(samples), timeSteps);
    }

    /** Figures per sample and time step from counts over samples of {@code timeSteps} steps. */
    public static Report report(Counts counts, int timeSteps) {
        double per = (double) counts.samples() * timeSteps;
        List<LayerReport> out = new ArrayList<>();
        double acs = 0, macs = 0, teacher = 0;
        long inputs = 0, nonZero = 0;
        for (LayerCount l : counts.layers()) {
            double a = l.acs() / per, m = l.macs() / per, d = l.denseMacs() / per;
            out.add(new LayerReport(
                    l.name(),
                    l.inputs() == 0 ? Double.NaN : (double) l.nonZero() / l.inputs(),
                    l.binary(),
                    a,
                    m,
                    PJ_PER_AC * a + PJ_PER_MAC * m,
                    d));
            acs += a;
            macs += m;
            teacher += d;
            inputs += l.inputs();
            nonZero += l.nonZero();
        }
        return new Report(
                out,
                acs,
                macs,
                PJ_PER_AC * acs + PJ_PER_MAC * macs,
                teacher,
                PJ_PER_MAC * teacher,
                inputs == 0 ? 0 : (double) nonZero / inputs,
                counts.samples(),
                timeSteps);
    }
}
