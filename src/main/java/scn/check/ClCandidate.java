package scn.check;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import scn.autograd.CustomOp;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.backend.DeviceBuffer.Type;
import scn.backend.opencl.BatchNorm2dCl;
import scn.backend.opencl.BatchNormPlifCl;
import scn.backend.opencl.ChannelBiasCl;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.ClDevice;
import scn.backend.opencl.ConcatCl;
import scn.backend.opencl.Conv2dCl;
import scn.backend.opencl.ElementwiseCl;
import scn.backend.opencl.MaxPool2dCl;
import scn.backend.opencl.Upsample2xCl;
import scn.nn.Layer;
import scn.ops.BatchNorm2d;
import scn.tensor.ConvGeometry;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * The OpenCL kernels, one layer at a time: the candidate of {@code check-paths --device opencl[:N]}. Each
 * layer runs the kernels the model runs for it on a device ({@code scn.autograd.FunctionalCl}), in the same order, on
 * inputs and parameters uploaded for that layer alone: spikes as uint8, floats as float32.
 *
 * <p>Between forward and backward a layer keeps on the host what the device keeps there
 * (a convolution's output, the batch statistics, the max-pool's winners), and its backward uploads those
 * again with {@code dy}, runs the device's backward kernels, downloads the gradients and adds them into
 * the inputs' and parameters' gradient buffers. So every device buffer lives within one forward or one
 * backward and is released there, whether the backward ever runs or not; the one exception is the
 * operators' own scratch space ({@code ClDevice.scratch}), which grows to the largest layer and goes with
 * the device.
 *
 * <p>What it does not do: the ReLU teacher's layers (ReLU and a plain batch norm are not written here: refused,
 * never run on the CPU instead; the teacher's whole step on the device is compared with the host's by
 * {@code TrainStepOnDeviceTest}), and the backward of an evaluation-mode forward (the device has none; the
 * check never asks for it). A training forward moves the batch-norm running statistics as the CPU
 * layer's does: they are uploaded, moved on the device and downloaded back.
 */
public final class ClCandidate implements Candidate {
    private final ClDevice dev;
    /** Whether {@code plif.cl} forms {@code decay} in double, as the reference does: see {@link #composesExactly}. */
    private final boolean fp64;

    public ClCandidate(ClDevice dev) {
        this.dev = dev;
        this.fp64 = dev.hasExtension("cl_khr_fp64");
    }

    @Override
    public String describe() {
        return dev.id() + " " + dev.info().name() + " (the device network's kernels, one layer at a time"
                + (fp64 ? "" : "; no fp64, so the neuron's decay may round apart from the reference's") + ")";
    }

    @Override
    public Var run(Layer layer, Var... inputs) {
        if (inputs.length != layer.inputs().size()) {
            throw new IllegalArgumentException(
                    layer.name() + ": takes " + layer.inputs() + ", got " + inputs.length + " inputs");
        }
        return switch (layer.op()) {
            case Layer.Neuron n -> neuron(layer, spiking(layer, n), inputs[0], inputs[1]);
            case Layer.MaxPool p -> maxPool(p, inputs[0]);
            case Layer.Join j -> join(layer, inputs[0], inputs[1]);
            case Layer.Shortcut s -> shortcut(s, inputs[0]);
            case Layer.HeadOut h -> headOut(h, inputs[0]);
        };
    }

    /**
     * {@code pre} exactly as {@code BatchNormPlifCl.forward} leaves it, the input its PLIF kernel fired on, and
     * in training the batch statistics it normalised with. In evaluation the kernel forms {@code 1/√(var + eps)}
     * inline and keeps no statistics: the host's running statistics are returned then (the check reads the
     * statistics in training only). The running statistics do not move here.
     */
    @Override
    public NeuronInput neuronInput(Layer layer, Var x, Var residual) {
        Layer.Neuron n = layer.neuron();
        if (n == null) throw new IllegalArgumentException(layer.name() + ": not a ConvBnAct, it has no neuron input");
        NeuronForward f = neuronForward(spiking(layer, n), x, residual, false);
        if (n.training()) return new NeuronInput(f.pre, f.mean, f.invStd);
        float[][] stats = BatchNorm2d.runningMeanInvStd(n.runningMean(), n.runningVar(), n.eps());
        return new NeuronInput(f.pre, stats[0], stats[1]);
    }

