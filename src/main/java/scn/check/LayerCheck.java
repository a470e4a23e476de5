package scn.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import scn.autograd.Parameter;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.backend.Kernels;
import scn.detect.CenterNetLoss;
import scn.detect.CenterNetTargets;
import scn.nn.Layer;
import scn.nn.ModelConfig;
import scn.nn.Probe;
import scn.nn.SpikingCenterNet;
import scn.tensor.Tensor;

/**
 * The layer-by-layer equivalence check with teacher forcing. The scalar reference runs the whole network
 * once (forward, loss, backward) and every layer's input, output and output gradient are kept. Then each
 * layer runs again on its own, on exactly the reference's input and with the reference's output gradient,
 * once on the path under test ({@link Candidate}) and once on the reference, and the two are compared:
 * <ul>
 *   <li>ConvBnAct layers as {@link NeuronCheck} explains: the neuron input against a float32 bound, each
 *       spike that differs against the reference's distance to the threshold, the gradients against the
 *       reference run with the candidate's decisions;</li>
 *   <li>the other layers (max-pool, upsample and concatenation, shortcut, head output): spikes exactly,
 *       floats and gradients within {@link #OUT_RTOL} and {@link #GRAD_RTOL} of their scale.</li>
 * </ul>
 * So a flip in one layer cannot hide or fake anything in the next: every layer starts from the reference.
 */
public final class LayerCheck {
    /**
     * A gradient's error over the magnitudes it sums ({@code Σ|terms|}, element by element, for a
     * ConvBnAct), or over the tensor's largest magnitude (the other layers). The reference sums in
     * double, the candidate in float over up to {@code T·B·H·W} (about 10^5) terms, in blocks; such sums
     * err by about √n·u of their magnitudes on random data (the fixture and the fuzz measure a few 1e-6),
     * and by at most n·u = 1e-3 for blocks of 16,000 terms. A wrong or missing term moves it to order one.
     */
    public static final double GRAD_RTOL = 1e-3;
    /** The floor of every gradient element's allowance: this much of the tensor's largest magnitude. */
    public static final double GRAD_FLOOR = 1e-5;
    /** The scalar {@code plif.w} gradient's error over the sum of its terms' magnitudes (it cancels heavily). */
    public static final double SCALAR_RTOL = 1e-4;
    /** A float output's largest error over its largest magnitude, for the layers between neurons. */
    public static final double OUT_RTOL = 1e-4;

    /** The outcome: one row per layer, in forward order, and every problem found. */
    public record Report(String candidate, boolean training, List<LayerRow> rows, List<Problems.Problem> problems) {
        public boolean passed() {
            return problems.isEmpty();
        }
    }

    /** A layer as the reference run saw it. */
    private static final class Seen {
        final Layer layer;
        final Var[] inputs;
        Var output;
        Tensor dy; // null when no gradient reached it (or in evaluation mode)

        Seen(Layer layer, Var[] inputs) {
            this.layer = layer;
            this.inputs = inputs;
        }
    }

    private LayerCheck() {}

    /**
     * Checks every layer of {@code model} on {@code input} ({@code [T, B, 4, H, W]}). In training mode the
     * gradients come from the CenterNet loss on {@code boxes} ({@code [B, N, 5]}), or, when it is null,
     * from fixed random gradients of the three head outputs, so every layer gets one. Leaves the kernel
     * switch as it found it; batch-norm running statistics move as in the layers' training forwards.
     */
    public static Report run(SpikingCenterNet model, Var input, Tensor boxes, boolean training, Candidate candidate) {
        boolean wasReference = Kernels.reference();
        try {
            List<Seen> seen = referenceRun(model, input, boxes, training);
            Problems problems = new Problems();
            List<LayerRow> rows = new ArrayList<>();
            for (Seen s : seen) {
                Var residual = s.inputs.length > 1 ? s.inputs[1] : null;
                rows.add(
                        s.layer.neuron() != null
                                ? NeuronCheck.run(s.layer, s.inputs[0], residual, s.output, s.dy, candidate, problems)
                                : checkOther(s, candidate, training, problems));
            }
            return new Report(candidate.describe(), training, rows, problems.list());
        } finally {
            Kernels.forceReference(wasReference);
        }
    }

