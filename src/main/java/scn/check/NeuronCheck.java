package scn.check;

import java.util.LinkedHashMap;
import java.util.Map;
import scn.autograd.Var;
import scn.backend.Kernels;
import scn.nn.Layer;
import scn.ops.BatchNorm2d;
import scn.ops.BatchNorm2dRef;
import scn.ops.Conv2d;
import scn.ops.Conv2dRef;
import scn.ops.PlifRef;
import scn.tensor.ConvGeometry;
import scn.tensor.Tensor;

/**
 * One ConvBnAct checked with teacher forcing: the candidate and the reference get the same input (the
 * reference run's), and the candidate's spikes are judged against the reference's membrane potential.
 *
 * <p><b>The bound.</b> With {@code u = 2^-24} (float32's unit round-off), the candidate's neuron input
 * may differ from the reference's, element by element, by at most
 * <pre>
 *   e_pre = |γ|·invStd·(e_conv + |Δmean|) + |γ|·|conv − mean|·|ΔinvStd| + 8u·(|conv·scale| + |mean·scale| + |β| + |r|)
 *   e_conv = (K + 2)·u·Σ|w·x|      (K terms summed in float in any order, and the reference's own rounding)
 * </pre>
 * where {@code K = Cin/groups·kh·kw}, {@code scale = γ·invStd}, {@code Σ|w·x|} is the convolution of
 * {@code |x|} with {@code |w|}, and {@code Δmean}, {@code ΔinvStd} are the differences of the two paths'
 * batch statistics (zero in evaluation mode), which are themselves held to
 * {@code |Δmean| ≤ mean(e_conv) + (HW + 2)·u·mean|conv|} and the matching bound on the variance. The
 * The 8u counts the roundings of both normalisations: the fast one rounds {@code scale}, {@code mean·scale},
 * {@code shift = β − mean·scale} and its {@code fma}, the reference rounds {@code conv − mean} and its
 * result, and each adds the residual in float (at most 6, 8, 5 and 2 units on the four terms). The
 * membrane potential then differs by at most {@code e_h(t) = (1 − decay)·e_h(t−1)·(1 − s(t−1)) + decay·e_pre(t)
 * + 4u·(|h| + |pre| + |v|)}, a convex mix of the inputs' errors plus the recurrence's own rounding.
 *
 * <p><b>Flips.</b> The reference recurrence is run on the reference's neuron input with every decision
 * forced to the candidate's spike. Where the forced decision differs from the reference's own
 * ({@code h ≥ 1}), that is a flip, and it is explained only when {@code |h − 1| ≤ e_h}. After a flip the
 * neuron carries the candidate's state on, so a flip's consequences in the same neuron are not counted
 * as flips of their own, while any further decision that differs must be explained again. ReLU (the
 * teacher) is the same with the decision {@code pre > 0} and no state.
 *
 * <p><b>Gradients.</b> The backward of the forced reference (the reference kernels with the candidate's
 * decisions) is what the candidate's backward must match: the reference's own would differ at every
 * flipped neuron by construction. See {@link LayerCheck#GRAD_RTOL} for the tolerance.
 */
final class NeuronCheck {
    static final double U = 0x1p-24;

    private NeuronCheck() {}

