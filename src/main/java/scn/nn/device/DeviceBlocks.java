package scn.nn.device;

import java.util.ArrayList;
import java.util.List;
import scn.backend.DeviceBuffer.Type;
import scn.backend.opencl.BatchNorm2dCl;
import scn.backend.opencl.ChannelBiasCl;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.ClDevice;
import scn.backend.opencl.ClSlab;
import scn.backend.opencl.ConcatCl;
import scn.backend.opencl.Conv2dCl;
import scn.backend.opencl.ElementwiseCl;
import scn.backend.opencl.Upsample2xCl;
import scn.nn.BatchNorm;
import scn.tensor.ConvGeometry;

/**
 * The composite layers of the device network, each the counterpart of its CPU class in {@code scn.nn}
 * with a {@code forward} and a {@code backward} side by side: the basic block, the decoder's up block
 * and a CenterNet head. Activations are allocated by {@code allocate} for a batch size; backward passes
 * accumulate into the gradient buffers of their inputs, which the network zeroes before a backward.
 */
final class DeviceBlocks {
    private DeviceBlocks() {}

    /** Owns a list of buffers that are replaced when the batch size changes. */
    abstract static class Owner implements AutoCloseable {
        private final List<ClBuffer> owned = new ArrayList<>();

        ClBuffer own(ClBuffer b) {
            owned.add(b);
            return b;
        }

        @Override
        public void close() {
            for (ClBuffer b : owned) b.close();
            owned.clear();
        }
    }

    /**
     * {@code scn.nn.BasicBlock}: {@code plif2(bn2(conv2(plif1(bn1(conv1(x))))) + shortcut(x))}, the shortcut
     * the input spikes or {@code downsample.bn(downsample.conv_1x1(x))}.
     */
    static final class Basic extends Owner {
        final ConvBnPlifLayer first, second;
        private final ClBuffer dsWeight,
                dDsWeight,
                dsGamma,
                dDsGamma,
                dsBeta,
                dDsBeta,
                dsRunMean,
                dsRunVar; // null without downsample
        private final int stride;
        private ConvGeometry dsGeometry;
        private ClBuffer dsConv; // [T*B, Cout, Ho, Wo] downsample convolution output
        private ClBuffer dsOut; // [T*B, Cout, Ho, Wo] its batch norm: the shortcut
        private ClBuffer dDsOut; // [T*B, Cout, Ho, Wo] ∂L/∂shortcut
        private ClBuffer dsMean, dsInvStd; // [Cout]
        private ClBuffer dDsConv; // view of the workspace's dConv
        private int t, batch;

        Basic(DeviceParameters p, String name, int cin, int cout, int stride, int h, int w) {
            this.stride = stride;
            first = new ConvBnPlifLayer(
                    p, name + ".conv1", name + ".bn1", name + ".plif1", cin, cout, 3, stride, 1, 1, h, w);
            second = new ConvBnPlifLayer(
                    p, name + ".conv2", name + ".bn2", name + ".plif2", cout, cout, 3, 1, 1, 1, first.hOut, first.wOut);
            boolean ds = stride != 1 || cin != cout;
            String d = name + ".downsample.";
            dsWeight = ds ? p.value(d + "conv.weight") : null;
            dDsWeight = ds ? p.grad(d + "conv.weight") : null;
            dsGamma = ds ? p.value(d + "bn.weight") : null;
            dDsGamma = ds ? p.grad(d + "bn.weight") : null;
            dsBeta = ds ? p.value(d + "bn.bias") : null;
            dDsBeta = ds ? p.grad(d + "bn.bias") : null;
            dsRunMean = ds ? p.buffer(d + "bn.running_mean") : null;
            dsRunVar = ds ? p.buffer(d + "bn.running_var") : null;
        }

        void allocate(ClDevice dev, Workspace ws, int t, int batch) {
            close();
            this.t = t;
            this.batch = batch;
            first.allocate(dev, ws, t, batch);
            second.allocate(dev, ws, t, batch);
            if (dsWeight == null) return;
            dsGeometry = new ConvGeometry(t * batch, first.cin, first.h, first.w, first.cout, 1, 1, stride, 0, 1);
            long n = second.outputLength(t * batch);
            dsConv = own(dev.allocate(Type.FLOAT32, n));
            dsOut = own(dev.allocate(Type.FLOAT32, n));
            dDsOut = own(dev.allocate(Type.FLOAT32, n));
            dsMean = own(dev.allocate(Type.FLOAT32, first.cout));
            dsInvStd = own(dev.allocate(Type.FLOAT32, first.cout));
            dDsConv = own(ClSlab.prefix(ws.dConv(), n));
        }

