package scn.nn.device;

import java.util.ArrayList;
import java.util.List;
import scn.backend.DeviceBuffer.Type;
import scn.backend.opencl.BatchNormPlifCl;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.ClDevice;
import scn.backend.opencl.ClSlab;
import scn.backend.opencl.Conv2dCl;
import scn.nn.BatchNorm;
import scn.tensor.ConvGeometry;

/**
 * One ConvBnPlif on the device (SPEC 3: conv without bias → batch norm → (+ residual) → PLIF), the
 * counterpart of {@code scn.nn.ConvBnAct} on the spiking path: its parameters are views of the
 * {@link DeviceParameters} slabs, its activations are allocated once per batch size. Between forward
 * and backward it keeps what the CPU layer keeps: the convolution output, the batch statistics and the
 * byte spikes; the neuron's input is recomputed in the backward ({@link BatchNormPlifCl}).
 */
final class ConvBnPlifLayer implements AutoCloseable {
    private final ClBuffer weight, dWeight, gamma, dGamma, beta, dBeta, runMean, runVar, plifW, dPlifW;
    final int cin, cout, k, stride, pad, groups;
    final int h, w, hOut, wOut; // input and output size of one image (fixed by the network input)
    private final List<ClBuffer> owned = new ArrayList<>();

    private int t, batch;
    private ConvGeometry g;
    private ClBuffer conv; // [T*B, Cout, Ho, Wo] convolution output, the batch norm's input
    private ClBuffer mean, invStd; // [Cout] batch statistics of the last training forward
    ClBuffer spikes; // [T, B, Cout, Ho, Wo] uint8
    ClBuffer gSpikes; // [T, B, Cout, Ho, Wo] ∂L/∂spikes, accumulated by the consumers
    private ClBuffer pre, dPre, dConv; // [T*B, Cout, Ho, Wo] views of the shared workspace

    /**
     * Parameters by their canonical names, e.g. {@code encoder.layer1.0.conv1}, {@code .bn1}, {@code .plif1};
     * input images of {@code h × w}.
     */
    ConvBnPlifLayer(
            DeviceParameters p,
            String convName,
            String bnName,
            String plifName,
            int cin,
            int cout,
            int k,
            int stride,
            int pad,
            int groups,
            int h,
            int w) {
        weight = p.value(convName + ".weight");
        dWeight = p.grad(convName + ".weight");
        gamma = p.value(bnName + ".weight");
        dGamma = p.grad(bnName + ".weight");
        beta = p.value(bnName + ".bias");
        dBeta = p.grad(bnName + ".bias");
        runMean = p.buffer(bnName + ".running_mean");
        runVar = p.buffer(bnName + ".running_var");
        plifW = p.value(plifName + ".w");
        dPlifW = p.grad(plifName + ".w");
        this.cin = cin;
        this.cout = cout;
        this.k = k;
        this.stride = stride;
        this.pad = pad;
        this.groups = groups;
        this.h = h;
        this.w = w;
        ConvGeometry one = new ConvGeometry(1, cin, h, w, cout, k, k, stride, pad, groups);
        hOut = one.hOut();
        wOut = one.wOut();
    }

    /** The {@code prefix.conv / prefix.bn / prefix.plif} layout of the stem, decoder and heads. */
    static ConvBnPlifLayer standard(
            DeviceParameters p,
            String prefix,
            int cin,
            int cout,
            int k,
            int stride,
            int pad,
            int groups,
            int h,
            int w) {
        return new ConvBnPlifLayer(
                p, prefix + ".conv", prefix + ".bn", prefix + ".plif", cin, cout, k, stride, pad, groups, h, w);
    }

    /** Elements of the output for {@code n = T·B} images: the workspace it needs. */
    long outputLength(int n) {
        return (long) n * cout * hOut * wOut;
    }

    /** (Re)allocates the activations for {@code T × B} images; {@code ws} holds the shared workspaces. */
    void allocate(ClDevice dev, Workspace ws, int t, int batch) {
        close();
        this.t = t;
        this.batch = batch;
        g = new ConvGeometry(t * batch, cin, h, w, cout, k, k, stride, pad, groups);
        long n = outputLength(t * batch);
        conv = own(dev.allocate(Type.FLOAT32, n));
        mean = own(dev.allocate(Type.FLOAT32, cout));
        invStd = own(dev.allocate(Type.FLOAT32, cout));
        spikes = own(dev.allocate(Type.UINT8, n));
        gSpikes = own(dev.allocate(Type.FLOAT32, n));
        pre = own(ClSlab.prefix(ws.pre(), n));
        dPre = own(ClSlab.prefix(ws.dPre(), n));
        dConv = own(ClSlab.prefix(ws.dConv(), n));
    }

    private ClBuffer own(ClBuffer b) {
        owned.add(b);
        return b;
    }

    /**
     * {@code spikes = plif(bn(conv(in)) + residual)}; {@code in} float or uint8, {@code residual} null, float or uint8.
     */
    void forward(ClBuffer in, ClBuffer residual, boolean training) {
        Conv2dCl.forward(conv, in, weight, g);
        BatchNormPlifCl.forward(
                spikes,
                pre,
                conv,
                gamma,
                beta,
                runMean,
                runVar,
                mean,
                invStd,
                residual,
                plifW,
                t,
                batch,
                cout,
                hOut * wOut,
                training,
                BatchNorm.MOMENTUM,
                BatchNorm.EPS);
    }

    /**
     * Backward from {@link #gSpikes}: parameter gradients accumulate into the slabs, {@code dIn += ∂L/∂in}
     * unless null (the network input), {@code dResidual += ∂L/∂residual} unless null.
     */
    void backward(ClBuffer in, ClBuffer dIn, ClBuffer residual, ClBuffer dResidual) {
        ClDevice dev = conv.device();
        dev.zero(dConv);
        BatchNormPlifCl.backward(
                dConv,
                dGamma,
                dBeta,
                dResidual,
                dPlifW,
                pre,
                dPre,
                gSpikes,
                conv,
                gamma,
                beta,
                mean,
                invStd,
                residual,
                plifW,
                t,
                batch,
                cout,
                hOut * wOut);
        Conv2dCl.backwardWeight(dWeight, dConv, in, g);
        if (dIn != null) Conv2dCl.backwardInput(dIn, dConv, weight, g);
    }

    @Override
    public void close() {
        for (ClBuffer b : owned) b.close();
        owned.clear();
    }
}
