package scn.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import scn.ops.Conv2d;
import scn.tensor.ConvGeometry;
import scn.tensor.Tensor;

/**
 * The network's characteristic convolutions. FLOPs: 2·B·Cout·(Cin/groups)·kh·kw·Hout·Wout for a forward
 * pass, three times that for forward + backward (input and weight gradients).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx8g"})
public class ConvBench {
    /** name → {B, Cin, H, W, Cout, k, stride, pad, groups}. */
    public enum Shape {
        CONV3X3_64(8, 64, 120, 152, 64, 3, 1, 1, 1),
        DEPTHWISE3X3_576(8, 576, 64, 80, 576, 3, 1, 1, 576),
        POINTWISE_768_1152(10, 768, 8, 10, 1152, 1, 1, 0, 1);

        final ConvGeometry g;

        Shape(int b, int cin, int h, int w, int cout, int k, int s, int p, int groups) {
            g = new ConvGeometry(b, cin, h, w, cout, k, k, s, p, groups);
        }
    }

    @Param({"CONV3X3_64", "DEPTHWISE3X3_576", "POINTWISE_768_1152"})
    public Shape shape;

    private Tensor x, w, y, dx, dw;

    @Setup
    public void setUp() {
        ConvGeometry g = shape.g;
        x = random(g.inShape(), 1);
        w = random(g.weightShape(), 2);
        y = Tensor.zeros(g.outShape());
        dx = Tensor.zeros(g.inShape());
        dw = Tensor.zeros(g.weightShape());
    }

    static Tensor random(int[] shape, long seed) {
        Tensor t = Tensor.zeros(shape);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < t.size(); i++) t.data()[i] = (float) r.nextDouble(-1, 1);
        return t;
    }

    @Benchmark
    public Tensor forward() {
        Conv2d.forward(y, x.data(), null, w, shape.g);
        return y;
    }

    /** Forward, then both gradients with the output standing in for {@code dy}. */
    @Benchmark
    public Tensor forwardBackward() {
        ConvGeometry g = shape.g;
        Conv2d.forward(y, x.data(), null, w, g);
        Conv2d.backwardInput(dx, y, w, g);
        Conv2d.backwardWeight(dw, y, x.data(), null, g);
        return dw;
    }

    static double flops(String shapeName, boolean withBackward) {
        return 2.0 * Shape.valueOf(shapeName).g.macs() * (withBackward ? 3 : 1);
    }
}