        ClBuffer spikes() {
            return second.spikes;
        }

        ClBuffer gSpikes() {
            return second.gSpikes;
        }

        void forward(ClBuffer x, boolean training) {
            ClBuffer shortcut = x;
            if (dsWeight != null) {
                Conv2dCl.forward(dsConv, x, dsWeight, dsGeometry);
                int n = t * batch, c = first.cout, hw = second.hOut * second.wOut;
                if (training) {
                    BatchNorm2dCl.forwardTrain(
                            dsOut,
                            dsConv,
                            dsGamma,
                            dsBeta,
                            dsRunMean,
                            dsRunVar,
                            dsMean,
                            dsInvStd,
                            n,
                            c,
                            hw,
                            BatchNorm.MOMENTUM,
                            BatchNorm.EPS);
                } else {
                    BatchNorm2dCl.forwardEval(
                            dsOut, dsConv, dsGamma, dsBeta, dsRunMean, dsRunVar, n, c, hw, BatchNorm.EPS);
                }
                shortcut = dsOut;
            }
            first.forward(x, null, training);
            second.forward(first.spikes, shortcut, training);
        }

        /** From {@link #gSpikes()}: {@code gx += ∂L/∂x} through both paths. */
        void backward(ClBuffer x, ClBuffer gx) {
            boolean ds = dsWeight != null;
            if (ds) x.device().zero(dDsOut);
            second.backward(first.spikes, first.gSpikes, ds ? dsOut : x, ds ? dDsOut : gx);
            first.backward(x, gx, null, null);
            if (!ds) return;
            x.device().zero(dDsConv);
            BatchNorm2dCl.backward(
                    dDsConv,
                    dDsGamma,
                    dDsBeta,
                    dDsOut,
                    dsConv,
                    dsGamma,
                    dsMean,
                    dsInvStd,
                    t * batch,
                    first.cout,
                    second.hOut * second.wOut,
                    true);
            Conv2dCl.backwardWeight(dDsWeight, dDsConv, x, dsGeometry);
            Conv2dCl.backwardInput(gx, dDsConv, dsWeight, dsGeometry);
        }

        @Override
        public void close() {
            super.close();
            first.close();
            second.close();
        }
    }

    /**
     * {@code scn.nn.UpBlock}: nearest ×2 upsampling of {@code x} (spikes stay bytes), concatenation
     * {@code [up(x), skip]}, then expand / depthwise / project ConvBnPlifs.
     */
    static final class Up extends Owner {
        final ConvBnPlifLayer expand, depthwise, project;
        private final int cin, cskip, h, w; // h, w: the size of x, half the output's
        private ClBuffer up; // [T*B, cin, 2h, 2w] uint8
        private ClBuffer cat; // [T*B, cin + cskip, 2h, 2w] uint8
        private ClBuffer gCat; // [T*B, cin + cskip, 2h, 2w] ∂L/∂cat
        private ClBuffer gUp; // [T*B, cin, 2h, 2w] ∂L/∂up
        private int n;

        Up(DeviceParameters p, String name, int cin, int cskip, int cout, int expanded, int h, int w) {
            this.cin = cin;
            this.cskip = cskip;
            this.h = h;
            this.w = w;
            int c = cin + cskip;
            expand = ConvBnPlifLayer.standard(p, name + ".expand", c, expanded, 1, 1, 0, 1, 2 * h, 2 * w);
            depthwise = ConvBnPlifLayer.standard(
                    p, name + ".depthwise", expanded, expanded, 3, 1, 1, expanded, 2 * h, 2 * w);
            project = ConvBnPlifLayer.standard(p, name + ".project", expanded, cout, 1, 1, 0, 1, 2 * h, 2 * w);
        }

        void allocate(ClDevice dev, Workspace ws, int t, int batch) {
            close();
            n = t * batch;
            int plane = 4 * h * w;
            up = own(dev.allocate(Type.UINT8, (long) n * cin * plane));
            cat = own(dev.allocate(Type.UINT8, (long) n * (cin + cskip) * plane));
            gCat = own(dev.allocate(Type.FLOAT32, (long) n * (cin + cskip) * plane));
            gUp = own(dev.allocate(Type.FLOAT32, (long) n * cin * plane));
            for (ConvBnPlifLayer l : new ConvBnPlifLayer[] {expand, depthwise, project}) l.allocate(dev, ws, t, batch);
        }