    /**
     * True where the device has fp64. {@code plif.cl} switches contraction off ({@code FP_CONTRACT OFF}), so each
     * of the three float operations of the charge {@code v + (x − v)·decay} rounds as in the reference; the
     * comparison and the reset are exact; and with fp64 {@code decay} is {@code (float) (1 / (1 + exp(−w)))} in double
     * as in
     * {@code PlifRef.decay}. (The device's double {@code exp} may err by 3 ulp where Java's errs by 1: the
     * float decay can differ only when sigmoid(w) lies within about 2^-50 of a float rounding boundary, for
     * one w per layer.) The batch norm's own contraction ({@code batchnorm2d.cl} leaves it on) changes
     * {@code pre}, not how the neuron reads it: the check holds {@code pre} to its bound apart. Without fp64
     * the kernel forms decay in float with a {@code exp} of up to 3 ulp, one ulp off the reference's now and
     * then, which moves a membrane value near the threshold by about half an ulp: the fused kernel need not
     * fire exactly where the reference recurrence run on its own {@code pre} fires.
     */
    @Override
    public boolean composesExactly() {
        return fp64;
    }

    /** The spiking parts of {@code n}; a ReLU layer is refused (the device runs the spiking network only). */
    private static Layer.Neuron spiking(Layer layer, Layer.Neuron n) {
        if (!n.spiking()) {
            throw new IllegalArgumentException(layer.name() + " is a ReLU (teacher) layer: the OpenCL kernels run the "
                    + "spiking network only; check the teacher with --device cpu");
        }
        return n;
    }

    // ---------------------------------------------------------------------------------------------
    // ConvBnPlif: Conv2dCl, then BatchNormPlifCl (batch norm, + residual, PLIF), as ConvBnPlifLayer.

    /** What a ConvBnPlif forward leaves on the host. Flat arrays, {@code [T*B, C, Ho, Wo]} unless said. */
    private record NeuronForward(
            ConvGeometry g, int t, int batch, byte[] spikes, float[] conv, float[] pre, float[] mean, float[] invStd) {}

    private NeuronForward neuronForward(Layer.Neuron n, Var x, Var residual, boolean moveRunning) {
        int[] xs = fiveD("conv_bn_plif", x);
        int t = xs[0], batch = xs[1];
        ConvGeometry g = ConvGeometry.of(Folded.shape(xs), n.weight().shape(), n.stride(), n.pad(), n.groups());
        int c = g.cout(), hw = g.hOut() * g.wOut(), total = g.n() * c * hw;
        if (residual != null && !Arrays.equals(residual.shape(), new int[] {t, batch, c, g.hOut(), g.wOut()})) {
            throw new IllegalArgumentException(
                    "conv_bn_plif: residual " + Arrays.toString(residual.shape()) + " does not match the output");
        }
        try (Buffers b = new Buffers()) {
            ClBuffer in = b.input(x); // [T*B, Cin, H, W] uint8 or float
            ClBuffer w = b.upload(n.weight().value().data()); // [Cout, Cin/groups, kh, kw]
            ClBuffer conv = b.floats(total); // [T*B, Cout, Ho, Wo]
            Conv2dCl.forward(conv, in, w, g);
            ClBuffer runMean = b.upload(n.runningMean().data()); // [Cout], moved in training
            ClBuffer runVar = b.upload(n.runningVar().data()); // [Cout]
            ClBuffer mean = n.training() ? b.floats(c) : null; // [Cout] batch statistics
            ClBuffer invStd = n.training() ? b.floats(c) : null; // [Cout]
            ClBuffer pre = b.floats(total); // [T*B, Cout, Ho, Wo] the neuron input
            ClBuffer s = b.allocate(Type.UINT8, total); // [T, B, Cout, Ho, Wo] spikes
            ClBuffer gamma = b.upload(n.gamma().value().data()),
                    beta = b.upload(n.beta().value().data()); // [Cout]
            ClBuffer res = residual == null ? null : b.input(residual); // [T*B, Cout, Ho, Wo] uint8 or float
            ClBuffer w1 = b.upload(n.plifW().value().data()); // [1]
            BatchNormPlifCl.forward(
                    s,
                    pre,
                    conv,
                    gamma,
                    beta,
                    runMean,
                    runVar,
                    mean,
                    invStd,
                    res,
                    w1,
                    t,
                    batch,
                    c,
                    hw,
                    n.training(),
                    n.momentum(),
                    n.eps());
            if (n.training() && moveRunning) {
                dev.read(n.runningMean().data(), runMean);
                dev.read(n.runningVar().data(), runVar);
            }
            return new NeuronForward(
                    g,
                    t,
                    batch,
                    b.readBytes(s),
                    b.readFloats(conv),
                    b.readFloats(pre),
                    mean == null ? null : b.readFloats(mean),
                    invStd == null ? null : b.readFloats(invStd));
        }
    }

