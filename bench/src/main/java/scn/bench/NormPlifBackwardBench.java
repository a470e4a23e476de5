package scn.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import scn.ops.BatchNorm2d;
import scn.ops.NormPlif;
import scn.ops.Plif;
import scn.tensor.Tensor;

/**
 * The backward of {@code plif(bn(x))} in training mode on the network's own layer shapes at width 0.25, batch 2,
 * T = 5: {@code fused} is what a training step runs ({@link NormPlif#backward}, then
 * {@link BatchNorm2d#backwardFromSums}); {@code composed} is what it ran before, one pass after the other (the batch
 * norm's normalisation, the PLIF's backward, the batch norm's whole backward), and gives the same
 * {@code ∂L/∂(neuron input)} bit for bit.
 *
 * <p>{@code java -jar bench/target/benchmarks.jar NormPlifBackwardBench} (about 2 minutes).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class NormPlifBackwardBench {
    /** {@code C×H×W}: the stem and heads (16 channels at 64×80), the decoder's widest, the deepest, a middle one. */
    @Param({"16x64x80", "72x64x80", "48x32x40", "128x8x10"})
    public String shape;

    private static final int T = 5, B = 2;
    private int c, hw;
    private Tensor x, gamma, beta, pre, dPre, dx, dGamma, dBeta;
    private float[] ds, mean, invStd;

    @Setup(Level.Trial)
    public void setUp() {
        String[] d = shape.split("x");
        c = Integer.parseInt(d[0]);
        hw = Integer.parseInt(d[1]) * Integer.parseInt(d[2]);
        int[] s4 = {T * B, c, 1, hw};
        SplittableRandom r = new SplittableRandom(7);
        x = Tensor.zeros(s4);
        float[] xv = x.data();
        ds = new float[xv.length];
        for (int i = 0; i < xv.length; i++) {
            xv[i] = (float) r.nextGaussian();
            ds[i] = (float) r.nextGaussian() * 0.1f;
        }
        gamma = Tensor.zeros(c);
        beta = Tensor.zeros(c);
        mean = new float[c];
        invStd = new float[c];
        for (int i = 0; i < c; i++) {
            gamma.data()[i] = 1.5f;
            beta.data()[i] = 0.2f;
            invStd[i] = 1f;
        }
        pre = Tensor.zeros(s4);
        dPre = Tensor.zeros(s4);
        dx = Tensor.zeros(s4);
        dGamma = Tensor.zeros(c);
        dBeta = Tensor.zeros(c);
    }

    @Benchmark
    public double fused() {
        double[] sumDy = new double[c], sumDyXhat = new double[c];
        double dw = NormPlif.backward(
                dPre.data(),
                ds,
                new NormPlif.Input(x.data(), null, null, gamma.data(), beta.data(), mean, invStd, T, B, c, hw, 0.5f),
                sumDy,
                sumDyXhat);
        BatchNorm2d.backwardFromSums(dx, dGamma, dBeta, dPre, x, gamma, mean, invStd, sumDy, sumDyXhat, true);
        return dw;
    }

    @Benchmark
    public double composed() {
        BatchNorm2d.normalize(pre, x, gamma, beta, mean, invStd);
        java.util.Arrays.fill(dPre.data(), 0f);
        double dw = Plif.backward(dPre.data(), ds, pre.data(), T, dPre.size() / T, 0.5f);
        BatchNorm2d.backward(dx, dGamma, dBeta, dPre, x, gamma, mean, invStd, true);
        return dw;
    }
}
