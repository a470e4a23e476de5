package scn.check;

import scn.autograd.Var;
import scn.tensor.Shape;
import scn.tensor.SpikeTensor;

/** Small helpers over activations: time folded into the batch, values as floats, copies. */
final class Folded {
    private Folded() {}

    /** {@code [T, B, C, H, W]} → {@code [T*B, C, H, W]}. */
    static int[] shape(int[] s) {
        if (s.length == 4) return s.clone();
        if (s.length != 5) throw new IllegalArgumentException("expected [T, B, C, H, W], got " + Shape.str(s));
        return new int[] {s[0] * s[1], s[2], s[3], s[4]};
    }

    /** The values of {@code v} as floats (spikes widened), a fresh array. */
    static float[] floats(Var v) {
        SpikeTensor s = v.spikes();
        if (s == null) return v.value().data().clone();
        float[] f = new float[s.size()];
        byte[] b = s.data();
        for (int i = 0; i < f.length; i++) f[i] = b[i];
        return f;
    }

    /** {@code pre += residual}, spikes read as 0/1, in the order the fused kernels add. */
    static void addInto(float[] pre, Var residual) {
        SpikeTensor s = residual.spikes();
        if (s != null) {
            byte[] b = s.data();
            for (int i = 0; i < pre.length; i++) pre[i] += b[i];
        } else {
            float[] r = residual.value().data();
            for (int i = 0; i < pre.length; i++) pre[i] += r[i];
        }
    }

    /** A constant copy of {@code v} (spikes stay spikes), safe from the arena and from later writes. */
    static Var snapshot(Var v) {
        if (v == null) return null;
        SpikeTensor s = v.spikes();
        return s != null
                ? Var.constant(SpikeTensor.wrapTrusted(s.data().clone(), s.shape()))
                : Var.constant(v.value().copy());
    }

    /** A fresh leaf holding a copy of {@code v}'s values, collecting its gradient. */
    static Var leaf(Var v) {
        if (v == null) return null;
        SpikeTensor s = v.spikes();
        return s != null
                ? Var.leaf(SpikeTensor.wrapTrusted(s.data().clone(), s.shape()))
                : Var.leaf(v.value().copy());
    }

    /** {@code [2, 0, 13, 5, 7]}: the index of flat element {@code i} of a tensor of {@code shape}. */
    static String index(long i, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = (int) (i % shape[d]);
            i /= shape[d];
        }
        return java.util.Arrays.toString(idx);
    }
}