        void forward(ClBuffer x, ClBuffer skip, boolean training) {
            Upsample2xCl.forward(up, x, n * cin, h, w);
            ConcatCl.forward(cat, up, skip, n, cin * 4 * h * w, cskip * 4 * h * w);
            expand.forward(cat, null, training);
            depthwise.forward(expand.spikes, null, training);
            project.forward(depthwise.spikes, null, training);
        }

        /** From {@code project.gSpikes}: {@code gx += ∂L/∂x}, {@code gSkip += ∂L/∂skip}. */
        void backward(ClBuffer gx, ClBuffer gSkip) {
            project.backward(depthwise.spikes, depthwise.gSpikes, null, null);
            depthwise.backward(expand.spikes, expand.gSpikes, null, null);
            ClDevice dev = gCat.device();
            dev.zero(gCat);
            expand.backward(cat, gCat, null, null);
            dev.zero(gUp);
            ConcatCl.backward(gUp, gSkip, gCat, n, cin * 4 * h * w, cskip * 4 * h * w);
            Upsample2xCl.backward(gx, gUp, n * cin, h, w);
        }

        @Override
        public void close() {
            super.close();
            for (ConvBnPlifLayer l : new ConvBnPlifLayer[] {expand, depthwise, project}) l.close();
        }
    }

    /**
     * {@code scn.nn.Head}: hidden ConvBnPlif (3×3), then the 1×1 output convolution with bias at every
     * time step, averaged over T into {@code [B, k, H, W]}.
     */
    static final class Head extends Owner {
        final ConvBnPlifLayer hidden;
        private final ClBuffer outWeight, dOutWeight, outBias, dOutBias;
        private final int outputs;
        private ConvGeometry g;
        private int t, batch;
        private ClBuffer perStep; // [T, B, k, H, W] output convolution at every step
        private ClBuffer dPerStep; // [T, B, k, H, W]
        ClBuffer out; // [B, k, H, W] the time average
        ClBuffer dOut; // [B, k, H, W] ∂L/∂out, written by the loss

        Head(DeviceParameters p, String name, int c0, int outputs, int h, int w) {
            this.outputs = outputs;
            hidden = ConvBnPlifLayer.standard(p, name + ".hidden", c0, c0, 3, 1, 1, 1, h, w);
            outWeight = p.value(name + ".out.weight");
            dOutWeight = p.grad(name + ".out.weight");
            outBias = p.value(name + ".out.bias");
            dOutBias = p.grad(name + ".out.bias");
        }

        void allocate(ClDevice dev, Workspace ws, int t, int batch) {
            close();
            this.t = t;
            this.batch = batch;
            hidden.allocate(dev, ws, t, batch);
            g = new ConvGeometry(t * batch, hidden.cout, hidden.hOut, hidden.wOut, outputs, 1, 1, 1, 0, 1);
            long m = (long) batch * outputs * hidden.hOut * hidden.wOut;
            perStep = own(dev.allocate(Type.FLOAT32, t * m));
            dPerStep = own(dev.allocate(Type.FLOAT32, t * m));
            out = own(dev.allocate(Type.FLOAT32, m));
            dOut = own(dev.allocate(Type.FLOAT32, m));
        }

        void forward(ClBuffer features, boolean training) {
            hidden.forward(features, null, training);
            Conv2dCl.forward(perStep, hidden.spikes, outWeight, g);
            int hw = hidden.hOut * hidden.wOut;
            ChannelBiasCl.forward(perStep, outBias, t * batch, outputs, hw);
            ElementwiseCl.meanTime(out, perStep, t, batch * outputs * hw);
        }

        /** From {@link #dOut}: {@code gFeatures += ∂L/∂features}. */
        void backward(ClBuffer features, ClBuffer gFeatures) {
            int hw = hidden.hOut * hidden.wOut;
            dPerStep.device().zero(dPerStep);
            ElementwiseCl.meanTimeBackward(dPerStep, dOut, t, batch * outputs * hw);
            ChannelBiasCl.backward(dOutBias, dPerStep, t * batch, outputs, hw);
            Conv2dCl.backwardWeight(dOutWeight, dPerStep, hidden.spikes, g);
            Conv2dCl.backwardInput(hidden.gSpikes, dPerStep, outWeight, g);
            hidden.backward(features, gFeatures, null, null);
        }

        @Override
        public void close() {
            super.close();
            hidden.close();
        }
    }
}
