package scn.autograd;

import scn.ops.ElementwiseRef;
import scn.tensor.Shape;
import scn.tensor.Tensor;

/**
 * The differentiable elementwise maths and reductions the losses are written in (log, clamp, pow, abs,
 * sum, mean, products). They run on loss-sized tensors, so they call the reference kernels directly.
 */
public final class Arithmetic {
    private Arithmetic() {}

    public static Var sub(Var a, Var b) {
        Shape.requireSame("sub", "a", a.shape(), "b", b.shape());
        Tensor y = Tensor.empty(a.shape());
        ElementwiseRef.sub(y.data(), a.value().data(), b.value().data(), y.size());
        Var out = Var.result(y, Tape.needsGrad(a, b));
        Tape.record(out, dy -> {
            if (a.requiresGrad()) ElementwiseRef.accumulate(a.gradBuffer().data(), dy.data(), y.size());
            if (b.requiresGrad()) ElementwiseRef.scaleBackward(b.gradBuffer().data(), dy.data(), -1f, y.size());
        });
        return out;
    }

    public static Var mul(Var a, Var b) {
        Shape.requireSame("mul", "a", a.shape(), "b", b.shape());
        Tensor y = Tensor.empty(a.shape());
        ElementwiseRef.mul(y.data(), a.value().data(), b.value().data(), y.size());
        Var out = Var.result(y, Tape.needsGrad(a, b));
        Tape.record(out, dy -> {
            if (a.requiresGrad())
                ElementwiseRef.mulBackward(
                        a.gradBuffer().data(), dy.data(), b.value().data(), y.size());
            if (b.requiresGrad())
                ElementwiseRef.mulBackward(
                        b.gradBuffer().data(), dy.data(), a.value().data(), y.size());
        });
        return out;
    }

    /** {@code scale·x + shift} with constants. */
    public static Var affine(Var x, float scale, float shift) {
        Tensor y = Tensor.empty(x.shape());
        ElementwiseRef.affine(y.data(), x.value().data(), scale, shift, y.size());
        Var out = Var.result(y, Tape.needsGrad(x));
        Tape.record(out, dy -> ElementwiseRef.scaleBackward(x.gradBuffer().data(), dy.data(), scale, dy.size()));
        return out;
    }

    public static Var scale(Var x, float scale) {
        return affine(x, scale, 0f);
    }

    public static Var log(Var x) {
        Tensor y = Tensor.empty(x.shape());
        ElementwiseRef.log(y.data(), x.value().data(), y.size());
        Var out = Var.result(y, Tape.needsGrad(x));
        Tape.record(
                out,
                dy -> ElementwiseRef.logBackward(
                        x.gradBuffer().data(), dy.data(), x.value().data(), dy.size()));
        return out;
    }

    public static Var clamp(Var x, float lo, float hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("clamp: lower bound " + lo + " above upper bound " + hi);
        Tensor y = Tensor.empty(x.shape());
        ElementwiseRef.clamp(y.data(), x.value().data(), lo, hi, y.size());
        Var out = Var.result(y, Tape.needsGrad(x));
        Tape.record(
                out,
                dy -> ElementwiseRef.clampBackward(
                        x.gradBuffer().data(), dy.data(), x.value().data(), lo, hi, dy.size()));
        return out;
    }

    public static Var pow(Var x, float p) {
        Tensor y = Tensor.empty(x.shape());
        ElementwiseRef.pow(y.data(), x.value().data(), p, y.size());
        Var out = Var.result(y, Tape.needsGrad(x));
        Tape.record(
                out,
                dy -> ElementwiseRef.powBackward(
                        x.gradBuffer().data(), dy.data(), x.value().data(), p, dy.size()));
        return out;
    }

    public static Var abs(Var x) {
        Tensor y = Tensor.empty(x.shape());
        ElementwiseRef.abs(y.data(), x.value().data(), y.size());
        Var out = Var.result(y, Tape.needsGrad(x));
        Tape.record(
                out,
                dy -> ElementwiseRef.absBackward(
                        x.gradBuffer().data(), dy.data(), x.value().data(), dy.size()));
        return out;
    }

    /** The sum of all elements, as a scalar. */
    public static Var sum(Var x) {
        int n = x.value().size();
        Var out = Var.result(Tensor.scalar((float) ElementwiseRef.sum(x.value().data(), n)), Tape.needsGrad(x));
        Tape.record(out, dy -> ElementwiseRef.broadcastAdd(x.gradBuffer().data(), dy.item(), n));
        return out;
    }

    /** The mean of all elements, as a scalar. */
    public static Var mean(Var x) {
        int n = x.value().size();
        if (n == 0) throw new IllegalArgumentException("mean: empty tensor " + Shape.str(x.shape()));
        Var out = Var.result(Tensor.scalar((float) (ElementwiseRef.sum(x.value().data(), n) / n)), Tape.needsGrad(x));
        Tape.record(out, dy -> ElementwiseRef.broadcastAdd(x.gradBuffer().data(), dy.item() / n, n));
        return out;
    }
}
