package scn.autograd;

import static scn.backend.DeviceBuffer.Type.FLOAT32;
import static scn.backend.DeviceBuffer.Type.INT32;
import static scn.backend.DeviceBuffer.Type.UINT8;

import scn.backend.opencl.BatchNorm2dCl;
import scn.backend.opencl.BatchNormPlifCl;
import scn.backend.opencl.ChannelBiasCl;
import scn.backend.opencl.ClArena;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.ConcatCl;
import scn.backend.opencl.Conv2dCl;
import scn.backend.opencl.ElementwiseCl;
import scn.backend.opencl.MaxPool2dCl;
import scn.backend.opencl.PlifCl;
import scn.backend.opencl.Upsample2xCl;
import scn.ops.Concat;
import scn.ops.MaxPool2d;
import scn.ops.Upsample2x;
import scn.tensor.ConvGeometry;
import scn.tensor.Shape;

/**
 * The operators of {@link Functional} for values on an OpenCL device: the same forward and the same
 * local backward, with the kernel twins of {@code scn.backend.opencl} in place of {@code scn.ops}.
 * {@link Functional} sends an operator here when its input is on a device; every other input must be on
 * the same device. Results and intermediate gradients come from the device's {@link ClArena} and go back
 * to it as the tape releases them, as the host's do to {@code scn.tensor.Arena}.
 *
 * <p>Where the host saves memory by recomputing (the fused convolution + batch norm + PLIF, the max-pool's
 * winners), the device keeps what it needs instead: its memory is larger and a launch dearer than a
 * host loop. The spikes are the same either way, as the recomputation is bit for bit.
 */
final class FunctionalCl {
    private FunctionalCl() {}

    static Var conv2d(Var x, Var w, Var bias, int stride, int pad, int groups) {
        ClArena arena = arena("conv2d", x, w, bias);
        int[] xs = Functional.fold("conv2d", x.shape());
        ConvGeometry g = ConvGeometry.of(xs, w.shape(), stride, pad, groups);
        int hw = g.hOut() * g.wOut();
        if (bias != null && Shape.size(bias.shape()) != g.cout())
            throw new IllegalArgumentException(
                    "conv2d: bias " + Shape.str(bias.shape()) + " does not match " + g.cout() + " output channels");
        ClBuffer y = arena.take(FLOAT32, Shape.size(g.outShape()));
        Conv2dCl.forward(y, x.buffer(), w.buffer(), g);
        if (bias != null) ChannelBiasCl.forward(y, bias.buffer(), g.n(), g.cout(), hw);
        Var out = Var.result(y, Functional.unfold(x.shape(), g.outShape()), Tape.needsGrad(x, w, bias));
        Tape.recordFreeingOutput(out, unused -> {
            ClBuffer dy = out.deviceGrad();
            if (x.requiresGrad()) Conv2dCl.backwardInput(x.deviceGradBuffer(), dy, w.buffer(), g);
            if (w.requiresGrad()) Conv2dCl.backwardWeight(w.deviceGradBuffer(), dy, x.buffer(), g);
            if (bias != null && bias.requiresGrad())
                ChannelBiasCl.backward(bias.deviceGradBuffer(), dy, g.n(), g.cout(), hw);
        });
        return out;
    }