    private Var neuron(Layer layer, Layer.Neuron n, Var x, Var residual) {
        NeuronForward f = neuronForward(n, x, residual, true);
        ConvGeometry g = f.g;
        int c = g.cout(), hw = g.hOut() * g.wOut(), total = f.conv.length;
        SpikeTensor out = SpikeTensor.wrapTrusted(f.spikes, f.t, f.batch, c, g.hOut(), g.wOut());
        return CustomOp.apply(
                out,
                dy -> {
                    if (!n.training()) {
                        throw new IllegalStateException(
                                layer.name() + ": BatchNormPlifCl has the backward of a training "
                                        + "forward only (the device network never runs backward after an evaluation forward)");
                    }
                    try (Buffers b = new Buffers()) {
                        ClBuffer conv = b.upload(f.conv); // [T*B, Cout, Ho, Wo] kept by the forward
                        ClBuffer gamma = b.upload(n.gamma().value().data()); // [Cout]
                        ClBuffer dConv = b.zeros(total); // [T*B, Cout, Ho, Wo]
                        ClBuffer dGamma = b.zeros(c), dBeta = b.zeros(c); // [Cout]
                        ClBuffer dw = b.zeros(1); // [1] ∂L/∂plif.w
                        ClBuffer res = residual == null ? null : b.input(residual);
                        ClBuffer dRes = residual != null && residual.requiresGrad() ? b.zeros(total) : null; // as conv
                        ClBuffer gs = b.upload(dy.data()); // [T, B, Cout, Ho, Wo] ∂L/∂spikes
                        ClBuffer beta = b.upload(n.beta().value().data()),
                                w1 = b.upload(n.plifW().value().data());
                        ClBuffer mean = b.upload(f.mean),
                                invStd = b.upload(f.invStd); // [Cout] the forward's statistics
                        // pre and dPre are BatchNormPlifCl's workspaces: it forms the neuron input again in pre.
                        ClBuffer pre = b.floats(total), dPre = b.floats(total);
                        BatchNormPlifCl.backward(
                                dConv, dGamma, dBeta, dRes, dw, pre, dPre, gs, conv, gamma, beta, mean, invStd, res, w1,
                                f.t, f.batch, c, hw);
                        ClBuffer in = b.input(x); // [T*B, Cin, H, W]
                        ClBuffer w = b.upload(n.weight().value().data()); // [Cout, Cin/groups, kh, kw]
                        ClBuffer dW = b.zeros(w.length());
                        Conv2dCl.backwardWeight(dW, dConv, in, g);
                        ClBuffer dX = null;
                        if (x.requiresGrad()) {
                            dX = b.zeros(in.length()); // [T*B, Cin, H, W]
                            Conv2dCl.backwardInput(dX, dConv, w, g);
                        }
                        b.addInto(x, dX);
                        b.addInto(residual, dRes);
                        b.addInto(n.weight(), dW);
                        b.addInto(n.gamma(), dGamma);
                        b.addInto(n.beta(), dBeta);
                        b.addInto(n.plifW(), dw);
                    }
                },
                x,
                residual,
                n.weight(),
                n.gamma(),
                n.beta(),
                n.plifW());
    }

    // ---------------------------------------------------------------------------------------------
    // The layers between neurons, each as FunctionalCl runs it.