    private static List<Seen> referenceRun(SpikingCenterNet model, Var input, Tensor boxes, boolean training) {
        Kernels.forceReference(true);
        List<Seen> seen = new ArrayList<>();
        Probe.Listener listener = new Probe.Listener() {
            @Override
            public void conv(
                    String name, Var in, int cout, int kernel, int stride, int pad, int groups, int outH, int outW) {}

            @Override
            public void add(String name, long elements) {}

            @Override
            public Var layer(Layer layer, Var... inputs) {
                Var[] kept = new Var[inputs.length];
                for (int i = 0; i < inputs.length; i++) kept[i] = Folded.snapshot(inputs[i]);
                Seen s = new Seen(layer, kept);
                Var out = layer.run(inputs);
                s.output = Folded.snapshot(out);
                if (out.requiresGrad()) out.onGradient(dy -> s.dy = dy.copy());
                seen.add(s);
                return out;
            }
        };
        if (!training) {
            try (var scope = Tape.noGrad()) {
                Probe.watch(listener, () -> model.forward(input, false));
            }
            return seen;
        }
        SpikingCenterNet.Outputs o = Probe.watch(listener, () -> model.forward(input, true));
        if (boxes != null) {
            ModelConfig c = model.config();
            var geometry =
                    new CenterNetTargets.Geometry(c.classes(), c.gridHeight(), c.gridWidth(), ModelConfig.STRIDE, 100);
            Tape.backward(
                    CenterNetLoss.compute(o.heatmap(), o.offset(), o.size(), CenterNetTargets.forBatch(geometry, boxes))
                            .total());
        } else {
            SplittableRandom random = new SplittableRandom(1);
            List<Var> outs = List.of(o.heatmap(), o.offset(), o.size());
            List<Tensor> dys = new ArrayList<>();
            for (Var v : outs) {
                Tensor d = Tensor.zeros(v.shape());
                for (int i = 0; i < d.size(); i++) d.data()[i] = (float) (random.nextGaussian() * 1e-3);
                dys.add(d);
            }
            Tape.backward(outs, dys);
        }
        return seen;
    }

    /** A layer without a neuron: the reference and the candidate on the same inputs, compared as they are. */
    private static LayerRow checkOther(Seen s, Candidate candidate, boolean training, Problems problems) {
        Layer layer = s.layer;
        boolean backward = training && s.dy != null;
        Kernels.forceReference(true);
        Run want = Run.of(layer, s.inputs, backward ? s.dy : null, (l, in) -> l.run(in));
        float[] seenOut = Folded.floats(s.output);
        if (!java.util.Arrays.equals(seenOut, want.out))
            throw new IllegalStateException(layer.name() + ": the reference does not repeat itself");
        Run got = Run.of(layer, s.inputs, backward ? s.dy : null, candidate::run);
        int[] shape = s.output.shape();
        double outErr = 0;
        long differing = 0, spikes = 0;
        if (s.output.spikes() != null) {
            int first = -1;
            for (int i = 0; i < want.out.length; i++) {
                if (got.out[i] != 0) spikes++;
                if (got.out[i] != want.out[i]) {
                    differing++;
                    if (first < 0) first = i;
                }
            }
            if (differing > 0) {
                problems.add(
                        layer.name(),
                        "output",
                        differing + " spikes differ (an exact operation); first at " + Folded.index(first, shape) + ": "
                                + got.out[first] + " against " + want.out[first]);
            }
        } else {
            outErr = compare(layer.name(), "output", got.out, want.out, null, shape, OUT_RTOL, problems);
        }
        Map<String, Double> gradErrors = new LinkedHashMap<>();
        for (var e : want.grads.entrySet()) {
            gradErrors.put(
                    e.getKey(),
                    compareGradient(
                            layer.name(),
                            e.getKey(),
                            got.grads.get(e.getKey()),
                            e.getValue(),
                            null,
                            want.shapes.get(e.getKey()),
                            problems));
        }
        String kind = layer.name().substring(layer.name().lastIndexOf('.') + 1);
        return new LayerRow(
                layer.name(), kind, want.out.length, outErr, 0, 0, spikes, differing, 0, 0, Double.NaN, gradErrors);
    }