    static Var batchNorm2d(
            Var x, Var gamma, Var beta, Var runMean, Var runVar, boolean training, float momentum, float eps) {
        ClArena arena = arena("batch_norm2d", x, gamma, beta, runMean, runVar);
        int[] xs = Functional.fold("batch_norm2d", x.shape());
        int n = xs[0], c = xs[1], hw = xs[2] * xs[3];
        boolean grad = Tape.needsGrad(x, gamma, beta);
        ClBuffer y = arena.take(FLOAT32, Shape.size(xs));
        // The statistics the backward normalises with: the batch's (which training forms anyway), or in evaluation
        // the running ones, formed only when a backward will read them (not for a frozen teacher's forward).
        ClBuffer mean = training || grad ? arena.take(FLOAT32, c) : null;
        ClBuffer invStd = training || grad ? arena.take(FLOAT32, c) : null;
        if (training) {
            BatchNorm2dCl.forwardTrain(
                    y,
                    x.buffer(),
                    gamma.buffer(),
                    beta.buffer(),
                    runMean.buffer(),
                    runVar.buffer(),
                    mean,
                    invStd,
                    n,
                    c,
                    hw,
                    momentum,
                    eps);
        } else {
            BatchNorm2dCl.forwardEval(
                    y, x.buffer(), gamma.buffer(), beta.buffer(), runMean.buffer(), runVar.buffer(), n, c, hw, eps);
            if (grad) { // the running statistics as a mean and 1/√(var + ε)
                ElementwiseCl.affine(mean, runMean.buffer(), 1f, 0f, c);
                ElementwiseCl.affine(invStd, runVar.buffer(), 1f, eps, c);
                ElementwiseCl.pow(invStd, invStd, -0.5f, c);
            }
        }
        Var out = Var.result(y, x.shape(), grad);
        if (!grad) {
            if (mean != null) {
                arena.giveBack(mean);
                arena.giveBack(invStd);
            }
            return out;
        }
        Tape.recordFreeingOutput(out, unused -> {
            BatchNorm2dCl.backward(
                    x.requiresGrad() ? x.deviceGradBuffer() : null,
                    gamma.requiresGrad() ? gamma.deviceGradBuffer() : null,
                    beta.requiresGrad() ? beta.deviceGradBuffer() : null,
                    out.deviceGrad(),
                    x.buffer(),
                    gamma.buffer(),
                    mean,
                    invStd,
                    n,
                    c,
                    hw,
                    training);
            arena.giveBack(mean);
            arena.giveBack(invStd);
        });
        return out;
    }

    /** {@code plif(bn(x) + residual)}: the statistics are kept for the backward, which forms the neuron input again. */
    static Var batchNormPlif(
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
        ClArena arena = arena("batch_norm_plif", x, gamma, beta, runMean, runVar, residual, w);
        int[] xs = Functional.fold("batch_norm2d", x.shape());
        if (residual != null) Shape.requireSame("batch_norm_plif", "residual", residual.shape(), "input", x.shape());
        int t = x.shape()[0], n = xs[0], c = xs[1], hw = xs[2] * xs[3], total = Shape.size(xs);
        boolean grad = Tape.needsGrad(x, gamma, beta, residual, w);
        if (grad && !training)
            throw new UnsupportedOperationException(
                    "batch_norm_plif: on a device the backward needs a training-mode forward (batch statistics)");
        ClBuffer s = arena.take(UINT8, total), pre = arena.take(FLOAT32, total);
        // the batch statistics, kept for the backward; evaluation normalises with the running ones inline
        ClBuffer mean = training ? arena.take(FLOAT32, c) : null, invStd = training ? arena.take(FLOAT32, c) : null;
        ClBuffer res = residual == null ? null : residual.buffer();
        BatchNormPlifCl.forward(
                s,
                pre,
                x.buffer(),
                gamma.buffer(),
                beta.buffer(),
                runMean.buffer(),
                runVar.buffer(),
                mean,
                invStd,
                res,
                w.buffer(),
                t,
                n / t,
                c,
                hw,
                training,
                momentum,
                eps);
        arena.giveBack(pre);
        Var out = Var.result(s, x.shape(), grad);
        if (!grad) {
            if (training) {
                arena.giveBack(mean);
                arena.giveBack(invStd);
            }
            return out;
        }
        Tape.recordFreeingOutput(out, unused -> {
            ClBuffer again = arena.take(FLOAT32, total), dPre = arena.take(FLOAT32, total);
            BatchNormPlifCl.backward(
                    x.requiresGrad() ? x.deviceGradBuffer() : arena.zeros(FLOAT32, total),
                    gamma.requiresGrad() ? gamma.deviceGradBuffer() : null,
                    beta.requiresGrad() ? beta.deviceGradBuffer() : null,
                    residual != null && residual.requiresGrad() ? residual.deviceGradBuffer() : null,
                    w.requiresGrad() ? w.deviceGradBuffer() : arena.zeros(FLOAT32, 1),
                    again,
                    dPre,
                    out.deviceGrad(),
                    x.buffer(),
                    gamma.buffer(),
                    beta.buffer(),
                    mean,
                    invStd,
                    res,
                    w.buffer(),
                    t,
                    n / t,
                    c,
                    hw);
            for (ClBuffer b : new ClBuffer[] {again, dPre, mean, invStd}) arena.giveBack(b);
        });
        return out;
    }

