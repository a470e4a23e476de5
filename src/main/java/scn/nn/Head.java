package scn.nn;

import java.util.List;
import scn.autograd.Functional;
import scn.autograd.Parameter;
import scn.autograd.Var;
import scn.tensor.Tensor;

/**
 * A CenterNet head: {@code hidden} = ConvBnPlif(3×3, c0 → c0), then {@code out} = 1×1 convolution with
 * bias, computed at every time step and averaged over T (SPEC section 3). Initialisation (ours, as
 * CenterNet): out weights normal(0, 0.001), out bias 0, except the heatmap's −2.19 (prior 0.1).
 */
final class Head {
    static final float HEATMAP_BIAS = -2.19f;

    final String name;
    final ConvBnAct hidden;
    final Parameter outWeight, outBias;

    Head(ParameterStore store, String name, boolean spiking, int c0, int outputs, float bias) {
        this.name = name;
        hidden = ConvBnAct.standard(store, name + ".hidden", spiking, c0, c0, 3, 1, 1, 1, false);
        outWeight = store.parameter(name + ".out.weight", store.normal(0.001, outputs, c0, 1, 1), true);
        outBias = store.parameter(name + ".out.bias", Tensor.full(bias, outputs), true);
    }

    /** {@code [T, B, c0, H, W]} → {@code [B, outputs, H, W]}. */
    Var forward(Var features, boolean training) {
        Var hiddenOut = hidden.forward(features, training);
        return Probe.watching()
                ? Probe.layer(
                        new Layer(
                                name + ".out",
                                List.of("x"),
                                List.of(outWeight, outBias),
                                new Layer.HeadOut(outWeight, outBias),
                                in -> out(in[0])),
                        hiddenOut)
                : out(hiddenOut);
    }

    /** The output convolution at every time step, averaged over T. */
    private Var out(Var hiddenOut) {
        Var perStep = Functional.conv2d(hiddenOut, outWeight, outBias, 1, 0, 1);
        Probe.conv(outWeight, hiddenOut, perStep, 1, 0, 1);
        return Functional.meanTime(perStep);
    }

    long parameterCount() {
        return hidden.parameterCount()
                + outWeight.value().size()
                + outBias.value().size();
    }
}
