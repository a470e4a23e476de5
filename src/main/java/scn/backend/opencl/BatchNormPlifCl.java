package scn.backend.opencl;

import scn.backend.DeviceBuffer.Type;

/**
 * Batch norm, an optional residual and the PLIF neuron, {@code s = plif(bn(x) + residual)}: the tail of
 * a ConvBnPlif on the device, twin of {@link scn.autograd.Functional#batchNormPlif}, composed of the
 * batch-norm, elementwise and PLIF kernels. Like the reference it keeps nothing but the statistics
 * between forward and backward: the backward recomputes the neuron's input with the same kernel and
 * the same inputs, so it is bit for bit the one the forward fired on.
 *
 * <p>{@code x [T·B, C, HW]} float; {@code s [T, B·C·HW]} uint8 spikes; {@code residual} null, float or
 * uint8 spikes of the shape of {@code x}; {@code w} and {@code dw} one-element buffers; per-channel
 * buffers {@code [C]}. {@code pre} and {@code dPre} are workspaces of the shape of {@code x} whose
 * contents do not outlive a call.
 */
public final class BatchNormPlifCl {
    private BatchNormPlifCl() {}

    /**
     * Writes the spikes {@code s}. Training mode normalises with batch statistics, saving them in
     * {@code mean} and {@code invStd} and updating {@code runMean}, {@code runVar}; evaluation mode uses
     * the running statistics ({@code mean} and {@code invStd} unused, may be null).
     */
    public static void forward(
            ClBuffer s,
            ClBuffer pre,
            ClBuffer x,
            ClBuffer gamma,
            ClBuffer beta,
            ClBuffer runMean,
            ClBuffer runVar,
            ClBuffer mean,
            ClBuffer invStd,
            ClBuffer residual,
            ClBuffer w,
            int t,
            int batch,
            int c,
            int hw,
            boolean training,
            float momentum,
            float eps) {
        int n = t * batch, m = batch * c * hw;
        if (training)
            BatchNorm2dCl.forwardTrain(pre, x, gamma, beta, runMean, runVar, mean, invStd, n, c, hw, momentum, eps);
        else BatchNorm2dCl.forwardEval(pre, x, gamma, beta, runMean, runVar, n, c, hw, eps);
        addResidual(pre, residual, t * m);
        PlifCl.forward(s, pre, t, m, w);
    }

    /**
     * Backward of a training-mode forward from the spike gradients {@code gs}: {@code dx += …},
     * {@code dGamma += …}, {@code dBeta += …}, {@code dw[0] += …}, and {@code dResidual += ∂L/∂residual}
     * where given (null when the residual needs no gradient).
     */
    public static void backward(
            ClBuffer dx,
            ClBuffer dGamma,
            ClBuffer dBeta,
            ClBuffer dResidual,
            ClBuffer dw,
            ClBuffer pre,
            ClBuffer dPre,
            ClBuffer gs,
            ClBuffer x,
            ClBuffer gamma,
            ClBuffer beta,
            ClBuffer mean,
            ClBuffer invStd,
            ClBuffer residual,
            ClBuffer w,
            int t,
            int batch,
            int c,
            int hw) {
        int n = t * batch, m = batch * c * hw, total = t * m;
        String op = "batch_norm_plif backward";
        for (ClBuffer b : new ClBuffer[] {pre, dPre, gs, x}) b.require(op, "activation", Type.FLOAT32, total);
        for (ClBuffer b : new ClBuffer[] {gamma, beta, mean, invStd}) b.require(op, "channel vector", Type.FLOAT32, c);
        ClDevice dev = x.device();
        dev.kernel("batchnorm2d", "batchnorm2d_apply", "")
                .launch1d(total, pre, x, gamma, beta, mean, invStd, c, hw, total);
        addResidual(pre, residual, total);
        dev.zero(dPre);
        PlifCl.backward(dPre, dw, gs, pre, t, m, w);
        if (dResidual != null) ElementwiseCl.accumulate(dResidual, dPre, total);
        BatchNorm2dCl.backward(dx, dGamma, dBeta, dPre, x, gamma, mean, invStd, n, c, hw, true);
    }

    private static void addResidual(ClBuffer pre, ClBuffer residual, int total) {
        if (residual == null) return;
        if (residual.type() == Type.UINT8) ElementwiseCl.addSpikes(pre, pre, residual, total);
        else ElementwiseCl.add(pre, pre, residual, total);
    }
}
