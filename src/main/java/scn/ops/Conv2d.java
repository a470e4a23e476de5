package scn.ops;

import scn.backend.Kernels;
import scn.backend.Profile;
import scn.tensor.ConvGeometry;
import scn.tensor.Shape;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * 2-D convolution on tensors: shape checks, then the reference ({@link Conv2dRef}) or the fast path
 * ({@link Conv2dFast}) per {@link Kernels}. Inputs may be float tensors or byte spikes; on spikes the
 * forward pass and the weight gradient may instead run event-driven ({@link SpikeConvFast}), as
 * {@link SpikeConv} decides from the input's density. No bias: every
 * convolution in the network is followed by batch norm, and the heads' 1×1 biases are added by
 * the caller.
 */
public final class Conv2d {
    private Conv2d() {}

    public static ConvGeometry geometry(Tensor x, Tensor w, int stride, int pad, int groups) {
        return ConvGeometry.of(x.shapeRef(), w.shapeRef(), stride, pad, groups);
    }

    /** Returns a new {@code y = conv(x, w)}. */
    public static Tensor forward(Tensor x, Tensor w, int stride, int pad, int groups) {
        ConvGeometry g = geometry(x, w, stride, pad, groups);
        Tensor y = Tensor.zeros(g.outShape());
        forward(y, x.data(), null, w, g);
        return y;
    }

    /** Returns a new {@code y = conv(spikes, w)}, reading the spikes as bytes. */
    public static Tensor forward(SpikeTensor x, Tensor w, int stride, int pad, int groups) {
        ConvGeometry g = ConvGeometry.of(x.shapeRef(), w.shapeRef(), stride, pad, groups);
        Tensor y = Tensor.zeros(g.outShape());
        forward(y, null, x.data(), w, g);
        return y;
    }

    /** Overwrites {@code y} with {@code conv(x, w)}; exactly one of {@code xf}, {@code xb} is non-null. */
    public static void forward(Tensor y, float[] xf, byte[] xb, Tensor w, ConvGeometry g) {
        forward(y, xf, xb, w, g, null);
    }

    /**
     * As above; spikes {@code xb} go dense or event-driven per {@link SpikeConv}, which notes the choice
     * under {@code layer} (may be null) in {@link ConvTrace}.
     */
    public static void forward(Tensor y, float[] xf, byte[] xb, Tensor w, ConvGeometry g, String layer) {
        Shape.requireSame("conv2d", "output", y.shapeRef(), "expected output", g.outShape());
        Shape.requireSame("conv2d", "weight", w.shapeRef(), "expected weight", g.weightShape());
        long t0 = Profile.start();
        if (Kernels.reference()) {
            Conv2dRef.forward(y.data(), xf != null ? xf : toFloat(xb), w.data(), g);
        } else if (xb != null && SpikeConv.forward(xb, g, layer) instanceof long[] active) {
            SpikeConvFast.forward(y.data(), xb, active, w.data(), g);
        } else {
            Conv2dFast.forward(y.data(), xf, xb, w.data(), g);
        }
        Profile.stopForward(kind(g), t0);
    }

    /** {@code dx += ∂L/∂x} given {@code dy = ∂L/∂y}. */
    public static void backwardInput(Tensor dx, Tensor dy, Tensor w, ConvGeometry g) {
        Shape.requireSame("conv2d backward", "dx", dx.shapeRef(), "input", g.inShape());
        Shape.requireSame("conv2d backward", "dy", dy.shapeRef(), "output", g.outShape());
        long t0 = Profile.start();
        if (Kernels.reference()) {
            Conv2dRef.backwardInput(dx.data(), dy.data(), w.data(), g);
        } else {
            Conv2dFast.backwardInput(dx.data(), dy.data(), w.data(), g);
        }
        Profile.stop(kind(g), "backward_input", t0);
    }

    /** {@code dw += ∂L/∂w} given {@code dy} and the forward input (float or bytes). */
    public static void backwardWeight(Tensor dw, Tensor dy, float[] xf, byte[] xb, ConvGeometry g) {
        backwardWeight(dw, dy, xf, xb, g, null);
    }

    /** As above, spikes going dense or event-driven per {@link SpikeConv}, noted under {@code layer}. */
    public static void backwardWeight(Tensor dw, Tensor dy, float[] xf, byte[] xb, ConvGeometry g, String layer) {
        Shape.requireSame("conv2d backward", "dw", dw.shapeRef(), "weight", g.weightShape());
        Shape.requireSame("conv2d backward", "dy", dy.shapeRef(), "output", g.outShape());
        long t0 = Profile.start();
        if (Kernels.reference()) {
            Conv2dRef.backwardWeight(dw.data(), dy.data(), xf != null ? xf : toFloat(xb), g);
        } else if (xb != null && SpikeConv.weightGradient(xb, g, layer) instanceof long[] active) {
            SpikeConvFast.backwardWeight(dw.data(), dy.data(), xb, active, g);
        } else {
            Conv2dFast.backwardWeight(dw.data(), dy.data(), xf, xb, g);
        }
        Profile.stop(kind(g), "backward_weight", t0);
    }

    /** The profile's name for a convolution: which kind of kernel it runs. */
    private static String kind(ConvGeometry g) {
        if (g.isDepthwise()) return "conv_depthwise";
        if (g.kh() == 1 && g.kw() == 1) return "conv_1x1";
        if (g.kh() == 3 && g.kw() == 3) return "conv_3x3";
        return g.kh() == 7 && g.kw() == 7 ? "conv_7x7" : "conv_" + g.kh() + "x" + g.kw();
    }

    private static float[] toFloat(byte[] b) {
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) f[i] = b[i];
        return f;
    }
}
