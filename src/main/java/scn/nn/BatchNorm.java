package scn.nn;

import scn.autograd.Functional;
import scn.autograd.Parameter;
import scn.autograd.Var;
import scn.tensor.Tensor;

/**
 * A batch-norm layer: {@code weight}, {@code bias} trained; {@code running_mean}, {@code running_var} buffers (SPEC
 * section 3).
 */
public final class BatchNorm {
    public static final float MOMENTUM = 0.1f, EPS = 1e-5f;
    final Parameter weight, bias;
    /** Running statistics: state the forward moves in training mode, never trained; on a device with the model. */
    final Var runningMean, runningVar;

    BatchNorm(ParameterStore store, String name, int channels) {
        weight = store.parameter(name + ".weight", Tensor.full(1f, channels), false);
        bias = store.parameter(name + ".bias", Tensor.zeros(channels), false);
        runningMean = store.buffer(name + ".running_mean", Tensor.zeros(channels));
        runningVar = store.buffer(name + ".running_var", Tensor.full(1f, channels));
    }

    /** {@code plif(bn(x) + residual)}, fused; {@code residual} may be null. */
    Var forwardPlif(Var x, Var residual, Var plifW, boolean training) {
        return Functional.batchNormPlif(
                x, weight, bias, runningMean, runningVar, training, MOMENTUM, EPS, residual, plifW);
    }

    /** {@code plif(bn(conv(x, convWeight)) + residual)}, the convolution run again in the backward instead of kept. */
    Var forwardConvPlif(
            Var x, Var convWeight, int stride, int pad, int groups, Var residual, Var plifW, boolean training) {
        return Functional.convBnPlif(
                x,
                convWeight,
                stride,
                pad,
                groups,
                weight,
                bias,
                runningMean,
                runningVar,
                training,
                MOMENTUM,
                EPS,
                residual,
                plifW);
    }

    Var forward(Var x, boolean training) {
        return Functional.batchNorm2d(x, weight, bias, runningMean, runningVar, training, MOMENTUM, EPS);
    }
}
