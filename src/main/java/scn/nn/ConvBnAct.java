package scn.nn;

import java.util.List;
import scn.autograd.Functional;
import scn.autograd.Parameter;
import scn.autograd.Var;
import scn.tensor.Tensor;

/**
 * {@code ConvBnPlif} of SPEC section 3 — convolution without bias, batch norm, then a PLIF neuron
 * (spiking) or a ReLU (the teacher). Parameter names are given whole, because the layouts differ:
 * {@code stem.conv/bn/plif} versus a block's {@code conv1/bn1/plif1}.
 *
 * <p>A spiking layer built {@code recomputing} keeps no convolution output for the backward pass and
 * runs its convolution again there ({@link Functional#convBnPlif}): chosen where the output is large
 * and the convolution cheap.
 */
public final class ConvBnAct {
    final String name;
    final Parameter weight;
    final BatchNorm bn;
    final Parameter plifW; // null for the teacher
    final int stride, pad, groups;
    final boolean recomputing;

    ConvBnAct(
            ParameterStore store,
            String convName,
            String bnName,
            String plifName,
            boolean spiking,
            int cin,
            int cout,
            int k,
            int stride,
            int pad,
            int groups,
            boolean recomputing) {
        // The prefix of a standard layout (encoder.stem); a block's conv name (encoder.layer1.0.conv1), as its two
        // layers share a prefix.
        this.name = convName.endsWith(".conv") ? convName.substring(0, convName.length() - ".conv".length()) : convName;
        this.weight = store.parameter(convName + ".weight", store.kaimingNormal(cout, cin / groups, k, k), true);
        this.bn = new BatchNorm(store, bnName, cout);
        this.plifW = spiking ? store.parameter(plifName + ".w", Tensor.scalar(0f), false) : null;
        this.stride = stride;
        this.pad = pad;
        this.groups = groups;
        this.recomputing = recomputing;
    }

    /** Convenience for the common {@code prefix.conv / prefix.bn / prefix.plif} layout. */
    static ConvBnAct standard(
            ParameterStore store,
            String prefix,
            boolean spiking,
            int cin,
            int cout,
            int k,
            int stride,
            int pad,
            int groups,
            boolean recomputing) {
        return new ConvBnAct(
                store,
                prefix + ".conv",
                prefix + ".bn",
                prefix + ".plif",
                spiking,
                cin,
                cout,
                k,
                stride,
                pad,
                groups,
                recomputing);
    }

    Var forward(Var x, boolean training) {
        return forward(x, null, training);
    }

    /** {@code act(bn(conv(x)) + residual)}; the spiking path runs batch norm and PLIF fused. */
    Var forward(Var x, Var residual, boolean training) {
        if (!Probe.watching()) return compute(x, residual, training);
        Layer.Neuron parts = new Layer.Neuron(
                weight,
                stride,
                pad,
                groups,
                bn.weight,
                bn.bias,
                bn.runningMean.value(),
                bn.runningVar.value(),
                BatchNorm.MOMENTUM,
                BatchNorm.EPS,
                training,
                plifW);
        List<Parameter> params =
                plifW == null ? List.of(weight, bn.weight, bn.bias) : List.of(weight, bn.weight, bn.bias, plifW);
        return Probe.layer(
                new Layer(name, List.of("x", "residual"), params, parts, in -> compute(in[0], in[1], training)),
                x,
                residual);
    }

    private Var compute(Var x, Var residual, boolean training) {
        if (plifW != null && recomputing) {
            Var out = bn.forwardConvPlif(x, weight, stride, pad, groups, residual, plifW, training);
            Probe.conv(weight, x, out, stride, pad, groups); // the spikes have the convolution's output shape
            return out;
        }
        Var conv = Functional.conv2d(x, weight, stride, pad, groups);
        Probe.conv(weight, x, conv, stride, pad, groups);
        if (plifW != null) return bn.forwardPlif(conv, residual, plifW, training);
        Var y = bn.forward(conv, training);
        return Functional.relu(residual == null ? y : Functional.add(y, residual));
    }

    long parameterCount() {
        return weight.value().size() + 2L * bn.weight.value().size() + (plifW != null ? 1 : 0);
    }
}
