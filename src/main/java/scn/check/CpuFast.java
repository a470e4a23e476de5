package scn.check;

import scn.autograd.Tape;
import scn.autograd.Var;
import scn.backend.Kernels;
import scn.backend.Parallel;
import scn.backend.Simd;
import scn.backend.SpikePath;
import scn.nn.Layer;
import scn.ops.BatchNorm2d;
import scn.ops.Conv2d;
import scn.tensor.ConvGeometry;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * The fast CPU path as the network runs it (SIMD, threads, and on spikes the dense or event-driven
 * convolution that {@link SpikePath} picks): the candidate of {@code check-paths --device cpu}.
 */
public final class CpuFast implements Candidate {
    @Override
    public String describe() {
        return "cpu fast path (" + Parallel.threads() + " threads, SIMD " + Simd.describe() + ", spikes "
                + SpikePath.mode().name().toLowerCase() + ")";
    }

    @Override
    public Var run(Layer layer, Var... inputs) {
        Kernels.forceReference(false);
        return layer.run(inputs);
    }

    /** The fast kernels one after the other: the convolution, the statistics, the normalisation, the residual sum. */
    @Override
    public NeuronInput neuronInput(Layer layer, Var x, Var residual) {
        Kernels.forceReference(false);
        Layer.Neuron n = layer.neuron();
        try (var scope = Tape.noGrad()) {
            int[] xs = Folded.shape(x.shape());
            ConvGeometry g = ConvGeometry.of(xs, n.weight().shape(), n.stride(), n.pad(), n.groups());
            Tensor conv = Tensor.zeros(g.outShape()); // [T*B, C, H, W]
            SpikeTensor spikes = x.spikes();
            // The weight's layer name makes the spike path choose as it does inside the network.
            Conv2d.forward(
                    conv,
                    spikes == null ? x.value().data() : null,
                    spikes == null ? null : spikes.data(),
                    n.weight().value(),
                    g,
                    n.weight().layerName());
            int c = g.cout();
            float[] mean = new float[c], invStd = new float[c];
            if (n.training()) {
                BatchNorm2d.statistics(
                        conv, n.runningMean().copy(), n.runningVar().copy(), mean, invStd, n.momentum(), n.eps());
            } else {
                float[][] stats = BatchNorm2d.runningMeanInvStd(n.runningMean(), n.runningVar(), n.eps());
                mean = stats[0];
                invStd = stats[1];
            }
            Tensor pre = Tensor.zeros(g.outShape());
            BatchNorm2d.normalize(pre, conv, n.gamma().value(), n.beta().value(), mean, invStd);
            if (residual != null) Folded.addInto(pre.data(), residual);
            return new NeuronInput(pre.data(), mean, invStd);
        }
    }

    @Override
    public boolean composesExactly() {
        return true;
    }
}
