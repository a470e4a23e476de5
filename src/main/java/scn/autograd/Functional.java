package scn.autograd;

import java.util.function.Supplier;
import scn.ops.BatchNorm2d;
import scn.ops.Concat;
import scn.ops.Conv2d;
import scn.ops.Elementwise;
import scn.ops.MaxPool2d;
import scn.ops.NormPlif;
import scn.ops.Plif;
import scn.ops.SpikeOps;
import scn.ops.Upsample2x;
import scn.tensor.Arena;
import scn.tensor.ConvGeometry;
import scn.tensor.Shape;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * The network's differentiable operators: each runs its kernel from {@code scn.ops} forward and records
 * its local backward on the {@link Tape}. Stateless layers accept a multi-step activation
 * {@code [T, B, C, H, W]} and fold time into the batch (SPEC section 1); the result keeps the rank of
 * the input. An operator whose input lives on a device runs there ({@link FunctionalCl}), with the same
 * kernels' twins: the model code is the same for both.
 */
public final class Functional {
    private Functional() {}

    /** {@code [T, B, C, H, W]} → {@code [T*B, C, H, W]}; rank 4 unchanged. */
    static int[] fold(String op, int[] shape) {
        if (shape.length == 4) return shape;
        if (shape.length == 5) return new int[] {shape[0] * shape[1], shape[2], shape[3], shape[4]};
        throw new IllegalArgumentException(
                op + ": input must be [N, C, H, W] or [T, B, C, H, W], got " + Shape.str(shape));
    }

    /** The folded 4-D result shape {@code out} given back the input's time axis when it had one. */
    static int[] unfold(int[] inShape, int[] out) {
        if (inShape.length == 4) return out;
        return new int[] {inShape[0], inShape[1], out[1], out[2], out[3]};
    }

    /** 2-D convolution without bias; {@code x} may hold spikes (read as bytes, never expanded to float). */
    public static Var conv2d(Var x, Var w, int stride, int pad, int groups) {
        return conv2d(x, w, null, stride, pad, groups);
    }

    /** 2-D convolution plus an optional per-channel {@code bias [Cout]}. */
    public static Var conv2d(Var x, Var w, Var bias, int stride, int pad, int groups) {
        if (x.onDevice()) return FunctionalCl.conv2d(x, w, bias, stride, pad, groups);
        int[] xs = fold("conv2d", x.shape());
        ConvGeometry g = ConvGeometry.of(xs, w.value().shapeRef(), stride, pad, groups);
        if (bias != null && bias.value().size() != g.cout()) {
            throw new IllegalArgumentException(
                    "conv2d: bias " + Shape.str(bias.shape()) + " does not match " + g.cout() + " output channels");
        }
        SpikeTensor spikes = x.spikes();
        float[] xf = spikes == null ? x.value().data() : null;
        byte[] xb = spikes == null ? null : spikes.data();
        Tensor y = Tensor.empty(g.outShape());
        String conv = w instanceof Parameter p ? p.layerName() : null; // names it in the spike-path trace
        Conv2d.forward(y, xf, xb, w.value(), g, conv);
        if (bias != null) addChannelBias(y.data(), bias.value().data(), g.n(), g.cout(), g.hOut() * g.wOut());
        Var out = Var.result(y.view(unfold(x.shape(), g.outShape())), Tape.needsGrad(x, w, bias));
        Tape.recordFreeingOutput(out, dy -> {
            Tensor dy4 = dy.view(g.outShape());
            if (x.requiresGrad()) Conv2d.backwardInput(x.gradBuffer().view(g.inShape()), dy4, w.value(), g);
            if (w.requiresGrad()) Conv2d.backwardWeight(w.gradBuffer(), dy4, xf, xb, g, conv);
            if (bias != null && bias.requiresGrad())
                channelSums(bias.gradBuffer().data(), dy.data(), g.n(), g.cout(), g.hOut() * g.wOut());
        });
        return out;
    }

    private static void addChannelBias(float[] y, float[] bias, int n, int c, int hw) {
        for (int i = 0; i < n; i++)
            for (int ch = 0; ch < c; ch++) for (int p = 0; p < hw; p++) y[(i * c + ch) * hw + p] += bias[ch];
    }

