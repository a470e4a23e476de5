package scn.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static scn.TestUtil.assertClose;
import static scn.TestUtil.random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import scn.ops.PlifRef;
import scn.tensor.Tensor;

/**
 * The fused multi-step PLIF against the same time loop written with primitive autodiff operators, the
 * Heaviside step differentiated by the ATan surrogate; the surrogate against its formula; edge cases.
 */
class PlifTest {
    @AfterEach
    void clearTape() {
        Tape.clear();
    }

    /** {@code x[t]} of a {@code [T, M]} value, as a differentiable slice. */
    private static Var step(Var x, int t) {
        int m = x.shape()[1];
        Tensor y = Tensor.zeros(m);
        System.arraycopy(x.value().data(), t * m, y.data(), 0, m);
        Var out = Var.result(y, Tape.needsGrad(x));
        Tape.record(out, dy -> {
            float[] dx = x.gradBuffer().data();
            for (int j = 0; j < m; j++) dx[t * m + j] += dy.data()[j];
        });
        return out;
    }

    /** The scalar {@code a} repeated {@code m} times, differentiably. */
    private static Var expand(Var a, int m) {
        Var out = Var.result(Tensor.full(a.value().item(), m), Tape.needsGrad(a));
        Tape.record(out, dy -> a.gradBuffer().data()[0] += (float) scn.ops.ElementwiseRef.sum(dy.data(), dy.size()));
        return out;
    }

    /** Heaviside step {@code u ≥ 0}, with the ATan surrogate as its derivative. */
    private static Var heaviside(Var u) {
        float[] uv = u.value().data();
        Tensor y = Tensor.zeros(uv.length);
        for (int i = 0; i < uv.length; i++) y.data()[i] = uv[i] >= 0 ? 1f : 0f;
        Var out = Var.result(y, Tape.needsGrad(u));
        Tape.record(out, dy -> {
            for (int i = 0; i < uv.length; i++) u.gradBuffer().data()[i] += dy.data()[i] * PlifRef.surrogate(uv[i]);
        });
        return out;
    }

    /** The SPEC loop from primitives; returns the spikes of every step, concatenated time-major. */
    private static Var[] primitiveLoop(Var x, Var w) {
        int t = x.shape()[0], m = x.shape()[1];
        Var decay = expand(Functional.sigmoid(w), m);
        Var v = Var.constant(Tensor.zeros(m));
        Var[] spikes = new Var[t];
        for (int k = 0; k < t; k++) {
            Var h = Functional.add(v, Arithmetic.mul(Arithmetic.sub(step(x, k), v), decay));
            Var s = heaviside(Arithmetic.affine(h, 1f, -PlifRef.THRESHOLD));
            Var keep = Var.constant(Tensor.wrap(reset(s.value().data()), m)); // 1 − s, detached
            v = Arithmetic.mul(h, keep);
            spikes[k] = s;
        }
        return spikes;
    }

    private static float[] reset(float[] s) {
        float[] keep = new float[s.length];
        for (int i = 0; i < s.length; i++) keep[i] = 1f - s[i];
        return keep;
    }

    @ParameterizedTest(name = "w = {0}")
    @CsvSource({"0", "1.3", "-2.2", "6.5", "-7"})
    void fusedMatchesThePrimitiveLoop(float wValue) {
        int t = 5, m = 37;
        Tensor xv = random(11, t, m);
        for (int i = 0; i < xv.size(); i++)
            xv.data()[i] = 2.4f * xv.data()[i] + 0.9f; // many crossings of the threshold
        Tensor upstream = random(12, t, m);

        Var x1 = Var.leaf(xv.copy());
        Parameter w1 = new Parameter("plif.w", Tensor.scalar(wValue));
        Var[] loop = primitiveLoop(x1, w1);
        Var loss1 = null;
        float[] loopSpikes = new float[t * m];
        for (int k = 0; k < t; k++) {
            System.arraycopy(loop[k].value().data(), 0, loopSpikes, k * m, m);
            Var term = Arithmetic.sum(Arithmetic.mul(
                    loop[k],
                    Var.constant(Tensor.wrap(java.util.Arrays.copyOfRange(upstream.data(), k * m, (k + 1) * m), m))));
            loss1 = loss1 == null ? term : Functional.add(loss1, term);
        }
        Tape.backward(loss1);

        Var x2 = Var.leaf(xv.copy());
        Parameter w2 = new Parameter("plif.w", Tensor.scalar(wValue));
        Var fused = Functional.plif(x2, w2);
        Tape.backward(Arithmetic.sum(Arithmetic.mul(fused, Var.constant(upstream))));

        assertArrayEquals(loopSpikes, fused.value().data(), "identical spikes");
        // Same float operations per neuron; only summation orders differ (w's gradient sums T·M terms).
        assertClose("dL/dx", x1.grad().data(), x2.grad().data(), 1e-6, 1e-5);
        assertClose("dL/dw", w1.grad().data(), w2.grad().data(), 1e-5, 1e-4);
    }

    @Test
    void surrogateFollowsItsFormula() {
        assertEquals(1f, PlifRef.surrogate(0f), 0f); // (alpha/2) at u = 0 with alpha = 2
        for (float u : new float[] {-1.5f, -0.3f, 0.01f, 0.25f, 2f}) {
            double z = Math.PI / 2 * 2 * u;
            assertEquals(1.0 / (1 + z * z), PlifRef.surrogate(u), 1e-6, "u = " + u);
        }
    }

    @Test
    void aPotentialExactlyAtThresholdFiresAndResets() {
        // w = 0 → decay 0.5: x0 = 2 gives h0 = 1 exactly → spike, v0 = 0; x1 = 1.9 gives h1 = 0.95 → none.
        Var s = Functional.plif(
                Var.constant(Tensor.wrap(new float[] {2f, 1.9f, 2f}, 3, 1)), Var.constant(Tensor.scalar(0f)));
        assertArrayEquals(new float[] {1f, 0f, 1f}, s.value().data());
        // h2 = 0.95 + (2 − 0.95)·0.5 = 1.475 → spike: the state carried over from step 1.
    }

    @Test
    void decayFarFromZeroBehaves() {
        Tensor x = Tensor.wrap(new float[] {0.9f, 0.9f, 0.9f, 5f}, 4, 1);
        // w = 20: decay ≈ 1, h follows x: 0.9 never fires, 5 fires.
        assertArrayEquals(
                new float[] {0, 0, 0, 1},
                Functional.plif(Var.constant(x), Var.constant(Tensor.scalar(20f)))
                        .value()
                        .data());
        // w = −20: decay ≈ 2e-9, the neuron barely charges and never fires.
        assertArrayEquals(
                new float[] {0, 0, 0, 0},
                Functional.plif(Var.constant(x), Var.constant(Tensor.scalar(-20f)))
                        .value()
                        .data());
    }
}