    /** MaxPool2dCl on {@code [T, B, C, H, W]}, spikes or floats; the winners are kept for the backward. */
    private Var maxPool(Layer.MaxPool p, Var x) {
        int[] xs = fiveD("max_pool2d", x);
        int planes = xs[0] * xs[1] * xs[2], h = xs[3], w = xs[4], k = p.kernel(), s = p.stride(), pad = p.pad();
        int ho = (h + 2 * pad - k) / s + 1, wo = (w + 2 * pad - k) / s + 1, size = planes * ho * wo;
        int[] ys = {xs[0], xs[1], xs[2], ho, wo};
        boolean spikes = x.spikes() != null;
        Object value;
        int[] argmax; // [T*B*C, Ho, Wo] the winner's index inside its plane
        try (Buffers b = new Buffers()) {
            ClBuffer y = b.allocate(spikes ? Type.UINT8 : Type.FLOAT32, size); // [T*B*C, Ho, Wo]
            ClBuffer arg = b.allocate(Type.INT32, size);
            MaxPool2dCl.forward(y, arg, b.input(x), planes, h, w, k, s, pad);
            value = spikes ? SpikeTensor.wrapTrusted(b.readBytes(y), ys) : Tensor.wrap(b.readFloats(y), ys);
            argmax = b.readInts(arg);
        }
        return apply(
                value,
                dy -> {
                    try (Buffers b = new Buffers()) {
                        ClBuffer dX = b.zeros((long) planes * h * w); // [T*B*C, H, W]
                        MaxPool2dCl.backward(dX, b.upload(dy.data()), b.upload(argmax), planes, h, w, k, s, pad);
                        b.addInto(x, dX);
                    }
                },
                x);
    }

    /** Upsample2xCl of {@code x}, then ConcatCl {@code [up(x), skip]}: bytes when both are spikes, else floats. */
    private Var join(Layer layer, Var x, Var skip) {
        int[] xs = fiveD("join", x), ss = fiveD("join", skip);
        int n = xs[0] * xs[1], cx = xs[2], h = xs[3], w = xs[4], cs = ss[2];
        if (ss[0] != xs[0] || ss[1] != xs[1] || ss[3] != 2 * h || ss[4] != 2 * w) {
            throw new IllegalArgumentException(layer.name() + ": skip " + Arrays.toString(ss) + " does not match x "
                    + Arrays.toString(xs) + " upsampled");
        }
        int sa = cx * 4 * h * w, sb = cs * 4 * h * w;
        int[] ys = {xs[0], xs[1], cx + cs, 2 * h, 2 * w};
        boolean spikes = x.spikes() != null && skip.spikes() != null;
        Type type = spikes ? Type.UINT8 : Type.FLOAT32;
        Object value;
        try (Buffers b = new Buffers()) {
            ClBuffer up = b.allocate(type, (long) n * sa); // [T*B, Cx, 2H, 2W]
            Upsample2xCl.forward(up, spikes ? b.input(x) : b.upload(Folded.floats(x)), n * cx, h, w);
            ClBuffer y = b.allocate(type, (long) n * (sa + sb)); // [T*B, Cx + Cs, 2H, 2W]
            ConcatCl.forward(y, up, spikes ? b.input(skip) : b.upload(Folded.floats(skip)), n, sa, sb);
            value = spikes ? SpikeTensor.wrapTrusted(b.readBytes(y), ys) : Tensor.wrap(b.readFloats(y), ys);
        }
        return apply(
                value,
                dy -> {
                    try (Buffers b = new Buffers()) {
                        ClBuffer gUp = b.zeros((long) n * sa); // [T*B, Cx, 2H, 2W]
                        ClBuffer dSkip = skip.requiresGrad() ? b.zeros((long) n * sb) : null; // [T*B, Cs, 2H, 2W]
                        ConcatCl.backward(gUp, dSkip, b.upload(dy.data()), n, sa, sb);
                        ClBuffer dX = null;
                        if (x.requiresGrad()) {
                            dX = b.zeros((long) n * cx * h * w); // [T*B, Cx, H, W]
                            Upsample2xCl.backward(dX, gUp, n * cx, h, w);
                        }
                        b.addInto(x, dX);
                        b.addInto(skip, dSkip);
                    }
                },
                x,
                skip);
    }