    /**
     * A layer run once on leaves holding copies of given inputs: its output and, with {@code dy}, every gradient it
     * produced.
     */
    record Run(float[] out, Map<String, float[]> grads, Map<String, int[]> shapes) {
        static Run of(Layer layer, Var[] inputs, Tensor dy, java.util.function.BiFunction<Layer, Var[], Var> runner) {
            Var[] leaves = new Var[inputs.length];
            for (int i = 0; i < inputs.length; i++) leaves[i] = Folded.leaf(inputs[i]);
            for (Parameter p : layer.parameters()) p.zeroGrad();
            Var out = runner.apply(layer, leaves);
            float[] values = Folded.floats(out);
            Map<String, float[]> grads = new LinkedHashMap<>();
            Map<String, int[]> shapes = new LinkedHashMap<>();
            if (dy == null) {
                Tape.clear();
                return new Run(values, grads, shapes);
            }
            Tape.backward(out, dy);
            for (int i = 0; i < leaves.length; i++) {
                if (leaves[i] == null) continue;
                String key = "d" + layer.inputs().get(i);
                Var v = leaves[i];
                grads.put(
                        key,
                        v.grad() == null
                                ? new float[Folded.floats(v).length]
                                : v.grad().data().clone());
                shapes.put(key, v.shape());
            }
            for (Parameter p : layer.parameters()) {
                grads.put(
                        "d" + p.name(),
                        p.grad() == null
                                ? new float[p.value().size()]
                                : p.grad().data().clone());
                shapes.put("d" + p.name(), p.shape());
            }
            return new Run(values, grads, shapes);
        }
    }

    /**
     * Compares a gradient with the reference's, element by element, allowing {@code allowance[i]} plus
     * {@link #GRAD_FLOOR} of the reference's largest magnitude, or with no allowance given (null)
     * {@link #GRAD_RTOL} of it; returns the largest ratio of an error to what it was allowed (at most 1 when
     * it passes).
     */
    static double compareGradient(
            String layer,
            String tensor,
            float[] got,
            float[] want,
            double[] allowance,
            int[] shape,
            Problems problems) {
        return compare(
                layer, tensor, got, want, allowance, shape, allowance == null ? GRAD_RTOL : GRAD_FLOOR, problems);
    }

    private static double compare(
            String layer,
            String tensor,
            float[] got,
            float[] want,
            double[] slack,
            int[] shape,
            double rtol,
            Problems problems) {
        double scale = 0;
        for (float v : want) scale = Math.max(scale, Math.abs(v));
        double worstRatio = 0;
        int worst = 0;
        for (int i = 0; i < want.length; i++) {
            double e = Math.abs((double) got[i] - want[i]), allowed = rtol * scale + (slack == null ? 0 : slack[i]);
            double ratio = allowed > 0 ? e / allowed : (e > 0 ? Double.POSITIVE_INFINITY : 0);
            if (!(ratio <= worstRatio)) { // NaN counts as the worst
                worstRatio = Double.isNaN(ratio) ? Double.POSITIVE_INFINITY : ratio;
                worst = i;
            }
        }
        if (!(worstRatio <= 1)) {
            double e = Math.abs((double) got[worst] - want[worst]),
                    allowed = rtol * scale + (slack == null ? 0 : slack[worst]);
            problems.add(
                    layer,
                    tensor,
                    "worst at " + Folded.index(worst, shape) + ": " + got[worst] + " against " + want[worst]
                            + " (error "
                            + NeuronCheck.sci(e) + ", allowed " + NeuronCheck.sci(allowed) + ": " + rtol
                            + " of the largest magnitude " + NeuronCheck.sci(scale)
                            + (slack == null
                                    ? ""
                                    : " plus " + NeuronCheck.sci(slack[worst]) + " from its terms and the bounds")
                            + ")");
        }
        return worstRatio;
    }
}
