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
import scn.backend.SpikePath;
import scn.ops.Conv2d;
import scn.tensor.ConvGeometry;
import scn.tensor.Tensor;

/**
 * Convolutions on spikes, dense (im2col + GEMM) against event-driven, over input density: the
 * calibration behind the crossover densities of {@code scn.ops.SpikeConv.Kind}. The layers are the
 * network's own at width 0.25, on 8 images (one time step of a batch of 8).
 *
 * <p>{@code java -jar bench/target/benchmarks.jar SpikeConvBench} (about 25 minutes on two cores);
 * a quicker pass: {@code -f 1 -wi 2 -i 3 -w 300ms -r 300ms}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class SpikeConvBench {
    /** name → {N, Cin, H, W, Cout, k, stride, pad, groups} at width 0.25. */
    public enum Layer {
        STEM_7X7_S2(8, 4, 256, 320, 16, 7, 2, 3, 1),
        CONV3X3(8, 16, 64, 80, 16, 3, 1, 1, 1),
        CONV3X3_S2(8, 16, 64, 80, 32, 3, 2, 1, 1),
        DOWNSAMPLE_1X1_S2(8, 16, 64, 80, 32, 1, 2, 0, 1),
        EXPAND_1X1(8, 48, 64, 80, 72, 1, 1, 0, 1),
        DEPTHWISE_3X3(8, 72, 64, 80, 72, 3, 1, 1, 72),
        PROJECT_1X1(8, 72, 64, 80, 16, 1, 1, 0, 1),
        HEAD_OUT_1X1(8, 16, 64, 80, 2, 1, 1, 0, 1);

        final ConvGeometry g;

        Layer(int n, int cin, int h, int w, int cout, int k, int s, int p, int groups) {
            g = new ConvGeometry(n, cin, h, w, cout, k, k, s, p, groups);
        }
    }

    @Param({
        "STEM_7X7_S2",
        "CONV3X3",
        "CONV3X3_S2",
        "DOWNSAMPLE_1X1_S2",
        "EXPAND_1X1",
        "DEPTHWISE_3X3",
        "PROJECT_1X1",
        "HEAD_OUT_1X1"
    })
    public Layer layer;

    @Param({"0.01", "0.02", "0.05", "0.1", "0.2", "0.3", "0.5"})
    public double density;

    @Param({"DENSE", "SPARSE"})
    public SpikePath.Mode path;

    private byte[] x;
    private Tensor w, y, dy, dw;

    @Setup(Level.Trial)
    public void setUp() {
        ConvGeometry g = layer.g;
        SplittableRandom r = new SplittableRandom(1);
        x = new byte[g.n() * g.cin() * g.h() * g.w()];
        for (int i = 0; i < x.length; i++) x[i] = (byte) (r.nextDouble() < density ? 1 : 0);
        w = random(g.weightShape(), r);
        dy = random(g.outShape(), r);
        y = Tensor.zeros(g.outShape());
        dw = Tensor.zeros(g.weightShape());
        SpikePath.force(path);
    }

    private static Tensor random(int[] shape, SplittableRandom r) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) r.nextDouble(-1, 1);
        return t;
    }

    @Benchmark
    public Tensor forward() {
        Conv2d.forward(y, null, x, w, layer.g);
        return y;
    }

    @Benchmark
    public Tensor weightGradient() {
        Conv2d.backwardWeight(dw, dy, null, x, layer.g);
        return dw;
    }
}
