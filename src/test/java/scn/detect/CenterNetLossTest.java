package scn.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static scn.TestUtil.assertClose;
import static scn.TestUtil.random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import scn.autograd.Arithmetic;
import scn.autograd.Functional;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.tensor.Tensor;

/** The fused CenterNet loss against hand-computed values and against the same loss built from autodiff primitives. */
class CenterNetLossTest {
    @AfterEach
    void clearTape() {
        Tape.clear();
    }

    @Test
    void handComputedFocalAndL1() {
        // One sample, 2 classes on a 1×2 grid; one object at cell 1 of class 0 with offset (0.25, 0.5) and size (3, 2).
        Tensor heat = Tensor.wrap(new float[] {0.5f, 1f, 0f, 0f}, 1, 2, 1, 2);
        CenterNetTargets.Batch t = new CenterNetTargets.Batch(
                heat,
                new int[] {1},
                new int[] {0},
                Tensor.wrap(new float[] {0.25f, 0.5f}, 1, 1, 2),
                Tensor.wrap(new float[] {3f, 2f}, 1, 1, 2),
                Tensor.wrap(new float[] {1f}, 1, 1),
                new int[] {1});
        // Logits 0 → p = 0.5 everywhere.
        Var z = Var.leaf(Tensor.zeros(1, 2, 1, 2));
        Var off = Var.leaf(Tensor.wrap(new float[] {9f, 0f, 9f, 1f}, 1, 2, 1, 2)); // read at cell 1: (0, 1)
        Var size = Var.leaf(Tensor.wrap(new float[] {0f, 4f, 0f, 2f}, 1, 2, 1, 2)); // read at cell 1: (4, 2)
        CenterNetLoss.Terms terms = CenterNetLoss.compute(z, off, size, t);
        double l = Math.log(0.5);
        // positive: log(.5)·.5²; negatives: y = .5 → log(.5)·.5²·.5⁴, and two y = 0 → log(.5)·.5² each; N_pos = 1.
        double focal = -(l * 0.25 + l * 0.25 * 0.0625 + 2 * l * 0.25);
        assertEquals(focal, terms.heatmap(), 1e-6);
        double denom = 2 + 1e-4;
        assertEquals((0.25 + 0.5) / denom, terms.offset(), 1e-6); // |0 − .25| + |1 − .5|
        assertEquals((1 + 0) / denom, terms.size(), 1e-6); // |4 − 3| + |2 − 2|
        assertEquals(focal + (0.75 + 0.1) / denom, terms.total().value().item(), 1e-6);
        Tape.backward(terms.total());
        // d/dz of the positive term: −[(1−p)²/p − 2 log(p)(1−p)]·p(1−p) at p = .5.
        assertEquals(-(0.5 - 2 * l * 0.5) * 0.25, z.grad().get(0, 0, 0, 1), 1e-6);
        assertEquals(-1 / denom, off.grad().get(0, 0, 0, 1), 1e-6); // pred 0 < target .25
        assertEquals(0f, off.grad().get(0, 0, 0, 0)); // not a centre
        assertEquals(0.1 / denom, size.grad().get(0, 0, 0, 1), 1e-6);
        assertEquals(0f, size.grad().get(0, 1, 0, 1)); // |d| = 0 → sign 0
    }

