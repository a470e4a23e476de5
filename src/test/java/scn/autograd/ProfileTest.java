package scn.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scn.TestUtil.random;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import scn.backend.Profile;
import scn.tensor.Tensor;

/**
 * The profile without profiling code in the operators: the kernels' dispatchers time themselves, and the tape charges
 * each operator's backward to the layer the model was in when the operator ran forward. A forward kernel run during
 * the backward (the depthwise layers' recomputed convolution) is a recomputation, not a second forward.
 */
class ProfileTest {
    @AfterEach
    void reset() {
        Profile.enable(false);
        Profile.reset();
        Profile.enterLayer("-");
        Tape.clear();
    }

    @Test
    void backwardsAreChargedToTheirForwardsLayerAndRecomputationsAreNamed() {
        int t = 2, b = 1, c = 4;
        Var x = Var.leaf(random(1, t, b, c, 6, 7));
        Parameter w = new Parameter("layer.conv.weight", random(2, c, c, 3, 3));
        Parameter gamma = new Parameter("layer.bn.weight", Tensor.full(0.8f, c)),
                beta = new Parameter("layer.bn.bias", Tensor.full(0.3f, c));
        Parameter plifW = new Parameter("layer.plif.w", Tensor.scalar(0.4f));
        Profile.reset();
        Profile.enable(true);
        Profile.enterLayer("first");
        Var y = Functional.conv2d(x, w, 1, 1, 1);
        Profile.enterLayer("second");
        Var s = Functional.convBnPlif(
                y,
                w,
                1,
                1,
                1,
                gamma,
                beta,
                Var.constant(Tensor.zeros(c)),
                Var.constant(Tensor.full(1f, c)),
                true,
                0.1f,
                1e-5f,
                null,
                plifW);
        Map<String, Long> forward = Profile.layers();
        Profile.enterLayer("loss");
        Tape.backward(Arithmetic.sum(Arithmetic.mul(s, Var.constant(random(3, t, b, c, 6, 7)))));
        Profile.enable(false);

        Map<String, long[]> kinds = Profile.snapshot();
        assertEquals(2, kinds.get("conv_3x3.forward")[1], "one forward per convolution: " + kinds.keySet());
        assertEquals(1, kinds.get("conv_3x3.recompute")[1], "the fused layer's convolution again, in the backward");
        assertEquals(2, kinds.get("conv_3x3.backward_weight")[1]);
        assertEquals(2, kinds.get("conv_3x3.backward_input")[1]);
        for (String k : new String[] {"batch_norm.statistics", "norm_plif.forward", "norm_plif.backward"})
            assertEquals(1, kinds.get(k)[1], k);
        assertEquals(1, kinds.get("batch_norm.backward")[1]);

        Map<String, Long> layers = Profile.layers();
        assertTrue(layers.get("first") > forward.get("first"), "the first convolution's backward is charged to it");
        assertTrue(layers.get("second") > forward.get("second"), "and the fused layer's to it");
        assertFalse(layers.containsKey("loss"), "nothing is charged to the layer the backward was started from");
    }
}