    /**
     * Checks {@code layer} on the reference run's input {@code x}, {@code residual}, output {@code refOut} and output
     * gradient {@code dy}.
     */
    static LayerRow run(
            Layer layer, Var x, Var residual, Var refOut, Tensor dy, Candidate candidate, Problems problems) {
        Layer.Neuron n = layer.neuron();
        String name = layer.name();
        int[] x5 = x.shape();
        int t = x5[0];
        ConvGeometry g = ConvGeometry.of(Folded.shape(x5), n.weight().shape(), n.stride(), n.pad(), n.groups());
        int c = g.cout(), hw = g.hOut() * g.wOut(), size = g.n() * c * hw, m = size / t;
        int[] outShape = refOut.shape();
        float[] xf = Folded.floats(x),
                w = n.weight().value().data(),
                gamma = n.gamma().value().data(),
                beta = n.beta().value().data();
        float[] r = residual == null ? null : Folded.floats(residual);

        // 1. The reference: convolution, statistics, normalisation, residual, exactly as the scalar kernels do it.
        Kernels.forceReference(true);
        float[] conv = new float[size]; // [T*B, C, HW]
        Conv2dRef.forward(conv, xf, w, g);
        float[] mean = new float[c], invStd = new float[c];
        if (n.training()) {
            BatchNorm2dRef.statistics(
                    conv,
                    n.runningMean().data().clone(),
                    n.runningVar().data().clone(),
                    mean,
                    invStd,
                    g.n(),
                    c,
                    hw,
                    n.momentum(),
                    n.eps());
        } else {
            float[][] stats = BatchNorm2d.runningMeanInvStd(n.runningMean(), n.runningVar(), n.eps());
            mean = stats[0];
            invStd = stats[1];
        }
        float[] pre = new float[size]; // the neuron input
        BatchNorm2dRef.normalize(pre, conv, gamma, beta, mean, invStd, g.n(), c, hw);
        if (r != null) for (int i = 0; i < size; i++) pre[i] += r[i];
        float decay = n.spiking() ? PlifRef.decay(n.plifW().value().item()) : 0f;
        float[] natural = natural(n, pre, t, m);
        float[] refOutF = Folded.floats(refOut);
        for (int i = 0; i < size; i++) {
            if (natural[i] != refOutF[i]) {
                throw new IllegalStateException(name + ": the check's reference composition gives " + natural[i]
                        + " at " + Folded.index(i, outShape) + " where the network's reference layer gave " + refOutF[i]
                        + " (the check itself is out of date)");
            }
        }

        // 2. The candidate on the same input: its output and, in training, its gradients from the same dy.
        boolean backward = n.training() && dy != null;
        LayerCheck.Run run = LayerCheck.Run.of(layer, new Var[] {x, residual}, backward ? dy : null, candidate::run);
        float[] got = run.out();
        Map<String, float[]> gotGrads = run.grads(); // "dx", "dresidual" and "d" + each parameter's name
        Candidate.NeuronInput in = candidate.neuronInput(layer, Folded.snapshot(x), Folded.snapshot(residual));
        if (candidate.composesExactly()) {
            float[] own = natural(n, in.pre(), t, m);
            for (int i = 0; i < size; i++) {
                if (own[i] != got[i]) {
                    problems.add(
                            name,
                            "output",
                            "the fused layer gives " + got[i] + " at " + Folded.index(i, outShape)
                                    + " but its own parts give " + own[i]);
                    break;
                }
            }
        }

        // 3. The bound on the neuron input, and the input itself.
        Kernels.forceReference(false); // Σ|w·x| is a scale, not a result: any path will do
        float[] absW = w.clone();
        for (int i = 0; i < absW.length; i++) absW[i] = Math.abs(absW[i]);
        Tensor a = Tensor.zeros(g.outShape());
        float[] absX = xf.clone();
        for (int i = 0; i < absX.length; i++) absX[i] = Math.abs(absX[i]);
        Conv2d.forward(a, absX, null, Tensor.wrap(absW, n.weight().shape()), g);
        int k = g.cinPerGroup() * g.kh() * g.kw();
        double[] eConv = new double[size];
        for (int i = 0; i < size; i++) eConv[i] = (k + 2) * U * a.data()[i] * 1.01; // 1 % for the scale's own rounding
        double[] dMean = new double[c], dInvStd = new double[c];
        if (n.training())
            statisticsWithinBound(name, conv, eConv, mean, invStd, in, g.n(), c, hw, n.eps(), dMean, dInvStd, problems);
        double[] ePre = new double[size];
        double preErr = 0, preRatio = 0;
        int worstPre = -1;
        for (int i = 0; i < size; i++) {
            int ch = (i / hw) % c;
            double scale = (double) gamma[ch] * invStd[ch];
            ePre[i] = Math.abs(gamma[ch]) * invStd[ch] * (eConv[i] + dMean[ch])
                    + Math.abs(gamma[ch]) * Math.abs(conv[i] - mean[ch]) * dInvStd[ch]
                    + 8
                            * U
                            * (Math.abs(conv[i] * scale)
                                    + Math.abs(mean[ch] * scale)
                                    + Math.abs(beta[ch])
                                    + (r == null ? 0 : Math.abs(r[i])));
            double err = Math.abs((double) in.pre()[i] - pre[i]);
            preErr = Math.max(preErr, err);
            if (err / ePre[i] > preRatio || (err > 0 && ePre[i] == 0)) {
                preRatio = ePre[i] == 0 ? Double.POSITIVE_INFINITY : err / ePre[i];
                worstPre = i;
            }
        }
        if (preRatio > 1) {
            problems.add(
                    name,
                    "neuron input",
                    "worst at " + Folded.index(worstPre, outShape) + ": " + in.pre()[worstPre] + " against "
                            + pre[worstPre] + " (error " + sci(Math.abs(in.pre()[worstPre] - pre[worstPre]))
                            + ", bound " + sci(ePre[worstPre]) + ")");
        }

        // 4. The reference recurrence with the candidate's decisions: flips and their explanations.
        Forced f = n.spiking() ? forcedPlif(pre, ePre, got, t, m, decay) : forcedRelu(pre, ePre, got);
        long differing = 0, spikes = 0;
        for (int i = 0; i < size; i++) {
            if (got[i] != natural[i]) differing++;
            if (got[i] != 0) spikes++;
        }
        if (f.worstUnexplained >= 0) {
            int i = f.worstUnexplained;
            problems.add(
                    name,
                    "spikes",
                    (f.flips - f.explained) + " of " + f.flips + " flips unexplained; worst at "
                            + Folded.index(i, outShape) + ": candidate " + got[i] + ", reference " + natural[i]
                            + ", |h - threshold| = " + sci(f.distance) + " > bound " + sci(f.bound));
        }
        double outErr = 0;
        if (!n.spiking()) { // the ReLU's values, not only its decisions
            for (int i = 0; i < size; i++) {
                double want = f.decision[i] ? pre[i] : 0, err = Math.abs(got[i] - want);
                outErr = Math.max(outErr, ePre[i] > 0 ? err / ePre[i] : (err > 0 ? Double.POSITIVE_INFINITY : 0));
                if (err > ePre[i]) {
                    problems.add(
                            name,
                            "output",
                            "worst at " + Folded.index(i, outShape) + ": " + got[i] + " against " + want + " (bound "
                                    + sci(ePre[i]) + ")");
                    break;
                }
            }
        }

        // 5. The forced reference's backward against the candidate's. Each gradient element may differ by
        // GRAD_RTOL of the magnitudes it sums (the kernels' own float sums), plus what the neuron input's and the
        // membrane potential's bounded differences become through the backward (ePre, eh carried along, first
        // order): where a channel's variance is tiny next to its mean, batch norm amplifies them, legitimately.
        Map<String, Double> gradErrors = new LinkedHashMap<>();
        if (backward) {
            float[] dyv = dy.data();
            float[] dPre = new float[size];
            double[] eDPre = new double[size], magDPre = new double[size];
            double dDecay = 0, dDecayScale = 0, eDDecay = 0;
            if (n.spiking()) {
                for (int j = 0; j < m; j++) {
                    float dv = 0f;
                    double eDh = 0,
                            magDh = 0; // at the step after: a bound on the candidate's |Δ dh|, and the magnitude dh
                    // sums
                    for (int s = t - 1; s >= 0; s--) {
                        int at = s * m + j;
                        float spike = f.decision[at] ? 1f : 0f, sg = PlifRef.surrogate(f.h[at] - PlifRef.THRESHOLD);
                        float dh = dyv[at] * sg + dv * (1f - spike);
                        // the surrogate's slope is at most 3√3/8·π·α/2 ≈ 2.04
                        eDh = Math.abs(dyv[at]) * 2.1 * f.eh[at] + (1 - decay) * eDh * (1 - spike);
                        magDh = Math.abs(dyv[at] * sg) + (1 - decay) * magDh * (1 - spike);
                        dPre[at] = dh * decay;
                        eDPre[at] = decay * eDh;
                        magDPre[at] = decay * magDh;
                        dv = dh * (1f - decay);
                        double term = (double) dh * (pre[at] - f.vPrev[at]);
                        dDecay += term;
                        dDecayScale += Math.abs(term);
                        eDDecay += eDh * Math.abs(pre[at] - f.vPrev[at]) + Math.abs(dh) * (ePre[at] + f.ev[at]);
                    }
                }
            } else {
                for (int i = 0; i < size; i++) {
                    dPre[i] = f.decision[i] ? dyv[i] : 0f;
                    magDPre[i] = Math.abs(dPre[i]);
                }
            }
            float[] dConv = new float[size], dGamma = new float[c], dBeta = new float[c];
            BatchNorm2dRef.backward(dConv, dGamma, dBeta, dPre, conv, gamma, mean, invStd, g.n(), c, hw, n.training());
            NormBounds nb = normBackwardBound(
                    conv,
                    dPre,
                    eDPre,
                    magDPre,
                    dConv,
                    eConv,
                    mean,
                    invStd,
                    gamma,
                    dMean,
                    dInvStd,
                    g.n(),
                    c,
                    hw,
                    n.training());
            float[] dx = new float[xf.length], dw = new float[w.length];
            Conv2dRef.backwardInput(dx, dConv, w, g);
            Conv2dRef.backwardWeight(dw, dConv, xf, g);
            // dConv's allowance through the convolution's backward, over |w| and |x| (bounds: any path will do). The
            // magnitudes dConv sums bound |dConv|, so GRAD_RTOL of them covers the convolution's own sums too.
            Kernels.forceReference(false);
            float[] allowDConv = new float[size];
            for (int i = 0; i < size; i++)
                allowDConv[i] = (float) ((nb.error[i] + LayerCheck.GRAD_RTOL * nb.magnitude[i]) * 1.01);
            Tensor allowDx = Tensor.zeros(g.inShape()),
                    allowDw = Tensor.zeros(n.weight().shape());
            Conv2d.backwardInput(
                    allowDx,
                    Tensor.wrap(allowDConv, g.outShape()),
                    Tensor.wrap(absW, n.weight().shape()),
                    g);
            Conv2d.backwardWeight(allowDw, Tensor.wrap(allowDConv, g.outShape()), absX, null, g);
            Map<String, float[]> want = new LinkedHashMap<>();
            Map<String, double[]> allow = new LinkedHashMap<>();
            want.put("dx", dx);
            allow.put("dx", toDouble(allowDx.data()));
            if (r != null) {
                want.put("dresidual", dPre);
                double[] allowDr = new double[size];
                for (int i = 0; i < size; i++) allowDr[i] = eDPre[i] + LayerCheck.GRAD_RTOL * magDPre[i];
                allow.put("dresidual", allowDr);
            }
            want.put("d" + n.weight().name(), dw);
            allow.put("d" + n.weight().name(), toDouble(allowDw.data()));
            want.put("d" + n.gamma().name(), dGamma);
            allow.put("d" + n.gamma().name(), nb.gammaAllowance);
            want.put("d" + n.beta().name(), dBeta);
            allow.put("d" + n.beta().name(), nb.betaAllowance);
            for (var e : want.entrySet()) {
                String key = e.getKey();
                gradErrors.put(
                        key,
                        LayerCheck.compareGradient(
                                name,
                                key,
                                gotGrads.get(key),
                                e.getValue(),
                                allow.get(key),
                                shapeOf(key, x5, outShape, n),
                                problems));
            }
            if (n.spiking()) {
                double dwWant = dDecay * decay * (1 - decay),
                        dwScale = dDecayScale * decay * (1 - decay),
                        dwSlack = eDDecay * decay * (1 - decay);
                String key = "d" + n.plifW().name();
                double dwGot = gotGrads.get(key)[0];
                double allowed = LayerCheck.SCALAR_RTOL * dwScale + dwSlack;
                double err = Math.abs(dwGot - dwWant),
                        ratio = allowed > 0 ? err / allowed : (err > 0 ? Double.POSITIVE_INFINITY : 0);
                gradErrors.put(key, ratio);
                if (!(ratio <= 1)) {
                    problems.add(
                            name,
                            key,
                            dwGot + " against " + dwWant + " (error " + sci(err) + ", allowed " + sci(allowed) + ": "
                                    + LayerCheck.SCALAR_RTOL + " of Σ|terms| " + sci(dwScale) + " plus " + sci(dwSlack)
                                    + " from the bounds)");
                }
            }
        }
        return new LayerRow(
                name,
                n.spiking() ? "conv-bn-plif" : "conv-bn-relu",
                size,
                outErr,
                preErr,
                preRatio,
                spikes,
                differing,
                f.flips,
                f.explained,
                f.flips > 0 ? f.closest : Double.NaN,
                gradErrors);
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /** What the batch-norm backward may move by: per element of dConv, and per channel of dγ and dβ. */
    private record NormBounds(double[] error, double[] magnitude, double[] gammaAllowance, double[] betaAllowance) {}

    /**
     * First-order bounds on how far the candidate's batch-norm backward may move from the reference's, given
     * bounds {@code eDPre} on its incoming gradient and the bounds on its input ({@code eConv}) and statistics
     * ({@code dMean}, {@code dInvStd}); and the magnitudes each result sums. With {@code x̂ = (conv − mean)·invStd},
     * {@code k = γ·invStd}, {@code S1 = Σ dPre}, {@code S2 = Σ dPre·x̂} over a channel's {@code m} values,
     * training mode gives {@code dConv = k·(dPre − S1/m − x̂·S2/m)}, so
     * {@code |ΔdConv| ≤ |k|·(eDPre + E(S1)/m + |Δx̂|·|S2|/m + |x̂|·E(S2)/m) + |dConv|·ΔinvStd/invStd}; evaluation
     * mode gives {@code dConv = k·dPre}. The allowances of dγ = S2 and dβ = S1 add GRAD_RTOL of their magnitudes.
     */
    private static NormBounds normBackwardBound(
            float[] conv,
            float[] dPre,
            double[] eDPre,
            double[] magDPre,
            float[] dConv,
            double[] eConv,
            float[] mean,
            float[] invStd,
            float[] gamma,
            double[] dMean,
            double[] dInvStd,
            int n,
            int c,
            int hw,
            boolean training) {
        double m = (double) n * hw;
        double[] error = new double[dConv.length],
                magnitude = new double[dConv.length],
                gammaAllowance = new double[c],
                betaAllowance = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double is = invStd[ch], k = Math.abs(gamma[ch] * is);
            double s2 = 0, eS1 = 0, eS2 = 0, magS1 = 0, magS2 = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    int at = (i * c + ch) * hw + p;
                    double xhat = (conv[at] - mean[ch]) * is,
                            dXhat = is * (eConv[at] + dMean[ch]) + Math.abs(conv[at] - mean[ch]) * dInvStd[ch];
                    s2 += dPre[at] * xhat;
                    eS1 += eDPre[at];
                    eS2 += eDPre[at] * Math.abs(xhat) + Math.abs(dPre[at]) * dXhat;
                    magS1 += magDPre[at];
                    magS2 += magDPre[at] * Math.abs(xhat);
                }
            }
            gammaAllowance[ch] = eS2 + LayerCheck.GRAD_RTOL * magS2;
            betaAllowance[ch] = eS1 + LayerCheck.GRAD_RTOL * magS1;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    int at = (i * c + ch) * hw + p;
                    if (!training) {
                        error[at] = k * eDPre[at];
                        magnitude[at] = k * magDPre[at];
                        continue;
                    }
                    double xhat = (conv[at] - mean[ch]) * is,
                            dXhat = is * (eConv[at] + dMean[ch]) + Math.abs(conv[at] - mean[ch]) * dInvStd[ch];
                    error[at] = k * (eDPre[at] + eS1 / m + dXhat * Math.abs(s2) / m + Math.abs(xhat) * eS2 / m)
                            + Math.abs(dConv[at]) * dInvStd[ch] / is;
                    magnitude[at] = k * (magDPre[at] + magS1 / m + Math.abs(xhat) * magS2 / m);
                }
            }
        }
        return new NormBounds(error, magnitude, gammaAllowance, betaAllowance);
    }

    private static int[] shapeOf(String key, int[] x5, int[] out, Layer.Neuron n) {
        if (key.equals("dx")) return x5;
        if (key.equals("dresidual")) return out;
        if (key.equals("d" + n.weight().name())) return n.weight().shape();
        return n.gamma().shape();
    }

    /** The layer's output by the reference's own decisions: spikes, or the ReLU's values. */
    private static float[] natural(Layer.Neuron n, float[] pre, int t, int m) {
        float[] out = new float[pre.length];
        if (n.spiking()) {
            byte[] s = new byte[pre.length];
            PlifRef.forward(s, pre, t, m, n.plifW().value().item());
            for (int i = 0; i < s.length; i++) out[i] = s[i];
        } else {
            for (int i = 0; i < pre.length; i++) out[i] = Math.max(pre[i], 0f);
        }
        return out;
    }

    /** The reference recurrence run with forced decisions, what it kept for the backward, and the flips it met. */
    private static final class Forced {
        boolean[] decision;
        float[] h, vPrev;
        double[] eh, ev; // bounds on the candidate's |Δh| and |Δv_{t-1}| at each step (PLIF only)
        long flips, explained;
        int worstUnexplained = -1;
        double distance, bound; // of the worst unexplained flip: |h − threshold| and its bound
        double closest = 0; // the largest distance/bound among explained flips (≤ 1)
    }

    private static Forced forcedPlif(float[] pre, double[] ePre, float[] got, int t, int m, float decay) {
        Forced f = new Forced();
        int size = pre.length;
        f.decision = new boolean[size];
        f.h = new float[size];
        f.vPrev = new float[size];
        f.eh = new double[size];
        f.ev = new double[size];
        double worstRatio = 1;
        for (int j = 0; j < m; j++) {
            float v = 0f;
            double e = 0; // bound on |v_candidate − v_reference|
            for (int s = 0; s < t; s++) {
                int at = s * m + j;
                float h = v + (pre[at] - v) * decay;
                double eh =
                        (1 - decay) * e + decay * ePre[at] + 4 * U * (Math.abs(h) + Math.abs(pre[at]) + Math.abs(v));
                boolean fires = got[at] != 0;
                f.vPrev[at] = v;
                f.h[at] = h;
                f.eh[at] = eh;
                f.ev[at] = e;
                f.decision[at] = fires;
                if (fires != (h - PlifRef.THRESHOLD >= 0)) {
                    f.flips++;
                    double d = Math.abs((double) h - PlifRef.THRESHOLD), ratio = d / eh;
                    if (ratio <= 1) {
                        f.explained++;
                        f.closest = Math.max(f.closest, ratio);
                    } else if (ratio > worstRatio) {
                        worstRatio = ratio;
                        f.worstUnexplained = at;
                        f.distance = d;
                        f.bound = eh;
                    }
                }
                v = fires ? 0f : h; // after a reset both paths hold exactly 0
                e = fires ? 0 : eh;
            }
        }
        return f;
    }

    private static Forced forcedRelu(float[] pre, double[] ePre, float[] got) {
        Forced f = new Forced();
        f.decision = new boolean[pre.length];
        double worstRatio = 1;
        for (int i = 0; i < pre.length; i++) {
            boolean on = got[i] > 0;
            f.decision[i] = on;
            if (on != (pre[i] > 0)) {
                f.flips++;
                double d = Math.abs(pre[i]), ratio = d / ePre[i];
                if (ratio <= 1) {
                    f.explained++;
                    f.closest = Math.max(f.closest, ratio);
                } else if (ratio > worstRatio) {
                    worstRatio = ratio;
                    f.worstUnexplained = i;
                    f.distance = d;
                    f.bound = ePre[i];
                }
            }
        }
        return f;
    }

    /**
     * Holds the candidate's batch statistics to their bound and returns their differences from the
     * reference's in {@code dMean}, {@code dInvStd}. A statistics kernel sums each plane's {@code HW}
     * values in float in some order, then across planes: {@code |Δmean| ≤ mean(e_conv) + (HW + 2)·u·mean|conv|},
     * {@code |Δvar| ≤ 2·mean(|conv − mean|·(e_conv + |Δmean|)) + (HW + 2)·u·var}, and {@code invStd} moves
     * by half the variance's relative change plus its own rounding.
     */
    private static void statisticsWithinBound(
            String name,
            float[] conv,
            double[] eConv,
            float[] mean,
            float[] invStd,
            Candidate.NeuronInput in,
            int n,
            int c,
            int hw,
            float eps,
            double[] dMean,
            double[] dInvStd,
            Problems problems) {
        double count = (double) n * hw;
        int badMean = 0, badInvStd = 0;
        double worstMean = 0, worstInvStd = 0;
        String meanDetail = "", invStdDetail = "";
        for (int ch = 0; ch < c; ch++) {
            double sumE = 0, sumAbs = 0, sumDevE = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    int at = (i * c + ch) * hw + p;
                    sumE += eConv[at];
                    sumAbs += Math.abs(conv[at]);
                }
            }
            double meanBound = sumE / count + (hw + 2) * U * sumAbs / count;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    int at = (i * c + ch) * hw + p;
                    sumDevE += Math.abs(conv[at] - mean[ch]) * (eConv[at] + meanBound);
                }
            }
            double var = 1.0 / ((double) invStd[ch] * invStd[ch]) - eps;
            double varBound = 2 * sumDevE / count + (hw + 2) * U * Math.max(var, 0);
            double invStdBound = invStd[ch] * (0.5 * varBound / (var + eps) + 4 * U);
            dMean[ch] = Math.abs((double) in.mean()[ch] - mean[ch]);
            dInvStd[ch] = Math.abs((double) in.invStd()[ch] - invStd[ch]);
            if (dMean[ch] > meanBound) {
                badMean++;
                if (dMean[ch] / meanBound > worstMean) {
                    worstMean = dMean[ch] / meanBound;
                    meanDetail = "channel " + ch + ": " + in.mean()[ch] + " against " + mean[ch] + " (bound "
                            + sci(meanBound) + ")";
                }
            }
            if (dInvStd[ch] > invStdBound) {
                badInvStd++;
                if (dInvStd[ch] / invStdBound > worstInvStd) {
                    worstInvStd = dInvStd[ch] / invStdBound;
                    invStdDetail = "channel " + ch + ": " + in.invStd()[ch] + " against " + invStd[ch] + " (bound "
                            + sci(invStdBound) + ")";
                }
            }
        }
        if (badMean > 0)
            problems.add(name, "batch mean", badMean + " of " + c + " channels out of bound; worst " + meanDetail);
        if (badInvStd > 0)
            problems.add(name, "batch 1/std", badInvStd + " of " + c + " channels out of bound; worst " + invStdDetail);
    }

    static String sci(double v) {
        return String.format(java.util.Locale.ROOT, "%.3g", v);
    }
}