    @Test
    void fusedLossMatchesTheSameLossFromPrimitives() {
        CenterNetTargets.Geometry g = new CenterNetTargets.Geometry(2, 12, 14, 4, 100);
        Tensor boxes = Tensor.wrap(
                new float[] {
                    4, 6, 18, 10, 0, 30, 20, 9, 22, 1, -1, -1, -1, -1, -1, // sample 0: two objects, one padding row
                    10, 8, 30, 24, 1, 0, 0, 0, 0, -1, 0, 0, 0, 0, -1, // sample 1: one object
                },
                2,
                3,
                5);
        CenterNetTargets.Batch t = CenterNetTargets.forBatch(g, boxes);
        Tensor z0 = random(1, 2, 2, 12, 14), off0 = random(2, 2, 2, 12, 14), size0 = random(3, 2, 2, 12, 14);
        for (int i = 0; i < z0.size(); i++) z0.data()[i] *= 4;

        Var z = Var.leaf(z0.copy()), off = Var.leaf(off0.copy()), size = Var.leaf(size0.copy());
        CenterNetLoss.Terms fused = CenterNetLoss.compute(z, off, size, t);
        Tape.backward(fused.total());

        Var z2 = Var.leaf(z0.copy()), off2 = Var.leaf(off0.copy()), size2 = Var.leaf(size0.copy());
        Var total = primitiveLoss(z2, off2, size2, t, 12 * 14);
        Tape.backward(total);

        assertEquals(
                total.value().item(),
                fused.total().value().item(),
                1e-4 * Math.abs(total.value().item()));
        assertClose("d/d heatmap logits", z2.grad().data(), z.grad().data(), 1e-6, 1e-4);
        assertClose("d/d offset", off2.grad().data(), off.grad().data(), 1e-7, 1e-5);
        assertClose("d/d size", size2.grad().data(), size.grad().data(), 1e-7, 1e-5);
    }

    /** SPEC section 5 written with sigmoid, clamp, log, pow, mul, abs and sum on dense masks. */
    private static Var primitiveLoss(Var z, Var off, Var size, CenterNetTargets.Batch t, int plane) {
        float[] y = t.heatmap().data();
        Tensor posMask = Tensor.zeros(t.heatmap().shape()),
                negWeight = Tensor.zeros(t.heatmap().shape());
        int positives = 0;
        for (int i = 0; i < y.length; i++) {
            if (y[i] == 1f) {
                posMask.data()[i] = 1f;
                positives++;
            } else {
                negWeight.data()[i] = (float) Math.pow(1 - y[i], 4);
            }
        }
        Var p = Arithmetic.clamp(Functional.sigmoid(z), CenterNetLoss.P_MIN, CenterNetLoss.P_MAX);
        Var oneMinusP = Arithmetic.affine(p, -1f, 1f);
        Var pos =
                Arithmetic.mul(Arithmetic.mul(Arithmetic.log(p), Arithmetic.pow(oneMinusP, 2f)), Var.constant(posMask));
        Var neg = Arithmetic.mul(
                Arithmetic.mul(Arithmetic.log(oneMinusP), Arithmetic.pow(p, 2f)), Var.constant(negWeight));
        Var focal = Arithmetic.scale(
                Functional.add(Arithmetic.sum(pos), Arithmetic.sum(neg)), -1f / Math.max(1, positives));
        Var offL1 = centreL1(off, t.offsets(), t, plane);
        Var sizeL1 = centreL1(size, t.sizes(), t, plane);
        return Functional.add(Functional.add(focal, offL1), Arithmetic.scale(sizeL1, 0.1f));
    }

    private static Var centreL1(Var pred, Tensor target, CenterNetTargets.Batch t, int plane) {
        int batch = t.counts().length, k = t.indices().length / batch;
        Tensor mask = Tensor.zeros(pred.shape()), dense = Tensor.zeros(pred.shape());
        for (int b = 0; b < batch; b++) {
            for (int o = 0; o < k; o++) {
                if (t.mask().data()[b * k + o] == 0f) continue;
                for (int ch = 0; ch < 2; ch++) {
                    int at = (b * 2 + ch) * plane + t.indices()[b * k + o];
                    mask.data()[at] = 1f;
                    dense.data()[at] = target.data()[(b * k + o) * 2 + ch];
                }
            }
        }
        Var diff = Arithmetic.abs(Arithmetic.sub(Arithmetic.mul(pred, Var.constant(mask)), Var.constant(dense)));
        return Arithmetic.scale(Arithmetic.sum(diff), (float) (1 / (2.0 * t.totalObjects() + 1e-4)));
    }
}
