package scn.bench;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scn.autograd.Functional;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.backend.Kernels;
import scn.data.Dataset;
import scn.data.Encoder;
import scn.data.NpyArray;
import scn.data.events.Events;
import scn.data.synth.SyntheticDataset;
import scn.detect.CenterNetDecoder;
import scn.detect.CenterNetDecoder.Detection;
import scn.model.ModelFiles;
import scn.nn.Layer;
import scn.nn.ModelConfig;
import scn.nn.Probe;
import scn.nn.SpikingCenterNet;
import scn.ops.PlifRef;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * How far one flipped spike in the stem spreads through the network. Runs the CPU fast path's forward
 * pass twice on the same input, once as it is and once with one spike of the stem's output flipped
 * (through a {@link Probe} that runs every layer and edits only the stem's output), and counts per
 * layer, in forward order, how many outputs differ; then how the heatmap and the decoded detections
 * differ. Repeated over several inputs and several flipped neurons; prints the median and the maximum
 * per layer, and in how many trials the layer changed at all (a flip that usually dies out but now and
 * then takes over the network has a median of 0), as a Markdown table. A third, unedited pass per input checks that two
 * plain passes agree
 * to the bit, so every difference counted is the flip's.
 *
 * <p>Which spike ({@code --pick}):
 * <ul>
 * <li>{@code nearest} (default): the neurons whose membrane potential {@code h_t} comes nearest the
 *     threshold, one flip per neuron, nearest first: the decisions that another device's or kernel's
 *     rounding can take the other way. {@code h_t} is recomputed in double from the fast path's float
 *     convolution output and follows the fast path's own spikes and resets. The flip is carried on as
 *     rounding would: a neuron that now fires resets, one that now stays silent keeps its charge, and
 *     its later steps follow the PLIF recurrence until its state rejoins the original one.
 * <li>{@code random}: one element of the stem's output at random, alternately a firing and a silent one,
 *     and nothing else (a soft error rather than a rounding difference).
 * <li>{@code reference}: no flip; the second pass runs on the scalar reference kernels instead, so the
 *     table shows how far the fast path's own rounding spreads (one trial per input).
 * </ul>
 *
 * <p>{@code java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar scn.bench.FlipSpread
 * [--checkpoint M | --weights W --width X | --width X --seed S] [--data DIR --split val --inputs 5 | --input X.npy]
 * [--flips 5] [--pick nearest|random|reference] [--mode eval|train|both] [--json F]}
 */
@Command(
        name = "FlipSpread",
        mixinStandardHelpOptions = true,
        description = "How far one flipped stem spike spreads through the forward pass, layer by layer.")
public final class FlipSpread implements Callable<Integer> {
    private static final String STEM = "encoder.stem";
    /** A float output counts as changed above this (the heads' logits and regressions are of order 1). */
    private static final float FLOAT_TOL = 1e-3f;
    /** A heatmap cell counts as changed when its probability moves by more than this. */
    private static final float PROB_TOL = 0.01f;
    /** Detections compared are those at least this confident: about where trained models' true objects score. */
    private static final float SCORE_MIN = 0.3f;
    /** Two detections of one class are the same object above this IoU. */
    private static final float SAME_IOU = 0.5f;

    enum Pick {
        NEAREST,
        RANDOM,
        REFERENCE
    }

    @Option(names = "--checkpoint", description = "A run's model.safetensors (its configuration from the metadata).")
    Path checkpoint;

    @Option(names = "--weights", description = "Weights under the canonical names without metadata, built at --width.")
    Path weights;

    @Option(names = "--width", defaultValue = "0.25", description = "Width of a fresh model or of --weights.")
    double width;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of a fresh model's initialisation.")
    long seed;

    @Option(names = "--data", description = "GEN1-layout folder (default: the built-in synthetic dataset).")
    Path data;

    @Option(names = "--split", defaultValue = "val", description = "Split of --data (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--inputs", defaultValue = "5", description = "Samples, evenly spaced over the split, one each.")
    int inputs;

    @Option(names = "--input", description = "One input .npy [T, B, 4, 240|256, 304|320] of 0/1, instead of --data.")
    Path input;

    @Option(names = "--flips", defaultValue = "5", description = "Flipped neurons per input.")
    int flips;

    @Option(
            names = "--pick",
            defaultValue = "nearest",
            converter = PickConverter.class,
            description = "nearest, random or reference (see the class comment).")
    Pick pick;

    @Option(
            names = "--mode",
            defaultValue = "eval",
            description = "eval (running statistics), train (batch statistics) or both.")
    String mode;

    @Option(names = "--flip-seed", defaultValue = "7", description = "Seed of --pick random.")
    long flipSeed;

    @Option(names = "--json", description = "Also write the per-layer figures and every trial to this file.")
    Path json;

    static final class PickConverter implements CommandLine.ITypeConverter<Pick> {
        @Override
        public Pick convert(String s) {
            return Pick.valueOf(s.toUpperCase(Locale.ROOT));
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FlipSpread()).execute(args));
    }

    /** One pass: every layer's output in forward order (byte[] spikes or float[] values) and the head outputs. */
    record Pass(List<String> names, List<Object> outputs, Tensor heatmap, Tensor offset, Tensor size) {}

    /** Runs and records every layer; replaces the stem's spikes by {@code stemEdit}'s result when it is set. */
    static final class Recorder implements Probe.Listener {
        final List<String> names = new ArrayList<>();
        final List<Object> outputs = new ArrayList<>();
        private final UnaryOperator<byte[]> stemEdit;
        Layer stem;

        Recorder(UnaryOperator<byte[]> stemEdit) {
            this.stemEdit = stemEdit;
        }

        @Override
        public void conv(
                String name, Var in, int cout, int kernel, int stride, int pad, int groups, int outH, int outW) {}

        @Override
        public void add(String name, long elements) {}

        @Override
        public Var layer(Layer layer, Var... in) {
            Var out = layer.run(in);
            if (layer.name().equals(STEM)) {
                stem = layer;
                if (stemEdit != null) {
                    byte[] edited = stemEdit.apply(out.spikes().data().clone());
                    out = Var.constant(SpikeTensor.wrapTrusted(edited, out.shape()));
                }
            }
            names.add(layer.name());
            SpikeTensor s = out.spikes();
            outputs.add(
                    s != null
                            ? s.data().clone()
                            : Arrays.copyOf(out.value().data(), out.value().size()));
            return out;
        }
    }

    /** One flip's (or one reference pass's) differences from the plain pass. */
    record Trial(
            int input,
            String flipped,
            double distance,
            int stemChanged,
            long[] changed,
            float[] maxAbs,
            float heatmapMaxDiff,
            long heatmapCells,
            int detections,
            int detectionsChanged) {}

    @Override
    public Integer call() throws IOException {
        SpikingCenterNet model = model();
        List<SpikeTensor> xs = inputs(model.config());
        List<Boolean> modes = switch (mode) {
            case "eval" -> List.of(false);
            case "train" -> List.of(true);
            case "both" -> List.of(false, true);
            default ->
                throw new CommandLine.ParameterException(
                        new CommandLine(this), "--mode: eval, train or both, not " + mode);
        };
        System.out.printf(
                Locale.ROOT,
                "model %s (%s); %d inputs %s; pick %s; backend %s%n",
                model.config(),
                source(),
                xs.size(),
                Arrays.toString(xs.get(0).shape()),
                pick.name().toLowerCase(Locale.ROOT),
                Kernels.describe());
        Map<String, Object> report = new LinkedHashMap<>();
        for (boolean training : modes) report.put(training ? "train" : "eval", measure(model, xs, training));
        if (json != null) {
            Files.writeString(
                    json,
                    new GsonBuilder()
                            .serializeSpecialFloatingPointValues()
                            .setPrettyPrinting()
                            .create()
                            .toJson(report));
        }
        return 0;
    }

    private String source() {
        if (checkpoint != null) return checkpoint.toString();
        if (weights != null) return weights.toString();
        return "fresh, seed " + seed;
    }

    private SpikingCenterNet model() throws IOException {
        if (checkpoint != null) return ModelFiles.load(checkpoint);
        SpikingCenterNet m = new SpikingCenterNet(new ModelConfig(width, 1.5, 5, 2, false), seed);
        if (weights != null) ModelFiles.loadInto(weights, m);
        return m;
    }

    /** Each input {@code [T, B, 4, 256, 320]}: one sample each from the split, or the one given file. */
    private List<SpikeTensor> inputs(ModelConfig c) throws IOException {
        int h = c.inputHeight(), w = c.inputWidth();
        List<SpikeTensor> out = new ArrayList<>();
        if (input != null) {
            out.add(readNpy(input, h, w));
            return out;
        }
        Path root = data != null ? data : SyntheticDataset.ensureDefault();
        try (Dataset ds = Dataset.open(root, split)) {
            for (int i = 0; i < inputs; i++) {
                int sample = (int) ((long) i * ds.size() / inputs);
                byte[] bytes = new byte[Encoder.STEPS * Encoder.CHANNELS * h * w]; // [T, 1, 4, H, W]
                ds.encodeInto(sample, false, new Events(), bytes, Encoder.Layout.batch(0, 1, h, w));
                out.add(SpikeTensor.wrap(bytes, Encoder.STEPS, 1, Encoder.CHANNELS, h, w));
            }
        }
        return out;
    }

    /** A 0/1 array {@code [T, B, 4, H, W]}, zero-padded at the bottom and right to {@code h × w}. */
    private static SpikeTensor readNpy(Path file, int h, int w) throws IOException {
        NpyArray npy = NpyArray.read(file);
        long[] s = npy.shape();
        if (s.length != 5 || s[2] != Encoder.CHANNELS || s[3] > h || s[4] > w) {
            throw new IOException(file + ": expected [T, B, 4, <=" + h + ", <=" + w + "], found " + Arrays.toString(s));
        }
        float[] v = npy.toFloatArray();
        int planes = (int) (s[0] * s[1] * s[2]), ih = (int) s[3], iw = (int) s[4];
        byte[] bytes = new byte[planes * h * w]; // [T, B, 4, h, w]
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < ih; y++) {
                for (int x = 0; x < iw; x++) {
                    float f = v[(p * ih + y) * iw + x];
                    if (f != 0f && f != 1f) {
                        throw new IOException(
                                file + ": element " + ((p * ih + y) * iw + x) + " is " + f + ", not 0 or 1");
                    }
                    bytes[(p * h + y) * w + x] = (byte) f;
                }
            }
        }
        return SpikeTensor.wrap(bytes, (int) s[0], (int) s[1], (int) s[2], h, w);
    }

    /** One forward pass; a training-mode pass puts the running statistics back, so every pass sees the same model. */
    private static Pass run(
            SpikingCenterNet model, SpikeTensor x, boolean training, UnaryOperator<byte[]> stemEdit, Recorder[] seen) {
        Map<String, Tensor> saved = new LinkedHashMap<>();
        if (training)
            model.stateDict().forEach((k, t) -> {
                if (k.endsWith(".running_mean") || k.endsWith(".running_var")) saved.put(k, t.copy());
            });
        Recorder r = new Recorder(stemEdit);
        try (var noGrad = Tape.noGrad()) {
            SpikingCenterNet.Outputs o = Probe.watch(r, () -> model.forward(Var.constant(x), training));
            if (seen != null) seen[0] = r;
            return new Pass(
                    r.names,
                    r.outputs,
                    o.heatmap().value().copy(),
                    o.offset().value().copy(),
                    o.size().value().copy());
        } finally {
            Map<String, Tensor> state = model.stateDict();
            saved.forEach((k, t) -> state.get(k).copyFrom(t));
        }
    }

    private Map<String, Object> measure(SpikingCenterNet model, List<SpikeTensor> xs, boolean training) {
        List<Trial> trials = new ArrayList<>();
        Pass first = null;
        long controlDiffs = 0, recomputedDisagree = 0, stemNeurons = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < xs.size(); i++) {
            SpikeTensor x = xs.get(i);
            Recorder[] seen = new Recorder[1];
            Pass plain = run(model, x, training, null, seen);
            if (first == null) first = plain;
            Pass again = run(model, x, training, null, null);
            for (long d : diff(plain, again).changed) controlDiffs += d;
            if (pick == Pick.REFERENCE) {
                Kernels.forceReference(true);
                try {
                    Pass ref = run(model, x, training, null, null);
                    trials.add(trial(i, "reference kernels", Double.NaN, -1, plain, ref));
                } finally {
                    Kernels.forceReference(false);
                }
                continue;
            }
            byte[] stemSpikes = (byte[]) plain.outputs.get(plain.names.indexOf(STEM));
            List<Edit> edits;
            if (pick == Pick.NEAREST) {
                Stem stem = Stem.of(seen[0].stem, x, training, stemSpikes);
                recomputedDisagree += stem.disagreements;
                stemNeurons += stemSpikes.length;
                edits = stem.nearest(flips);
            } else {
                edits = randomEdits(stemSpikes, new SplittableRandom(flipSeed + 1000L * i), flips);
            }
            for (Edit e : edits) {
                Pass flipped = run(model, x, training, e.apply, null);
                trials.add(trial(i, e.what, e.distance, e.changed, plain, flipped));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return report(first, trials, training, controlDiffs, recomputedDisagree, stemNeurons, seconds);
    }

    /** An edit of the stem's spikes {@code [T, B, C, H, W]} and what it is. */
    record Edit(String what, double distance, int changed, UnaryOperator<byte[]> apply) {}

    private static List<Edit> randomEdits(byte[] spikes, SplittableRandom r, int n) {
        List<Edit> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            byte want = (byte) (k % 2 == 0 ? 1 : 0); // alternately remove a spike and add one
            int at = r.nextInt(spikes.length);
            for (int tries = 0; tries < 1_000_000 && spikes[at] != want; tries++) at = r.nextInt(spikes.length);
            int where = at;
            out.add(new Edit((spikes[at] == 1 ? "1->0" : "0->1") + " at element " + at, Double.NaN, 1, s -> {
                s[where] ^= 1;
                return s;
            }));
        }
        return out;
    }

    /**
     * The stem's neurons, driven by {@code pre [T, M]} (batch norm's output, in double from the fast path's
     * float convolution), along the fast path's own spikes {@code s [T, M]}.
     */
    record Stem(double[] pre, byte[] s, int t, int m, double decay, long disagreements) {
        static Stem of(Layer stem, SpikeTensor x, boolean training, byte[] spikes) {
            Layer.Neuron n = stem.neuron();
            Tensor conv;
            try (var noGrad = Tape.noGrad()) {
                conv = Functional.conv2d(Var.constant(x), n.weight(), n.stride(), n.pad(), n.groups())
                        .value();
            }
            int[] sh = conv.shape(); // [T, B, C, H, W]
            int t = sh[0], b = sh[1], c = sh[2], hw = sh[3] * sh[4];
            float[] y = conv.data();
            double[] mean = new double[c], var = new double[c];
            for (int ch = 0; ch < c; ch++) {
                if (!training) {
                    mean[ch] = n.runningMean().data()[ch];
                    var[ch] = n.runningVar().data()[ch];
                    continue;
                }
                double sum = 0, sq = 0;
                for (int img = 0; img < t * b; img++) {
                    for (int p = 0, at = (img * c + ch) * hw; p < hw; p++) sum += y[at + p];
                }
                mean[ch] = sum / ((long) t * b * hw);
                for (int img = 0; img < t * b; img++) {
                    for (int p = 0, at = (img * c + ch) * hw; p < hw; p++) {
                        sq += (y[at + p] - mean[ch]) * (y[at + p] - mean[ch]);
                    }
                }
                var[ch] = sq / ((long) t * b * hw); // biased, as batch norm normalises
            }
            double[] pre = new double[y.length];
            float[] gamma = n.gamma().value().data(), beta = n.beta().value().data();
            for (int img = 0; img < t * b; img++) {
                for (int ch = 0; ch < c; ch++) {
                    double scale = gamma[ch] / Math.sqrt(var[ch] + n.eps());
                    for (int p = 0, at = (img * c + ch) * hw; p < hw; p++) {
                        pre[at + p] = (y[at + p] - mean[ch]) * scale + beta[ch];
                    }
                }
            }
            double decay = PlifRef.decay(n.plifW().value().item());
            int m = y.length / t;
            long disagree = 0;
            for (int j = 0; j < m; j++) {
                double v = 0;
                for (int k = 0; k < t; k++) {
                    double h = v + (pre[k * m + j] - v) * decay;
                    if ((h >= PlifRef.THRESHOLD) != (spikes[k * m + j] == 1)) disagree++;
                    v = spikes[k * m + j] == 1 ? 0 : h;
                }
            }
            return new Stem(pre, spikes, t, m, decay, disagree);
        }

        /** Flips of the {@code n} neurons nearest the threshold, each at the step where it comes nearest. */
        List<Edit> nearest(int n) {
            // Max-heap on the distance: the farthest of the n kept so far is dropped first.
            PriorityQueue<double[]> best = new PriorityQueue<>((p, q) -> Double.compare(q[0], p[0]));
            for (int j = 0; j < m; j++) {
                double v = 0, dMin = Double.MAX_VALUE;
                int kMin = 0;
                for (int k = 0; k < t; k++) {
                    double h = v + (pre[k * m + j] - v) * decay;
                    double d = Math.abs(h - PlifRef.THRESHOLD);
                    if (d < dMin) {
                        dMin = d;
                        kMin = k;
                    }
                    v = s[k * m + j] == 1 ? 0 : h;
                }
                if (best.size() < n || dMin < best.peek()[0]) {
                    best.add(new double[] {dMin, j, kMin});
                    if (best.size() > n) best.poll();
                }
            }
            List<double[]> picked = new ArrayList<>(best);
            picked.sort((p, q) -> Double.compare(p[0], q[0]));
            List<Edit> out = new ArrayList<>();
            for (double[] p : picked) out.add(flip((int) p[1], (int) p[2], p[0]));
            return out;
        }

        /** Neuron {@code j}'s decision at step {@code k} the other way, and what that does to its later steps. */
        private Edit flip(int j, int k, double distance) {
            byte[] after = new byte[t]; // the neuron's spikes from step k on, -1 where unchanged
            Arrays.fill(after, (byte) -1);
            double v = 0;
            for (int i = 0; i < k; i++) {
                double h = v + (pre[i * m + j] - v) * decay;
                v = s[i * m + j] == 1 ? 0 : h;
            }
            double hk = v + (pre[k * m + j] - v) * decay;
            byte fk = (byte) (1 - s[k * m + j]);
            after[k] = fk;
            double vOld = s[k * m + j] == 1 ? 0 : hk, vNew = fk == 1 ? 0 : hk;
            for (int i = k + 1; i < t && vNew != vOld; i++) { // until the state rejoins the original
                double hOld = vOld + (pre[i * m + j] - vOld) * decay, hNew = vNew + (pre[i * m + j] - vNew) * decay;
                byte fNew = (byte) (hNew >= PlifRef.THRESHOLD ? 1 : 0);
                if (fNew != s[i * m + j]) after[i] = fNew;
                vOld = s[i * m + j] == 1 ? 0 : hOld;
                vNew = fNew == 1 ? 0 : hNew;
            }
            int changed = 0;
            for (byte a : after) changed += a >= 0 ? 1 : 0;
            String what = String.format(
                    Locale.ROOT,
                    "neuron %d step %d %s, |h-1| %.3g",
                    j,
                    k,
                    s[k * m + j] == 1 ? "1->0" : "0->1",
                    distance);
            return new Edit(what, distance, changed, spikes -> {
                for (int i = k; i < t; i++) if (after[i] >= 0) spikes[i * m + j] = after[i];
                return spikes;
            });
        }
    }

    /** Per layer: elements that differ (spikes: any; floats: by more than FLOAT_TOL), the largest float difference. */
    record LayerDiff(long[] changed, float[] maxAbs) {}

    private static LayerDiff diff(Pass a, Pass b) {
        int n = a.names.size();
        long[] changed = new long[n];
        float[] maxAbs = new float[n];
        for (int l = 0; l < n; l++) {
            if (a.outputs.get(l) instanceof byte[] x) {
                byte[] y = (byte[]) b.outputs.get(l);
                for (int i = 0; i < x.length; i++) changed[l] += x[i] != y[i] ? 1 : 0;
            } else {
                float[] x = (float[]) a.outputs.get(l), y = (float[]) b.outputs.get(l);
                for (int i = 0; i < x.length; i++) {
                    float d = Math.abs(x[i] - y[i]);
                    maxAbs[l] = Math.max(maxAbs[l], d);
                    changed[l] += d > FLOAT_TOL ? 1 : 0;
                }
            }
        }
        return new LayerDiff(changed, maxAbs);
    }

    private static Trial trial(int input, String what, double distance, int stemChanged, Pass plain, Pass other) {
        LayerDiff d = diff(plain, other);
        float[] p = plain.heatmap.data(), q = other.heatmap.data();
        float maxDiff = 0;
        long cells = 0;
        for (int i = 0; i < plain.heatmap.size(); i++) {
            float dp = Math.abs(CenterNetDecoder.sigmoid(p[i]) - CenterNetDecoder.sigmoid(q[i]));
            maxDiff = Math.max(maxDiff, dp);
            cells += dp > PROB_TOL ? 1 : 0;
        }
        CenterNetDecoder.Config cfg = CenterNetDecoder.GEN1;
        List<List<Detection>> da = CenterNetDecoder.decode(cfg, plain.heatmap, plain.offset, plain.size);
        List<List<Detection>> db = CenterNetDecoder.decode(cfg, other.heatmap, other.offset, other.size);
        int confident = 0, changed = 0;
        for (int b = 0; b < da.size(); b++) {
            List<Detection> x = confident(da.get(b)), y = confident(db.get(b));
            confident += x.size();
            changed += x.size() + y.size() - 2 * matches(x, y);
        }
        return new Trial(input, what, distance, stemChanged, d.changed, d.maxAbs, maxDiff, cells, confident, changed);
    }

    private static List<Detection> confident(List<Detection> all) {
        return all.stream().filter(d -> d.score() >= SCORE_MIN).toList();
    }

    /** Greedy one-to-one matching, best scores first: pairs of one class with IoU at least SAME_IOU. */
    private static int matches(List<Detection> a, List<Detection> b) {
        boolean[] used = new boolean[b.size()];
        int found = 0;
        for (Detection x : a) {
            for (int j = 0; j < b.size(); j++) {
                Detection y = b.get(j);
                if (!used[j] && x.classId() == y.classId() && iou(x, y) >= SAME_IOU) {
                    used[j] = true;
                    found++;
                    break;
                }
            }
        }
        return found;
    }

    private static double iou(Detection a, Detection b) {
        double w = Math.min(a.x() + a.w(), b.x() + b.w()) - Math.max(a.x(), b.x());
        double h = Math.min(a.y() + a.h(), b.y() + b.h()) - Math.max(a.y(), b.y());
        if (w <= 0 || h <= 0) return 0;
        double inter = w * h;
        return inter / (a.w() * a.h() + b.w() * b.h() - inter);
    }

    private Map<String, Object> report(
            Pass first,
            List<Trial> trials,
            boolean training,
            long controlDiffs,
            long disagree,
            long stemNeurons,
            double seconds) {
        String modeName = training ? "training mode (batch statistics)" : "evaluation mode (running statistics)";
        System.out.printf(
                Locale.ROOT,
                "%n%s: %d trials in %.1f s; two plain passes differ in %d elements%n",
                modeName,
                trials.size(),
                seconds,
                controlDiffs);
        if (pick == Pick.NEAREST) {
            double[] dist =
                    trials.stream().mapToDouble(Trial::distance).sorted().toArray();
            double[] stem =
                    trials.stream().mapToDouble(Trial::stemChanged).sorted().toArray();
            System.out.printf(
                    Locale.ROOT,
                    "flipped neurons' |h - 1|: min %.3g, median %.3g, max %.3g; stem spikes"
                            + " changed per flip: median %s, max %.0f%n",
                    dist[0],
                    median(dist),
                    dist[dist.length - 1],
                    fmt(median(stem)),
                    stem[stem.length - 1]);
            System.out.printf(
                    Locale.ROOT,
                    "stem decisions that the double recomputation takes the other way:" + " %d of %d%n",
                    disagree,
                    stemNeurons);
        }
        System.out.println();
        System.out.println("| layer | elements | firing rate | changed: median | max | median % | max % | trials "
                + "| max abs diff (floats) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        List<Map<String, Object>> layers = new ArrayList<>();
        for (int l = 0; l < first.names.size(); l++) {
            int layer = l;
            Object out = first.outputs.get(l);
            boolean spikes = out instanceof byte[];
            long elements = spikes ? ((byte[]) out).length : ((float[]) out).length;
            double rate = Double.NaN;
            if (spikes) {
                long ones = 0;
                for (byte v : (byte[]) out) ones += v;
                rate = (double) ones / elements;
            }
            double[] changed =
                    trials.stream().mapToDouble(t -> t.changed[layer]).sorted().toArray();
            double med = median(changed), max = changed[changed.length - 1];
            long reached = trials.stream().filter(t -> t.changed[layer] > 0).count();
            double maxAbs =
                    trials.stream().mapToDouble(t -> t.maxAbs[layer]).max().orElse(0);
            System.out.printf(
                    Locale.ROOT,
                    "| %s | %d | %s | %s | %.0f | %s | %s | %d | %s |%n",
                    first.names.get(l),
                    elements,
                    spikes ? String.format(Locale.ROOT, "%.3g", rate) : "float",
                    fmt(med),
                    max,
                    pct(med / elements),
                    pct(max / elements),
                    reached,
                    spikes ? "-" : String.format(Locale.ROOT, "%.3g", maxAbs));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("layer", first.names.get(l));
            row.put("elements", elements);
            row.put("firing_rate", spikes ? rate : null);
            row.put("changed_median", med);
            row.put("changed_max", max);
            row.put("trials_changed", reached);
            row.put("max_abs_diff", spikes ? null : maxAbs);
            layers.add(row);
        }
        double[] hm =
                trials.stream().mapToDouble(Trial::heatmapMaxDiff).sorted().toArray();
        long cellsTotal = first.heatmap.size();
        double[] cells = trials.stream()
                .mapToDouble(t -> (double) t.heatmapCells / cellsTotal)
                .sorted()
                .toArray();
        double[] dets =
                trials.stream().mapToDouble(Trial::detectionsChanged).sorted().toArray();
        System.out.printf(
                Locale.ROOT,
                "%nheatmap probability, max |difference| per trial: median %.3g, max %.3g;"
                        + " cells moved by more than %s: median %s %%, max %s %%%n",
                median(hm),
                hm[hm.length - 1],
                PROB_TOL,
                pct(median(cells)),
                pct(cells[cells.length - 1]));
        Set<Integer> counted = new HashSet<>();
        int plainDetections = trials.stream()
                .filter(t -> counted.add(t.input()))
                .mapToInt(Trial::detections)
                .sum();
        System.out.printf(
                Locale.ROOT,
                "detections scoring >= %s in the plain passes: %d over %d inputs; appearing or"
                        + " vanishing (same class, IoU >= %s) per trial: median %s, max %.0f%n",
                SCORE_MIN,
                plainDetections,
                counted.size(),
                SAME_IOU,
                fmt(median(dets)),
                dets[dets.length - 1]);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", training ? "train" : "eval");
        r.put("pick", pick.name().toLowerCase(Locale.ROOT));
        r.put("seconds", seconds);
        r.put("control_differences", controlDiffs);
        r.put("stem_recomputation_disagreements", disagree);
        r.put("layers", layers);
        r.put("trials", trials);
        return r;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String pct(double fraction) {
        if (fraction == 0) return "0";
        return String.format(Locale.ROOT, fraction < 0.001 ? "%.2g" : "%.1f", 100 * fraction);
    }
}