    /** Max-pool; the winners' positions are kept for the backward. */
    static Var maxPool2d(Var x, int kernel, int stride, int pad) {
        ClArena arena = arena("max_pool2d", x);
        int[] xs = Functional.fold("max_pool2d", x.shape());
        int[] ys = MaxPool2d.outShape(xs, kernel, stride, pad);
        int planes = xs[0] * xs[1];
        ClBuffer y = arena.take(x.buffer().type(), Shape.size(ys)), argmax = arena.take(INT32, Shape.size(ys));
        MaxPool2dCl.forward(y, argmax, x.buffer(), planes, xs[2], xs[3], kernel, stride, pad);
        Var out = Var.result(y, Functional.unfold(x.shape(), ys), Tape.needsGrad(x));
        if (!out.requiresGrad()) {
            arena.giveBack(argmax);
            return out;
        }
        Tape.recordFreeingOutput(out, unused -> {
            MaxPool2dCl.backward(
                    x.deviceGradBuffer(), out.deviceGrad(), argmax, planes, xs[2], xs[3], kernel, stride, pad);
            arena.giveBack(argmax);
        });
        return out;
    }

    static Var upsample2x(Var x) {
        ClArena arena = arena("upsample2x", x);
        int[] xs = Functional.fold("upsample2x", x.shape());
        int[] ys = Upsample2x.outShape(xs);
        int planes = xs[0] * xs[1];
        ClBuffer y = arena.take(x.buffer().type(), Shape.size(ys));
        Upsample2xCl.forward(y, x.buffer(), planes, xs[2], xs[3]);
        Var out = Var.result(y, Functional.unfold(x.shape(), ys), Tape.needsGrad(x));
        Tape.recordFreeingOutput(
                out, unused -> Upsample2xCl.backward(x.deviceGradBuffer(), out.deviceGrad(), planes, xs[2], xs[3]));
        return out;
    }

    /** Channel concatenation; both inputs spikes, or both float. */
    static Var concatChannels(Var a, Var b) {
        ClArena arena = arena("concat", a, b);
        if (a.buffer().type() != b.buffer().type())
            throw new IllegalArgumentException(
                    "concat: on a device both inputs must be spikes or both float, got " + a + " and " + b);
        int[] as = Functional.fold("concat", a.shape()), bs = Functional.fold("concat", b.shape());
        int[] ys = Concat.outShape(as, bs);
        int n = as[0], sa = Shape.size(as) / n, sb = Shape.size(bs) / n;
        ClBuffer y = arena.take(a.buffer().type(), Shape.size(ys));
        ConcatCl.forward(y, a.buffer(), b.buffer(), n, sa, sb);
        Var out = Var.result(y, Functional.unfold(a.shape(), ys), Tape.needsGrad(a, b));
        Tape.recordFreeingOutput(
                out,
                unused -> ConcatCl.backward(
                        a.requiresGrad() ? a.deviceGradBuffer() : null,
                        b.requiresGrad() ? b.deviceGradBuffer() : null,
                        out.deviceGrad(),
                        n,
                        sa,
                        sb));
        return out;
    }