    /** {@code db[c] += Σ_{n,p} dy[n, c, p]}. */
    private static void channelSums(float[] db, float[] dy, int n, int c, int hw) {
        for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int i = 0; i < n; i++) for (int p = 0; p < hw; p++) s += dy[(i * c + ch) * hw + p];
            db[ch] += (float) s;
        }
    }

    /**
     * Batch norm over channels (SPEC section 3). In training mode it normalises with batch statistics
     * and updates {@code runMean}/{@code runVar} in place; in evaluation mode it uses them.
     */
    public static Var batchNorm2d(
            Var x, Var gamma, Var beta, Var runMean, Var runVar, boolean training, float momentum, float eps) {
        if (x.onDevice()) return FunctionalCl.batchNorm2d(x, gamma, beta, runMean, runVar, training, momentum, eps);
        int[] xs = fold("batch_norm2d", x.shape());
        Tensor x4 = x.value().view(xs);
        Tensor y = Tensor.empty(xs);
        float[] mean, invStd;
        if (training) {
            mean = new float[xs[1]];
            invStd = new float[xs[1]];
            BatchNorm2d.forwardTrain(
                    y, x4, gamma.value(), beta.value(), runMean.value(), runVar.value(), mean, invStd, momentum, eps);
        } else {
            BatchNorm2d.forwardEval(y, x4, gamma.value(), beta.value(), runMean.value(), runVar.value(), eps);
            float[][] stats = BatchNorm2d.runningMeanInvStd(runMean.value(), runVar.value(), eps);
            mean = stats[0];
            invStd = stats[1];
        }
        Var out = Var.result(y.view(x.shape()), Tape.needsGrad(x, gamma, beta));
        Tape.recordFreeingOutput(out, dy -> {
            BatchNorm2d.backward(
                    x.requiresGrad() ? x.gradBuffer().view(xs) : null,
                    gamma.requiresGrad() ? gamma.gradBuffer() : null,
                    beta.requiresGrad() ? beta.gradBuffer() : null,
                    dy.view(xs),
                    x4,
                    gamma.value(),
                    mean,
                    invStd,
                    training);
        });
        return out;
    }

    /**
     * Batch norm, an optional residual, then the PLIF neuron, fused: {@code plif(bn(x) + residual)}
     * (a ConvBnPlif's tail, or a basic block's second half). The normalised values are not kept: the
     * backward recomputes them bit for bit from {@code x} and the saved statistics, so between forward
     * and backward the layer holds only its input and its byte spikes. The backward needs one array of
     * the input's size besides the gradients: the recomputed neuron input becomes its own gradient. {@code residual}
     * may be null,
     * float or spikes, of the input's shape.
     */
    public static Var batchNormPlif(
            Var x,
            Var gamma,
            Var beta,
            Var runMean,
            Var runVar,
            boolean training,
            float momentum,
            float eps,
            Var residual,
            Var w) {
        if (x.onDevice())
            return FunctionalCl.batchNormPlif(x, gamma, beta, runMean, runVar, training, momentum, eps, residual, w);
        return batchNormPlif(x, gamma, beta, runMean, runVar, training, momentum, eps, residual, w, null);
    }

    /**
     * {@code plif(bn(conv(x)) + residual)}, keeping neither the convolution's output nor the normalised
     * values: the backward runs the convolution again from {@code x} — bit for bit, as the forward
     * kernels sum in a fixed order — and goes on as {@link #batchNormPlif}. Between forward and backward
     * the layer holds only its byte spikes, for one more convolution per step: worth it where the
     * output is large and the convolution cheap (depthwise layers).
     */
    public static Var convBnPlif(
            Var x,
            Var w,
            int stride,
            int pad,
            int groups,
            Var gamma,
            Var beta,
            Var runMean,
            Var runVar,
            boolean training,
            float momentum,
            float eps,
            Var residual,
            Var plifW) {
        Var conv = conv2d(x, w, stride, pad, groups);
        if (x.onDevice()) // the device keeps the convolution's output (FunctionalCl)
        return FunctionalCl.batchNormPlif(conv, gamma, beta, runMean, runVar, training, momentum, eps, residual, plifW);
        ConvGeometry g = ConvGeometry.of(fold("conv2d", x.shape()), w.value().shapeRef(), stride, pad, groups);
        String name = w instanceof Parameter p ? p.layerName() : null;
        Supplier<Tensor> again = () -> {
            SpikeTensor spikes = x.spikes();
            Tensor y = Tensor.empty(g.outShape()); // [N, Cout, Ho, Wo]
            Conv2d.forward(
                    y,
                    spikes == null ? x.value().data() : null,
                    spikes == null ? null : spikes.data(),
                    w.value(),
                    g,
                    name);
            return y;
        };
        return batchNormPlif(conv, gamma, beta, runMean, runVar, training, momentum, eps, residual, plifW, again);
    }

    /**
     * With {@code recompute}, {@code x}'s value goes back to the arena after the forward and the backward asks for it
     * again.
     */
    private static Var batchNormPlif(
            Var x,
            Var gamma,
            Var beta,
            Var runMean,
            Var runVar,
            boolean training,
            float momentum,
            float eps,
            Var residual,
            Var w,
            Supplier<Tensor> recompute) {
        int[] xs = fold("batch_norm2d", x.shape());
        if (residual != null) Shape.requireSame("batch_norm_plif", "residual", residual.shape(), "input", x.shape());
        int t = x.shape()[0];
        Tensor x4 = x.value().view(xs);
        float[] mean = new float[xs[1]], invStd = new float[xs[1]];
        float wv = w.value().item();
        if (training) {
            BatchNorm2d.statistics(x4, runMean.value(), runVar.value(), mean, invStd, momentum, eps);
        } else {
            float[][] stats = BatchNorm2d.runningMeanInvStd(runMean.value(), runVar.value(), eps);
            System.arraycopy(stats[0], 0, mean, 0, mean.length);
            System.arraycopy(stats[1], 0, invStd, 0, invStd.length);
        }
        // The neuron's input is formed on the fly and never stored: the backward forms it again below.
        byte[] s = Arena.bytes(Shape.size(xs));
        SpikeTensor resSpikes = residual == null ? null : residual.spikes();
        float[] resFloats =
                residual == null || resSpikes != null ? null : residual.value().data();
        NormPlif.Input neurons = new NormPlif.Input(
                x4.data(),
                resFloats,
                resSpikes == null ? null : resSpikes.data(),
                gamma.value().data(),
                beta.value().data(),
                mean,
                invStd,
                t,
                xs[0] / t,
                xs[1],
                xs[2] * xs[3],
                wv);
        NormPlif.forward(s, neurons);
        if (recompute != null) x.releaseValue(); // this layer was its only reader
        Var out = Var.result(SpikeTensor.wrapTrusted(s, x.shape()), Tape.needsGrad(x, gamma, beta, residual, w));
        Tape.record(out, dy -> {
            Tensor in = recompute == null ? x4 : recompute.get().view(xs);
            Tensor dPre = Tensor.empty(xs); // [T*B, C, H, W] ∂L/∂(the neuron's input), formed again on the fly
            double[] sumDy = new double[xs[1]], sumDyXhat = new double[xs[1]]; // the batch norm's sums over dPre
            double dw = NormPlif.backward(dPre.data(), dy.data(), neurons.withX(in.data()), sumDy, sumDyXhat);
            out.releaseGrad(); // dy is spent: its array can take the input's gradient below
            if (w.requiresGrad()) w.gradBuffer().data()[0] += (float) dw;
            if (residual != null && residual.requiresGrad())
                Elementwise.accumulate(residual.gradBuffer().data(), dPre.data(), dPre.size());
            BatchNorm2d.backwardFromSums(
                    x.requiresGrad() ? x.gradBuffer().view(xs) : null,
                    gamma.requiresGrad() ? gamma.gradBuffer() : null,
                    beta.requiresGrad() ? beta.gradBuffer() : null,
                    dPre,
                    in,
                    gamma.value(),
                    mean,
                    invStd,
                    sumDy,
                    sumDyXhat,
                    training);
            Arena.giveBack(dPre.data());
            if (recompute != null) Arena.giveBack(in.data());
        });
        return out;
    }

    /**
     * Max-pool with a square window; ties go to the first element in scan order. On spikes it is an OR
     * and stays binary. Where each maximum came from is not kept: the backward pools the input again.
     */
    public static Var maxPool2d(Var x, int kernel, int stride, int pad) {
        if (x.onDevice()) return FunctionalCl.maxPool2d(x, kernel, stride, pad);
        int[] xs = fold("max_pool2d", x.shape());
        int[] ys = MaxPool2d.outShape(xs, kernel, stride, pad);
        int[] argmax = Arena.ints(Shape.size(ys)); // [N, C, Ho, Wo] flat input index of each maximum
        Var out;
        if (x.spikes() != null) {
            byte[] y = Arena.bytes(Shape.size(ys));
            SpikeOps.maxPool(y, argmax, x.spikes().data(), xs[0] * xs[1], xs[2], xs[3], kernel, stride, pad);
            out = Var.result(SpikeTensor.wrapTrusted(y, unfold(x.shape(), ys)), Tape.needsGrad(x));
        } else {
            Tensor y = Tensor.empty(ys);
            MaxPool2d.forward(y, argmax, x.value().view(xs), kernel, stride, pad);
            out = Var.result(y.view(unfold(x.shape(), ys)), Tape.needsGrad(x));
        }
        Arena.giveBack(argmax);
        Tape.record(out, dy -> {
            int[] again = maxima(x, xs, ys, kernel, stride, pad);
            MaxPool2d.backward(x.gradBuffer().view(xs), dy.view(ys), again);
            Arena.giveBack(again);
        });
        return out;
    }

    /** The positions of the maxima of {@code x}'s pooling windows, found again (the same as in the forward pass). */
    private static int[] maxima(Var x, int[] xs, int[] ys, int kernel, int stride, int pad) {
        int[] argmax = Arena.ints(Shape.size(ys)); // [N, C, Ho, Wo]
        if (x.spikes() != null) {
            byte[] y = Arena.bytes(Shape.size(ys));
            SpikeOps.maxPool(y, argmax, x.spikes().data(), xs[0] * xs[1], xs[2], xs[3], kernel, stride, pad);
            Arena.giveBack(y);
        } else {
            Tensor y = Tensor.empty(ys);
            MaxPool2d.forward(y, argmax, x.value().view(xs), kernel, stride, pad);
            Arena.giveBack(y.data());
        }
        return argmax;
    }

    /** Nearest-neighbour ×2 upsampling; spikes stay spikes. */
    public static Var upsample2x(Var x) {
        if (x.onDevice()) return FunctionalCl.upsample2x(x);
        int[] xs = fold("upsample2x", x.shape());
        int[] ys = Upsample2x.outShape(xs);
        Var out;
        if (x.spikes() != null) {
            byte[] y = Arena.bytes(Shape.size(ys));
            SpikeOps.upsample2x(y, x.spikes().data(), xs[0] * xs[1], xs[2], xs[3]);
            out = Var.result(SpikeTensor.wrapTrusted(y, unfold(x.shape(), ys)), Tape.needsGrad(x));
        } else {
            Tensor y = Tensor.empty(ys);
            Upsample2x.forward(y, x.value().view(xs));
            out = Var.result(y.view(unfold(x.shape(), ys)), Tape.needsGrad(x));
        }
        Tape.record(out, dy -> Upsample2x.backward(x.gradBuffer().view(xs), dy.view(ys)));
        return out;
    }

    /** Channel concatenation {@code [a, b]}, in that order; two spike inputs give spikes. */
    public static Var concatChannels(Var a, Var b) {
        if (a.onDevice()) return FunctionalCl.concatChannels(a, b);
        if (a.shape().length != b.shape().length) {
            throw new IllegalArgumentException("concat: inputs " + Shape.str(a.shape()) + " and " + Shape.str(b.shape())
                    + " have different ranks");
        }
        int[] as = fold("concat", a.shape()), bs = fold("concat", b.shape());
        int[] ys = Concat.outShape(as, bs);
        Var out;
        if (a.spikes() != null && b.spikes() != null) {
            byte[] y = Arena.bytes(Shape.size(ys));
            SpikeOps.concat(
                    y, a.spikes().data(), b.spikes().data(), as[0], Shape.size(as) / as[0], Shape.size(bs) / bs[0]);
            out = Var.result(SpikeTensor.wrapTrusted(y, unfold(a.shape(), ys)), Tape.needsGrad(a, b));
        } else {
            Tensor y = Tensor.empty(ys);
            Concat.forward(y, a.value().view(as), b.value().view(bs));
            out = Var.result(y.view(unfold(a.shape(), ys)), Tape.needsGrad(a, b));
        }
        Tape.record(
                out,
                dy -> Concat.backward(
                        a.requiresGrad() ? a.gradBuffer().view(as) : null,
                        b.requiresGrad() ? b.gradBuffer().view(bs) : null,
                        dy,
                        as,
                        bs));
        return out;
    }

    /**
     * The multi-step PLIF neuron (SPEC section 2) over {@code x [T, ...]} with the layer's scalar
     * {@code w}: returns spikes (bytes). Its backward recomputes the recurrence from {@code x}.
     */
    public static Var plif(Var x, Var w) {
        if (x.onDevice()) return FunctionalCl.plif(x, w);
        int[] xs = x.shape();
        if (xs.length < 2) throw new IllegalArgumentException("plif: input must be [T, ...], got " + Shape.str(xs));
        if (w.value().size() != 1)
            throw new IllegalArgumentException("plif: w must be a scalar, got " + Shape.str(w.shape()));
        int t = xs[0], m = Shape.size(xs) / t;
        float[] xv = x.value().data();
        byte[] s = Arena.bytes(Shape.size(xs));
        float wv = w.value().item();
        Plif.forward(s, xv, t, m, wv);
        Var out = Var.result(SpikeTensor.wrapTrusted(s, xs), Tape.needsGrad(x, w));
        Tape.record(out, dy -> {
            float[] dx = x.requiresGrad()
                    ? x.gradBuffer().data()
                    : Tensor.zerosReused(xs).data();
            double dw = Plif.backward(dx, dy.data(), xv, t, m, wv);
            if (w.requiresGrad()) w.gradBuffer().data()[0] += (float) dw;
        });
        return out;
    }

    /** Mean over the leading time axis: {@code [T, ...]} → {@code [...]}. */
    public static Var meanTime(Var x) {
        if (x.onDevice()) return FunctionalCl.meanTime(x);
        int[] xs = x.shape();
        if (xs.length < 2)
            throw new IllegalArgumentException("mean_time: input must be [T, ...], got " + Shape.str(xs));
        int t = xs[0];
        int[] ys = java.util.Arrays.copyOfRange(xs, 1, xs.length);
        Tensor y = Tensor.empty(ys);
        int m = y.size();
        Elementwise.meanTime(y.data(), x.value().data(), t, m);
        Var out = Var.result(y, Tape.needsGrad(x));
        Tape.record(out, dy -> Elementwise.meanTimeBackward(x.gradBuffer().data(), dy.data(), t, m));
        return out;
    }

    public static Var relu(Var x) {
        if (x.onDevice()) return FunctionalCl.relu(x);
        Tensor y = Tensor.empty(x.shape());
        int n = y.size();
        Elementwise.relu(y.data(), x.value().data(), n);
        Var out = Var.result(y, Tape.needsGrad(x));
        Tape.record(
                out,
                dy -> Elementwise.reluBackward(
                        x.gradBuffer().data(), dy.data(), x.value().data(), n));
        return out;
    }

    public static Var sigmoid(Var x) {
        if (x.onDevice()) return FunctionalCl.sigmoid(x);
        Tensor y = Tensor.empty(x.shape());
        int n = y.size();
        Elementwise.sigmoid(y.data(), x.value().data(), n);
        Var out = Var.result(y, Tape.needsGrad(x));
        Tape.record(out, dy -> Elementwise.sigmoidBackward(x.gradBuffer().data(), dy.data(), y.data(), n));
        return out;
    }

    /** {@code a + b}, same shapes (the residual sum). */
    public static Var add(Var a, Var b) {
        if (a.onDevice()) return FunctionalCl.add(a, b);
        Shape.requireSame("add", "a", a.shape(), "b", b.shape());
        Tensor y = Tensor.empty(a.shape());
        int n = y.size();
        Elementwise.add(y.data(), a.value().data(), b.value().data(), n);
        Var out = Var.result(y, Tape.needsGrad(a, b));
        Tape.record(out, dy -> {
            if (a.requiresGrad()) Elementwise.accumulate(a.gradBuffer().data(), dy.data(), n);
            if (b.requiresGrad()) Elementwise.accumulate(b.gradBuffer().data(), dy.data(), n);
        });
        return out;
    }
}