    /** The shortcut: Conv2dCl 1×1 with stride, then BatchNorm2dCl, as DeviceBlocks.Basic runs it. */
    private Var shortcut(Layer.Shortcut s, Var x) {
        int[] xs = fiveD("downsample", x);
        ConvGeometry g = ConvGeometry.of(Folded.shape(xs), s.weight().shape(), s.stride(), 0, 1);
        int n = g.n(), c = g.cout(), hw = g.hOut() * g.wOut(), total = n * c * hw;
        int[] ys = {xs[0], xs[1], c, g.hOut(), g.wOut()};
        float[] conv, mean = null, invStd = null; // kept for the backward: [T*B, Cout, Ho, Wo], [Cout], [Cout]
        Tensor value;
        try (Buffers b = new Buffers()) {
            ClBuffer convB = b.floats(total); // [T*B, Cout, Ho, Wo]
            Conv2dCl.forward(convB, b.input(x), b.upload(s.weight().value().data()), g);
            ClBuffer y = b.floats(total); // [T*B, Cout, Ho, Wo]
            ClBuffer gamma = b.upload(s.gamma().value().data()),
                    beta = b.upload(s.beta().value().data());
            ClBuffer runMean = b.upload(s.runningMean().data()),
                    runVar = b.upload(s.runningVar().data()); // [Cout]
            if (s.training()) {
                ClBuffer meanB = b.floats(c), invStdB = b.floats(c);
                BatchNorm2dCl.forwardTrain(
                        y, convB, gamma, beta, runMean, runVar, meanB, invStdB, n, c, hw, s.momentum(), s.eps());
                dev.read(s.runningMean().data(), runMean);
                dev.read(s.runningVar().data(), runVar);
                mean = b.readFloats(meanB);
                invStd = b.readFloats(invStdB);
            } else {
                BatchNorm2dCl.forwardEval(y, convB, gamma, beta, runMean, runVar, n, c, hw, s.eps());
            }
            value = Tensor.wrap(b.readFloats(y), ys);
            conv = b.readFloats(convB);
        }
        float[] keptMean = mean, keptInvStd = invStd;
        return apply(
                value,
                dy -> {
                    if (!s.training()) {
                        throw new IllegalStateException("downsample: the device network never runs backward after an "
                                + "evaluation forward, nor does the check");
                    }
                    try (Buffers b = new Buffers()) {
                        ClBuffer dConv = b.zeros(total); // [T*B, Cout, Ho, Wo]
                        ClBuffer dGamma = b.zeros(c), dBeta = b.zeros(c); // [Cout]
                        ClBuffer dy4 = b.upload(dy.data()), conv4 = b.upload(conv); // [T*B, Cout, Ho, Wo]
                        ClBuffer gamma = b.upload(s.gamma().value().data());
                        ClBuffer meanB = b.upload(keptMean), invStdB = b.upload(keptInvStd);
                        BatchNorm2dCl.backward(dConv, dGamma, dBeta, dy4, conv4, gamma, meanB, invStdB, n, c, hw, true);
                        ClBuffer in = b.input(x),
                                w = b.upload(s.weight().value().data());
                        ClBuffer dW = b.zeros(w.length()); // [Cout, Cin, 1, 1]
                        Conv2dCl.backwardWeight(dW, dConv, in, g);
                        ClBuffer dX = null;
                        if (x.requiresGrad()) {
                            dX = b.zeros(in.length()); // [T*B, Cin, H, W]
                            Conv2dCl.backwardInput(dX, dConv, w, g);
                        }
                        b.addInto(x, dX);
                        b.addInto(s.weight(), dW);
                        b.addInto(s.gamma(), dGamma);
                        b.addInto(s.beta(), dBeta);
                    }
                },
                x,
                s.weight(),
                s.gamma(),
                s.beta());
    }