    static Var plif(Var x, Var w) {
        ClArena arena = arena("plif", x, w);
        int[] xs = x.shape();
        int t = xs[0], m = Shape.size(xs) / t;
        ClBuffer s = arena.take(UINT8, Shape.size(xs));
        PlifCl.forward(s, x.buffer(), t, m, w.buffer());
        Var out = Var.result(s, xs, Tape.needsGrad(x, w));
        Tape.recordFreeingOutput(
                out,
                unused -> PlifCl.backward(
                        x.requiresGrad() ? x.deviceGradBuffer() : arena.zeros(FLOAT32, (long) t * m),
                        w.requiresGrad() ? w.deviceGradBuffer() : arena.zeros(FLOAT32, 1),
                        out.deviceGrad(),
                        x.buffer(),
                        t,
                        m,
                        w.buffer()));
        return out;
    }

    static Var meanTime(Var x) {
        ClArena arena = arena("mean_time", x);
        requireFloat("mean_time", x);
        int[] xs = x.shape();
        int t = xs[0], m = Shape.size(xs) / t;
        ClBuffer y = arena.take(FLOAT32, m);
        ElementwiseCl.meanTime(y, x.buffer(), t, m);
        Var out = Var.result(y, java.util.Arrays.copyOfRange(xs, 1, xs.length), Tape.needsGrad(x));
        Tape.recordFreeingOutput(
                out, unused -> ElementwiseCl.meanTimeBackward(x.deviceGradBuffer(), out.deviceGrad(), t, m));
        return out;
    }

    static Var relu(Var x) {
        ClArena arena = arena("relu", x);
        requireFloat("relu", x);
        int n = Shape.size(x.shape());
        ClBuffer y = arena.take(FLOAT32, n);
        ElementwiseCl.relu(y, x.buffer(), n);
        Var out = Var.result(y, x.shape(), Tape.needsGrad(x));
        Tape.recordFreeingOutput(
                out, unused -> ElementwiseCl.reluBackward(x.deviceGradBuffer(), out.deviceGrad(), x.buffer(), n));
        return out;
    }

    static Var sigmoid(Var x) {
        ClArena arena = arena("sigmoid", x);
        requireFloat("sigmoid", x);
        int n = Shape.size(x.shape());
        ClBuffer y = arena.take(FLOAT32, n);
        ElementwiseCl.sigmoid(y, x.buffer(), n);
        Var out = Var.result(y, x.shape(), Tape.needsGrad(x));
        Tape.record(out, unused -> ElementwiseCl.sigmoidBackward(x.deviceGradBuffer(), out.deviceGrad(), y, n));
        return out;
    }

    static Var add(Var a, Var b) {
        ClArena arena = arena("add", a, b);
        requireFloat("add", a);
        requireFloat("add", b);
        int n = Shape.size(a.shape());
        ClBuffer y = arena.take(FLOAT32, n);
        ElementwiseCl.add(y, a.buffer(), b.buffer(), n);
        Var out = Var.result(y, a.shape(), Tape.needsGrad(a, b));
        Tape.recordFreeingOutput(out, unused -> {
            if (a.requiresGrad()) ElementwiseCl.accumulate(a.deviceGradBuffer(), out.deviceGrad(), n);
            if (b.requiresGrad()) ElementwiseCl.accumulate(b.deviceGradBuffer(), out.deviceGrad(), n);
        });
        return out;
    }

    /**
     * The arena of the device {@code vars} live on (nulls skipped): all must live on the same one, or the
     * operator is refused naming the one that does not.
     */
    private static ClArena arena(String op, Var... vars) {
        ClBuffer first = vars[0].buffer();
        for (Var v : vars) {
            if (v == null) continue;
            if (!v.onDevice())
                throw new IllegalArgumentException(op + ": " + v + " is on the host while " + vars[0]
                        + " is on a device; place the model where its input is");
            if (v.buffer().device() != first.device())
                throw new IllegalArgumentException(op + ": " + v + " and " + vars[0] + " are on different devices");
        }
        return first.device().arena();
    }

    private static void requireFloat(String op, Var x) {
        if (x.buffer().type() != FLOAT32)
            throw new IllegalArgumentException(op + ": needs float input on a device, got " + x);
    }
}
