package scn.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static scn.TestUtil.assertClose;
import static scn.TestUtil.random;
import static scn.TestUtil.randomSpikes;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import scn.backend.Kernels;
import scn.backend.SpikePath;
import scn.tensor.ConvGeometry;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * Every fast CPU path against its scalar reference, on small odd shapes (sizes that are not multiples
 * of the SIMD width, blocks that straddle the GEMM's cache blocking). Each check runs the same public
 * operator twice — references forced, then fast — and compares with {@code |got − ref| ≤ atol + rtol·|ref|}.
 *
 * <p>Tolerances: the references sum in double, the fast paths in float32 in another order, so a dot
 * product of K terms of size ≤ 1 can differ by about K·2⁻²⁴ in absolute terms; atol is 1e-6·K and rtol
 * 1e-4. The last test asserts that every non-private method of every {@code *Simd}/{@code *Fast} class
 * was reached by a check, and how many there are.
 */
class FastPathTest {
    private static final Set<String> COVERED = new TreeSet<>();
    private static final int FAST_METHODS = 37;

    /** Runs {@code compute} on the references and on the fast paths and compares the results. */
    private static void check(String what, double atol, double rtol, Supplier<float[]> compute, String... fastMethods) {
        boolean before = Kernels.reference();
        try {
            Kernels.forceReference(true);
            float[] ref = compute.get();
            Kernels.forceReference(false);
            float[] got = compute.get();
            assertClose(what, ref, got, atol, rtol);
        } finally {
            Kernels.forceReference(before);
        }
        COVERED.addAll(java.util.Arrays.asList(fastMethods));
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) n += p.length;
        float[] all = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    @Test
    void gemmWithTransposesAndBlockEdges() {
        int[][] shapes = {{1, 1, 1}, {7, 33, 5}, {37, 301, 263}, {150, 70, 300}, {5, 2100, 17}};
        long seed = 1;
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (boolean transA : new boolean[] {false, true}) {
                for (boolean transB : new boolean[] {false, true}) {
                    float[] a = random(seed++, m * k).data(),
                            b = random(seed++, k * n).data(),
                            c0 = random(seed++, m * n).data();
                    Mat ma = transA ? Mat.transposed(a, 0, m) : Mat.rowMajor(a, 0, k);
                    Mat mb = transB ? Mat.transposed(b, 0, k) : Mat.rowMajor(b, 0, n);
                    for (boolean accumulate : new boolean[] {false, true}) {
                        check(
                                "gemm " + m + "x" + n + "x" + k + " transA=" + transA + " transB=" + transB + " acc="
                                        + accumulate,
                                1e-6 * k,
                                1e-4,
                                () -> {
                                    float[] c = c0.clone();
                                    Gemm.gemm(m, n, k, ma, mb, c, 0, n, accumulate);
                                    return c;
                                },
                                "GemmSimd.gemm");
                        // the threads' split changes no sum's order: one thread gives the same bits
                        float[] parallel = c0.clone(), serial = c0.clone();
                        Gemm.gemm(m, n, k, ma, mb, parallel, 0, n, accumulate);
                        GemmSimd.gemm(m, n, k, ma, mb, serial, 0, n, accumulate);
                        assertArrayEquals(serial, parallel, "gemm " + m + "x" + n + "x" + k + " on threads");
                    }
                }
            }
        }
    }

    /** {n, cin, h, w, cout, k, stride, pad, groups}. */
    private static final int[][] CONVS = {
        {2, 5, 9, 11, 7, 3, 1, 1, 1},
        {3, 6, 10, 7, 4, 3, 2, 1, 2},
        {2, 4, 17, 19, 8, 7, 2, 3, 1},
        {3, 5, 8, 9, 7, 1, 1, 0, 1},
        {2, 6, 8, 9, 4, 1, 2, 0, 2},
        {2, 7, 6, 37, 7, 3, 1, 1, 7},
        {1, 7, 5, 37, 7, 3, 2, 1, 7},
        {2, 3, 35, 40, 3, 5, 1, 2, 3},
        {2, 6, 7, 37, 5, 3, 1, 1, 1
        }, // direct 3x3 forward and input gradient: 4 + 2 channels, 2 full vectors and a tail
        {3, 9, 4, 16, 6, 3, 1, 1, 1}, // one full vector per row, 3 blocks of input channels
        {2, 3, 45, 50, 5, 3, 1, 1, 1}, // rows of 50 + 2 across vector ends, an odd output channel
    };

    @Test
    void convolutionForwardAndBothBackwards() {
        long seed = 100;
        for (int[] c : CONVS) {
            Tensor x = random(seed++, c[0], c[1], c[2], c[3]);
            Tensor w = random(seed++, c[4], c[1] / c[8], c[5], c[5]);
            ConvGeometry g = Conv2d.geometry(x, w, c[6], c[7], c[8]);
            Tensor dy = random(seed++, g.outShape());
            Tensor dx0 = random(seed++, g.inShape()), dw0 = random(seed++, g.weightShape());
            double atol = 1e-6 * g.patch() * Math.max(1, g.hOut() * g.wOut() * g.n() / 64);
            String kind = g.isDepthwise() ? "DepthwiseConvSimd" : "Conv2dFast";
            String inputKind = Conv3x3Simd.applies(g) ? "Conv3x3Simd" : kind; // direct on float inputs
            String name = "conv " + java.util.Arrays.toString(c);
            check(
                    name + " forward",
                    1e-6 * g.patch(),
                    1e-4,
                    () -> Conv2d.forward(x, w, g.stride(), g.pad(), g.groups()).data(),
                    "Conv2dFast.forward",
                    inputKind + ".forward");
            check(
                    name + " backward input",
                    1e-6 * g.coutPerGroup() * g.kh() * g.kw(),
                    1e-4,
                    () -> {
                        Tensor dx = dx0.copy();
                        Conv2d.backwardInput(dx, dy, w, g);
                        return dx.data();
                    },
                    "Conv2dFast.backwardInput",
                    inputKind + ".backwardInput");
            if (Conv3x3Simd.applies(g)) COVERED.add("Conv3x3Simd.applies");
            check(
                    name + " backward weight",
                    atol,
                    1e-4,
                    () -> {
                        Tensor dw = dw0.copy();
                        Conv2d.backwardWeight(dw, dy, x.data(), null, g);
                        return dw.data();
                    },
                    "Conv2dFast.backwardWeight",
                    inputKind + ".backwardWeight");
        }
    }

    @Test
    void convolutionOnByteSpikesMatchesFloatReference() {
        long seed = 200;
        for (int[] c : CONVS) {
            Tensor xf = randomSpikes(seed++, 0.2, c[0], c[1], c[2], c[3]);
            SpikeTensor xs = SpikeTensor.fromFloat(xf);
            Tensor w = random(seed++, c[4], c[1] / c[8], c[5], c[5]);
            ConvGeometry g = Conv2d.geometry(xf, w, c[6], c[7], c[8]);
            Tensor dy = random(seed++, g.outShape());
            boolean before = Kernels.reference();
            SpikePath.Mode mode = SpikePath.mode();
            try {
                SpikePath.force(SpikePath.Mode.DENSE); // the dense byte im2col; the event-driven path is checked below
                Kernels.forceReference(true);
                Tensor yRef = Conv2d.forward(xf, w, g.stride(), g.pad(), g.groups());
                Tensor dwRef = Tensor.zeros(g.weightShape());
                Conv2d.backwardWeight(dwRef, dy, xf.data(), null, g);
                Kernels.forceReference(false);
                Tensor y = Conv2d.forward(xs, w, g.stride(), g.pad(), g.groups());
                Tensor dw = Tensor.zeros(g.weightShape());
                Conv2d.backwardWeight(dw, dy, null, xs.data(), g);
                assertClose(
                        "spike conv forward " + java.util.Arrays.toString(c),
                        yRef.data(),
                        y.data(),
                        1e-6 * g.patch(),
                        1e-4);
                assertClose(
                        "spike conv backward weight " + java.util.Arrays.toString(c),
                        dwRef.data(),
                        dw.data(),
                        1e-6 * g.n() * g.hOut() * g.wOut(),
                        1e-4);
            } finally {
                Kernels.forceReference(before);
                SpikePath.force(mode);
            }
        }
    }

    @Test
    void eventDrivenConvolutionOnSpikes() {
        SpikePath.Mode mode = SpikePath.mode();
        SpikePath.force(SpikePath.Mode.SPARSE);
        try {
            long seed = 250;
            for (int[] c : CONVS) {
                for (double density : new double[] {0.05, 0.3}) {
                    SpikeTensor xs = SpikeTensor.fromFloat(randomSpikes(seed++, density, c[0], c[1], c[2], c[3]));
                    Tensor w = random(seed++, c[4], c[1] / c[8], c[5], c[5]);
                    ConvGeometry g = ConvGeometry.of(xs.shapeRef(), w.shapeRef(), c[6], c[7], c[8]);
                    Tensor dy = random(seed++, g.outShape()), dw0 = random(seed++, g.weightShape());
                    String name = "event-driven conv " + java.util.Arrays.toString(c) + " density " + density;
                    check(
                            name + " forward",
                            1e-6 * g.patch(),
                            1e-4,
                            () -> Conv2d.forward(xs, w, g.stride(), g.pad(), g.groups())
                                    .data(),
                            "SpikeConvFast.forward");
                    check(
                            name + " backward weight",
                            1e-6 * g.n() * g.hOut() * g.wOut(),
                            1e-4,
                            () -> {
                                Tensor dw = dw0.copy();
                                Conv2d.backwardWeight(dw, dy, null, xs.data(), g);
                                return dw.data();
                            },
                            "SpikeConvFast.backwardWeight");
                }
            }
        } finally {
            SpikePath.force(mode);
        }
    }

    @Test
    void batchNormBothModesAndBackward() {
        int[][] shapes = {{7, 5, 9, 11}, {2, 3, 1, 37}, {3, 17, 4, 5}};
        long seed = 300;
        for (int[] s : shapes) {
            Tensor x = random(seed++, s), gamma = random(seed++, s[1]), beta = random(seed++, s[1]);
            Tensor rm0 = random(seed++, s[1]), rv0 = Tensor.full(0.5f, s[1]);
            Tensor dy = random(seed++, s);
            check(
                    "batch norm train " + java.util.Arrays.toString(s),
                    1e-5,
                    1e-4,
                    () -> {
                        Tensor y = Tensor.zeros(s), rm = rm0.copy(), rv = rv0.copy();
                        float[] mean = new float[s[1]], invStd = new float[s[1]];
                        BatchNorm2d.forwardTrain(y, x, gamma, beta, rm, rv, mean, invStd, 0.1f, 1e-5f);
                        return concat(y.data(), rm.data(), rv.data(), mean, invStd);
                    },
                    "BatchNorm2dSimd.statistics",
                    "BatchNorm2dSimd.normalize");
            check(
                    "batch norm statistics " + java.util.Arrays.toString(s),
                    1e-5,
                    1e-4,
                    () -> {
                        Tensor rm = rm0.copy(), rv = rv0.copy();
                        float[] mean = new float[s[1]], invStd = new float[s[1]];
                        BatchNorm2d.statistics(x, rm, rv, mean, invStd, 0.1f, 1e-5f);
                        return concat(rm.data(), rv.data(), mean, invStd);
                    },
                    "BatchNorm2dSimd.statistics");
            check(
                    "batch norm eval " + java.util.Arrays.toString(s),
                    1e-5,
                    1e-4,
                    () -> {
                        Tensor y = Tensor.zeros(s);
                        BatchNorm2d.forwardEval(y, x, gamma, beta, rm0, rv0, 1e-5f);
                        return y.data();
                    },
                    "BatchNorm2dSimd.forwardEval");
            check(
                    "batch norm normalize " + java.util.Arrays.toString(s),
                    1e-5,
                    1e-4,
                    () -> {
                        Tensor y = Tensor.zeros(s);
                        BatchNorm2d.normalize(y, x, gamma, beta, rm0.data(), rv0.data());
                        return y.data();
                    },
                    "BatchNorm2dSimd.normalize");
            for (boolean batchStats : new boolean[] {true, false}) {
                check(
                        "batch norm backward " + java.util.Arrays.toString(s) + " batchStats=" + batchStats,
                        1e-5,
                        1e-4,
                        () -> {
                            float[] mean = new float[s[1]], invStd = new float[s[1]];
                            boolean before = Kernels.reference();
                            Kernels.forceReference(true); // identical saved statistics for both backward paths
                            BatchNorm2d.forwardTrain(
                                    Tensor.zeros(s), x, gamma, beta, rm0.copy(), rv0.copy(), mean, invStd, 0.1f, 1e-5f);
                            Kernels.forceReference(before);
                            Tensor dx = Tensor.full(0.25f, s), dg = Tensor.full(0.5f, s[1]), db = Tensor.zeros(s[1]);
                            BatchNorm2d.backward(dx, dg, db, dy, x, gamma, mean, invStd, batchStats);
                            return concat(dx.data(), dg.data(), db.data());
                        },
                        "BatchNorm2dSimd.sums",
                        "BatchNorm2dSimd.backwardFromSums");
            }
        }
    }

    @Test
    void maxPoolForwardBackwardIncludingTies() {
        int[][] shapes = {{3, 5, 13, 17}, {2, 2, 6, 5}, {1, 3, 1, 1}};
        long seed = 400;
        for (int[] s : shapes) {
            for (boolean spikes : new boolean[] {false, true}) {
                Tensor x = spikes ? randomSpikes(seed++, 0.3, s) : random(seed++, s);
                int[] ys = MaxPool2d.outShape(s, 3, 2, 1);
                Tensor dy = random(seed++, ys);
                check(
                        "max pool " + java.util.Arrays.toString(s) + " spikes=" + spikes,
                        0,
                        0,
                        () -> {
                            Tensor y = Tensor.zeros(ys);
                            int[] argmax = new int[y.size()];
                            MaxPool2d.forward(y, argmax, x, 3, 2, 1);
                            Tensor dx = Tensor.zeros(s);
                            MaxPool2d.backward(dx, dy, argmax);
                            return concat(y.data(), dx.data());
                        },
                        "MaxPool2dFast.forward",
                        "MaxPool2dFast.backward");
            }
        }
    }

    @Test
    void upsampleForwardBackward() {
        int[] s = {2, 3, 5, 7};
        Tensor x = random(500, s), dy = random(501, Upsample2x.outShape(s));
        check(
                "upsample",
                1e-6,
                1e-6,
                () -> {
                    Tensor y = Tensor.zeros(Upsample2x.outShape(s));
                    Upsample2x.forward(y, x);
                    Tensor dx = random(502, s);
                    Upsample2x.backward(dx, dy);
                    return concat(y.data(), dx.data());
                },
                "Upsample2xFast.forward",
                "Upsample2xFast.backward");
    }

    @Test
    void elementwiseOnSmallAndThreadedSizes() {
        for (int n : new int[] {37, 100_003}) {
            float[] a = random(600 + n, n).data(),
                    b = random(601 + n, n).data(),
                    g = random(602 + n, n).data();
            check(
                    "add " + n,
                    0,
                    0,
                    () -> {
                        float[] y = new float[n];
                        Elementwise.add(y, a, b, n);
                        return y;
                    },
                    "ElementwiseSimd.add");
            check(
                    "accumulate " + n,
                    0,
                    0,
                    () -> {
                        float[] d = a.clone();
                        Elementwise.accumulate(d, g, n);
                        return d;
                    },
                    "ElementwiseSimd.accumulate");
            check(
                    "relu " + n,
                    0,
                    0,
                    () -> {
                        float[] y = new float[n], d = b.clone();
                        Elementwise.relu(y, a, n);
                        Elementwise.reluBackward(d, g, a, n);
                        return concat(y, d);
                    },
                    "ElementwiseSimd.relu",
                    "ElementwiseSimd.reluBackward");
            // The SIMD exp differs from Math.exp by a few ulps.
            check(
                    "sigmoid " + n,
                    1e-6,
                    1e-5,
                    () -> {
                        float[] x8 = new float[n];
                        for (int i = 0; i < n; i++) x8[i] = 8 * a[i];
                        float[] y = new float[n], d = b.clone();
                        Elementwise.sigmoid(y, x8, n);
                        Elementwise.sigmoidBackward(d, g, y, n);
                        return concat(y, d);
                    },
                    "ElementwiseSimd.sigmoid",
                    "ElementwiseSimd.sigmoidBackward");
            int t = 5, m = n / t;
            check(
                    "mean over time " + n,
                    1e-6,
                    1e-5,
                    () -> {
                        float[] y = new float[m], d = java.util.Arrays.copyOf(b, t * m);
                        Elementwise.meanTime(y, java.util.Arrays.copyOf(a, t * m), t, m);
                        Elementwise.meanTimeBackward(d, java.util.Arrays.copyOf(g, m), t, m);
                        return concat(y, d);
                    },
                    "ElementwiseSimd.meanTime",
                    "ElementwiseSimd.meanTimeBackward");
        }
    }

    @Test
    void plifForwardAndBackward() {
        int t = 5;
        for (int m : new int[] {7, 1024, 2500}) {
            for (float w : new float[] {0f, 2.5f, -3f}) {
                float[] x = random(700 + m, t * m).data();
                for (int i = 0; i < x.length; i++) x[i] = 2.5f * x[i] + 0.8f;
                float[] ds = random(701 + m, t * m).data();
                check(
                        "plif m=" + m + " w=" + w,
                        1e-5,
                        1e-4,
                        () -> {
                            byte[] s = new byte[t * m];
                            Plif.forward(s, x, t, m, w);
                            float[] dx = new float[t * m];
                            double dw = Plif.backward(dx, ds, x, t, m, w);
                            float[] spikes = new float[s.length];
                            for (int i = 0; i < s.length; i++) spikes[i] = s[i];
                            return concat(spikes, dx, new float[] {(float) dw});
                        },
                        "PlifFast.forward",
                        "PlifFast.step",
                        "PlifFast.backward",
                        "PlifFast.backStep"); // step: the forward's time step (m = 7 runs its scalar form)
            }
        }
    }

    /**
     * The fused {@code plif(bn(x) + residual)} forward against the reference composition, and — exactly —
     * against the fast batch norm, residual sum and PLIF run one after the other: the backward forms the
     * neuron's input that way again, so the forward's spikes must be the very ones it assumes.
     */
    @Test
    void normPlifFusedForward() {
        int t = 5;
        int[][] shapes = {{2, 3, 37}, {1, 4, 80}, {3, 2, 320}}; // {B, C, HW}: plane tails, one and several vectors
        long seed = 750;
        for (int[] shape : shapes) {
            int b = shape[0], c = shape[1], hw = shape[2], n = t * b * c * hw;
            int[] s4 = {t * b, c, 1, hw};
            Tensor x = random(seed++, s4), gamma = random(seed++, c), beta = random(seed++, c);
            float[] mean = random(seed++, c).data(), invStd = new float[c];
            for (int i = 0; i < c; i++) invStd[i] = 2f + i * 0.25f; // inputs spread over the threshold
            float[] resF = random(seed++, n).data();
            float[] resSpikes = randomSpikes(seed++, 0.3, n).data();
            byte[] resB = new byte[n];
            for (int i = 0; i < n; i++) resB[i] = (byte) resSpikes[i];
            for (String residual : new String[] {"none", "float", "spikes"}) {
                float[] rf = residual.equals("float") ? resF : null;
                byte[] rb = residual.equals("spikes") ? resB : null;
                for (float w : new float[] {0f, 1.5f}) {
                    NormPlif.Input in = new NormPlif.Input(
                            x.data(), rf, rb, gamma.data(), beta.data(), mean, invStd, t, b, c, hw, w);
                    check(
                            "norm plif " + java.util.Arrays.toString(shape) + " residual " + residual + " w=" + w,
                            0,
                            0,
                            () -> {
                                byte[] spikes = new byte[n];
                                NormPlif.forward(spikes, in);
                                float[] out = new float[n];
                                for (int i = 0; i < n; i++) out[i] = spikes[i];
                                return out;
                            },
                            "NormPlifFast.forward");
                    byte[] fused = new byte[n], composed = new byte[n];
                    NormPlif.forward(fused, in);
                    Tensor pre = Tensor.zeros(s4);
                    BatchNorm2d.normalize(pre, x, gamma, beta, mean, invStd);
                    float[] p = pre.data();
                    if (rf != null) for (int i = 0; i < n; i++) p[i] += rf[i];
                    if (rb != null) for (int i = 0; i < n; i++) p[i] += rb[i];
                    Plif.forward(composed, p, t, n / t, w);
                    assertArrayEquals(composed, fused, "fused vs composed fast path, " + residual + " w=" + w);
                }
            }
        }
    }

    /**
     * The fused backward of {@code plif(bn(x) + residual)} against the reference composition, then the batch norm's
     * backward from its sums; and its {@code ∂L/∂(neuron input)} exactly against the fast path's normalisation,
     * residual sum and PLIF backward run one after the other, which it replaces.
     */
    @Test
    void normPlifFusedBackward() {
        int t = 5;
        // {B, C, HW}: plane tails, one and several vectors, and more than FLUSH vectors in a plane
        int[][] shapes = {{2, 3, 37}, {1, 4, 80}, {3, 2, 320}, {1, 1, 1200}};
        long seed = 760;
        for (int[] shape : shapes) {
            int b = shape[0], c = shape[1], hw = shape[2], n = t * b * c * hw;
            int[] s4 = {t * b, c, 1, hw};
            Tensor x = random(seed++, s4), gamma = random(seed++, c), beta = random(seed++, c);
            float[] ds = random(seed++, n).data();
            float[] mean = random(seed++, c).data(), invStd = new float[c];
            for (int i = 0; i < c; i++) invStd[i] = 2f + i * 0.25f; // inputs spread over the threshold
            float[] resF = random(seed++, n).data();
            float[] resSpikes = randomSpikes(seed++, 0.3, n).data();
            byte[] resB = new byte[n];
            for (int i = 0; i < n; i++) resB[i] = (byte) resSpikes[i];
            for (String residual : new String[] {"none", "float", "spikes"}) {
                float[] rf = residual.equals("float") ? resF : null;
                byte[] rb = residual.equals("spikes") ? resB : null;
                for (float w : new float[] {0f, 1.5f}) {
                    String what = java.util.Arrays.toString(shape) + " residual " + residual + " w=" + w;
                    NormPlif.Input in = new NormPlif.Input(
                            x.data(), rf, rb, gamma.data(), beta.data(), mean, invStd, t, b, c, hw, w);
                    Supplier<float[]> fused = () -> {
                        float[] dPre = new float[n];
                        double[] sumDy = new double[c], sumDyXhat = new double[c];
                        double dw = NormPlif.backward(dPre, ds, in, sumDy, sumDyXhat);
                        Tensor dx = Tensor.zeros(s4), dGamma = Tensor.zeros(c), dBeta = Tensor.zeros(c);
                        BatchNorm2d.backwardFromSums(
                                dx,
                                dGamma,
                                dBeta,
                                Tensor.wrap(dPre, s4),
                                x,
                                gamma,
                                mean,
                                invStd,
                                sumDy,
                                sumDyXhat,
                                true);
                        float[] sums = new float[2 * c];
                        for (int i = 0; i < c; i++) {
                            sums[i] = (float) sumDy[i];
                            sums[c + i] = (float) sumDyXhat[i];
                        }
                        return concat(dPre, new float[] {(float) dw}, sums, dx.data(), dGamma.data(), dBeta.data());
                    };
                    check(
                            "norm plif backward " + what,
                            1e-6 * t * b * hw,
                            1e-4,
                            fused,
                            "NormPlifFast.backward",
                            "BatchNorm2dSimd.backwardFromSums");
                    float[] dPre = new float[n], composed = new float[n];
                    NormPlif.backward(dPre, ds, in, new double[c], new double[c]);
                    Tensor pre = Tensor.zeros(s4);
                    BatchNorm2d.normalize(pre, x, gamma, beta, mean, invStd);
                    float[] p = pre.data();
                    if (rf != null) for (int i = 0; i < n; i++) p[i] += rf[i];
                    if (rb != null) for (int i = 0; i < n; i++) p[i] += rb[i];
                    Plif.backward(composed, ds, p, t, n / t, w);
                    assertArrayEquals(composed, dPre, "fused vs composed fast path, " + what);
                }
            }
        }
    }

    @Test
    void adamWUpdate() {
        for (int n : new int[] {5, 40_001}) {
            float[] p0 = random(800 + n, n).data(),
                    g = random(801 + n, n).data(),
                    m0 = random(802 + n, n).data(),
                    v0 = random(803 + n, n).data();
            for (int i = 0; i < n; i++) v0[i] = Math.abs(v0[i]);
            for (int step : new int[] {1, 7}) {
                // The bias corrections differ (float vs double) by about 1e-7 relative.
                check(
                        "adamw n=" + n + " step=" + step,
                        1e-6,
                        1e-5,
                        () -> {
                            float[] p = p0.clone(), m = m0.clone(), v = v0.clone();
                            AdamWUpdate.step(p, g, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-4f, step);
                            return concat(p, m, v);
                        },
                        "AdamWFast.step");
            }
        }
    }

    /** Every fast method found by reflection must have been checked above; and there are this many. */
    @AfterAll
    static void everyFastMethodWasChecked() throws IOException {
        Set<String> found = new TreeSet<>();
        Path dir = Path.of(
                Gemm.class.getProtectionDomain().getCodeSource().getLocation().getPath(), "scn", "ops");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String file = f.getFileName().toString();
                if (file.contains("$") || !file.endsWith(".class")) continue;
                String simple = file.substring(0, file.length() - ".class".length());
                if (!simple.endsWith("Simd") && !simple.endsWith("Fast")) continue;
                Class<?> cls;
                try {
                    cls = Class.forName("scn.ops." + simple);
                } catch (ClassNotFoundException e) {
                    throw new IOException(e);
                }
                for (Method m : cls.getDeclaredMethods()) {
                    if (Modifier.isStatic(m.getModifiers())
                            && !Modifier.isPrivate(m.getModifiers())
                            && !m.isSynthetic()) {
                        found.add(simple + "." + m.getName());
                    }
                }
            }
        }
        assertEquals(found, COVERED, "fast methods found vs checked against a reference");
        assertEquals(FAST_METHODS, COVERED.size(), "number of fast/reference pairs covered");
    }
}