    /** A head's output: Conv2dCl 1×1, ChannelBiasCl, then ElementwiseCl.meanTime, as DeviceBlocks.Head runs it. */
    private Var headOut(Layer.HeadOut o, Var x) {
        int[] xs = fiveD("head out", x);
        int t = xs[0], batch = xs[1];
        ConvGeometry g = ConvGeometry.of(Folded.shape(xs), o.weight().shape(), 1, 0, 1);
        int k = g.cout(), hw = g.hOut() * g.wOut(), m = batch * k * hw;
        Tensor value;
        try (Buffers b = new Buffers()) {
            ClBuffer perStep = b.floats((long) t * m); // [T, B, k, H, W]
            Conv2dCl.forward(perStep, b.input(x), b.upload(o.weight().value().data()), g);
            ChannelBiasCl.forward(perStep, b.upload(o.bias().value().data()), g.n(), k, hw);
            ClBuffer y = b.floats(m); // [B, k, H, W]
            ElementwiseCl.meanTime(y, perStep, t, m);
            value = Tensor.wrap(b.readFloats(y), batch, k, g.hOut(), g.wOut());
        }
        return apply(
                value,
                dy -> {
                    try (Buffers b = new Buffers()) {
                        ClBuffer dPerStep = b.zeros((long) t * m); // [T, B, k, H, W]
                        ElementwiseCl.meanTimeBackward(dPerStep, b.upload(dy.data()), t, m);
                        ClBuffer dBias = b.zeros(k); // [k]
                        ChannelBiasCl.backward(dBias, dPerStep, g.n(), k, hw);
                        ClBuffer in = b.input(x),
                                w = b.upload(o.weight().value().data());
                        ClBuffer dW = b.zeros(w.length()); // [k, C, 1, 1]
                        Conv2dCl.backwardWeight(dW, dPerStep, in, g);
                        ClBuffer dX = null;
                        if (x.requiresGrad()) {
                            dX = b.zeros(in.length()); // [T*B, C, H, W]
                            Conv2dCl.backwardInput(dX, dPerStep, w, g);
                        }
                        b.addInto(x, dX);
                        b.addInto(o.weight(), dW);
                        b.addInto(o.bias(), dBias);
                    }
                },
                x,
                o.weight(),
                o.bias());
    }

    private static Var apply(Object value, Tape.Backward backward, Var... inputs) {
        return value instanceof SpikeTensor s
                ? CustomOp.apply(s, backward, inputs)
                : CustomOp.apply((Tensor) value, backward, inputs);
    }

    private static int[] fiveD(String op, Var v) {
        int[] s = v.shape();
        if (s.length == 5) return s;
        throw new IllegalArgumentException(op + ": takes [T, B, C, H, W], got " + Arrays.toString(s));
    }

    /** The device buffers of one forward or one backward, all released when it ends, with the transfers they need. */
    private final class Buffers implements AutoCloseable {
        private final List<ClBuffer> owned = new ArrayList<>();

        ClBuffer allocate(Type type, long length) {
            ClBuffer b = dev.allocate(type, length);
            owned.add(b);
            return b;
        }

        ClBuffer floats(long length) {
            return allocate(Type.FLOAT32, length);
        }

        ClBuffer zeros(long length) {
            ClBuffer b = floats(length);
            dev.zero(b);
            return b;
        }

        ClBuffer upload(float[] host) {
            ClBuffer b = floats(host.length);
            dev.write(b, host);
            return b;
        }

        ClBuffer upload(int[] host) {
            ClBuffer b = allocate(Type.INT32, host.length);
            dev.write(b, host);
            return b;
        }

        /** An activation as the device network holds it: spikes as uint8, anything else as float32. */
        ClBuffer input(Var v) {
            SpikeTensor s = v.spikes();
            if (s == null) return upload(v.value().data());
            ClBuffer b = allocate(Type.UINT8, s.size());
            dev.write(b, s.data());
            return b;
        }

        float[] readFloats(ClBuffer b) {
            float[] host = new float[(int) b.length()];
            dev.read(host, b);
            return host;
        }

        byte[] readBytes(ClBuffer b) {
            byte[] host = new byte[(int) b.length()];
            dev.read(host, b);
            return host;
        }

        int[] readInts(ClBuffer b) {
            int[] host = new int[(int) b.length()];
            dev.read(host, b);
            return host;
        }

        /** {@code v.grad += d}, accumulating as every backward; nothing when v takes no gradient or d is null. */
        void addInto(Var v, ClBuffer d) {
            if (v == null || d == null || !v.requiresGrad()) return;
            float[] got = readFloats(d), g = v.gradBuffer().data();
            if (got.length != g.length) throw new IllegalStateException(got.length + " gradient elements for " + v);
            for (int i = 0; i < g.length; i++) g[i] += got[i];
        }

        @Override
        public void close() {
            for (ClBuffer b : owned) b.close();
            owned.clear();
        }
    }
}
