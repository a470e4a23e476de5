package scn.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scn.TestUtil.random;
import static scn.TestUtil.randomSpikes;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import scn.backend.SpikePath;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

class AutogradTest {
    @AfterEach
    void clearTape() {
        Tape.clear();
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Parameter w = new Parameter("layer.weight", Tensor.wrap(new float[] {2f, -3f}, 2));
        Var x = Var.constant(Tensor.wrap(new float[] {5f, 7f}, 2));
        Tape.backward(Arithmetic.sum(Arithmetic.mul(w, x)));
        assertArrayEquals(new float[] {5f, 7f}, w.grad().data());
        Tape.backward(Arithmetic.sum(Arithmetic.mul(w, x)));
        assertArrayEquals(new float[] {10f, 14f}, w.grad().data(), "second backward adds, never overwrites");
        w.zeroGrad();
        assertArrayEquals(new float[] {0f, 0f}, w.grad().data());
        assertEquals("layer.weight", w.name());
    }

    @Test
    void aValueUsedTwiceReceivesBothGradients() {
        Var x = Var.leaf(Tensor.wrap(new float[] {3f}, 1));
        Tape.backward(Arithmetic.sum(Arithmetic.mul(x, x))); // d(x²)/dx = 2x
        assertEquals(6f, x.grad().data()[0]);
    }

    @Test
    void inferenceModeRecordsNothing() {
        Var x = Var.leaf(random(1, 2, 3));
        try (var scope = Tape.noGrad()) {
            Var y = Functional.sigmoid(x);
            assertEquals(0, Tape.size());
            assertTrue(!y.requiresGrad());
        }
        Functional.sigmoid(x);
        assertEquals(1, Tape.size(), "recording resumes after the scope");
    }

    @Test
    void backwardEmptiesTheTapeAndReleasesIntermediateGradients() {
        Var x = Var.leaf(random(2, 2, 3));
        Var hidden = Functional.relu(x);
        Var loss = Arithmetic.sum(Functional.sigmoid(hidden));
        assertEquals(3, Tape.size());
        Tape.backward(loss);
        assertEquals(0, Tape.size());
        assertNull(hidden.grad(), "intermediate gradients are dropped once propagated");
        assertNotNull(x.grad(), "leaf gradients stay");
    }

    @Test
    void constantsGetNoGradientAndBranchesNotReachingTheLossAreSkipped() {
        Var c = Var.constant(random(3, 4));
        Var x = Var.leaf(random(4, 4));
        Functional.relu(x); // recorded but unused
        Tape.backward(Arithmetic.sum(Arithmetic.mul(c, x)));
        assertNull(c.grad());
        assertArrayEquals(c.value().data(), x.grad().data());
    }

    @Test
    void spikesFeedAConvolutionAsBytes() {
        Tensor spikes = randomSpikes(5, 0.3, 2, 3, 6, 7);
        Parameter w = new Parameter("conv.weight", random(6, 4, 3, 3, 3));
        // The dense path reads bytes exactly as floats; the event-driven one adds in another order (SpikeConvTest). A
        // float input's 3×3 forward runs the direct kernel (Conv3x3Simd), bytes the column matrix: the sums of the
        // outputs are grouped otherwise, so they agree to rounding; the weight gradients take one path and agree
        // exactly.
        SpikePath.Mode mode = SpikePath.mode();
        SpikePath.force(SpikePath.Mode.DENSE);
        try {
            Var fromBytes = Functional.conv2d(Var.constant(SpikeTensor.fromFloat(spikes)), w, 1, 1, 1);
            Tape.backward(Arithmetic.sum(fromBytes));
            float[] gradFromBytes = w.grad().data().clone();
            w.zeroGrad();
            Var fromFloats = Functional.conv2d(Var.constant(spikes), w, 1, 1, 1);
            Tape.backward(Arithmetic.sum(fromFloats));
            assertArrayEquals(fromFloats.value().data(), fromBytes.value().data(), 1e-5f);
            assertArrayEquals(w.grad().data(), gradFromBytes);
        } finally {
            SpikePath.force(mode);
        }
    }

    @Test
    void backwardNeedsAScalarLoss() {
        Var x = Var.leaf(random(7, 3));
        var e = assertThrows(IllegalArgumentException.class, () -> Tape.backward(Functional.relu(x)));
        assertTrue(e.getMessage().contains("[3]"), e.getMessage());
    }
}
