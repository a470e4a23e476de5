package scn.nn.device;

import java.util.ArrayList;
import java.util.List;
import scn.backend.DeviceBuffer.Type;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.ClDevice;
import scn.backend.opencl.MaxPool2dCl;
import scn.nn.ModelConfig;

/**
 * The spiking detector of SPEC section 3 as a fixed sequence of device kernel launches, mirroring
 * {@code scn.nn.SpikingCenterNet.forward} layer by layer (no tape): stem, max-pool, eight basic blocks,
 * three up blocks, three heads averaged over T; {@link #backward} runs the same layers in reverse.
 * Spikes are uint8 buffers; every activation and gradient buffer is allocated once per batch size.
 *
 * <p>The loss and the optimiser are not here: a training step ({@code scn.train.DeviceTrainStep}) computes the
 * loss gradient into {@link #outputGradient} between {@link #forward} and {@link #backward}.
 */
public final class DeviceNetwork implements AutoCloseable {
    private static final int POOL_K = 3, POOL_S = 2, POOL_P = 1;

    private final ClDevice dev;
    private final int t;
    private final ConvBnPlifLayer stem;
    private final DeviceBlocks.Basic[] blocks = new DeviceBlocks.Basic[8]; // layer1.0, layer1.1, …, layer4.1
    private final DeviceBlocks.Up[] ups = new DeviceBlocks.Up[3];
    private final DeviceBlocks.Head[] heads = new DeviceBlocks.Head[3]; // heatmap, offset, size
    private final int c0, poolH, poolW;

    private int batch;
    private Workspace ws;
    private ClBuffer poolSpikes; // [T, B, c0, H/4, W/4] uint8
    private ClBuffer poolArgmax; // [T*B*c0, H/4, W/4] int32
    private ClBuffer gPool; // [T, B, c0, H/4, W/4] ∂L/∂poolSpikes

    /** The layers of {@code config} over the parameters {@code p}; activations come with {@link #allocate}. */
    public DeviceNetwork(ClDevice dev, DeviceParameters p, ModelConfig config) {
        if (config.teacher())
            throw new IllegalArgumentException(
                    "device network: only the spiking network runs on the device, not the ReLU teacher");
        this.dev = dev;
        this.t = config.timeSteps();
        int[] c = {config.channels(0), config.channels(1), config.channels(2), config.channels(3)};
        c0 = c[0];
        stem = ConvBnPlifLayer.standard(
                p,
                "encoder.stem",
                ModelConfig.INPUT_CHANNELS,
                c0,
                7,
                2,
                3,
                1,
                config.inputHeight(),
                config.inputWidth());
        poolH = (stem.hOut + 2 * POOL_P - POOL_K) / POOL_S + 1;
        poolW = (stem.wOut + 2 * POOL_P - POOL_K) / POOL_S + 1;
        int h = poolH, w = poolW;
        int[] featureH = new int[4], featureW = new int[4];
        for (int l = 0; l < 4; l++) {
            int cin = l == 0 ? c0 : c[l - 1], stride = l == 0 ? 1 : 2;
            blocks[2 * l] = new DeviceBlocks.Basic(p, "encoder.layer" + (l + 1) + ".0", cin, c[l], stride, h, w);
            h = blocks[2 * l].second.hOut;
            w = blocks[2 * l].second.wOut;
            blocks[2 * l + 1] = new DeviceBlocks.Basic(p, "encoder.layer" + (l + 1) + ".1", c[l], c[l], 1, h, w);
            featureH[l] = h;
            featureW[l] = w;
        }
        // up1(f4, f3) → c2, up2(·, f2) → c1, up3(·, f1) → c0
        for (int k = 0; k < 3; k++) {
            int cin = c[3 - k], cskip = c[2 - k];
            ups[k] = new DeviceBlocks.Up(
                    p,
                    "decoder.up" + (k + 1),
                    cin,
                    cskip,
                    cskip,
                    config.expanded(cin + cskip),
                    featureH[3 - k],
                    featureW[3 - k]);
        }
        heads[0] = new DeviceBlocks.Head(p, "heads.heatmap", c0, config.classes(), featureH[0], featureW[0]);
        heads[1] = new DeviceBlocks.Head(p, "heads.offset", c0, 2, featureH[0], featureW[0]);
        heads[2] = new DeviceBlocks.Head(p, "heads.size", c0, 2, featureH[0], featureW[0]);
    }

    /** Every ConvBnPlif of the network, in forward order. */
    private List<ConvBnPlifLayer> convLayers() {
        List<ConvBnPlifLayer> all = new ArrayList<>();
        all.add(stem);
        for (DeviceBlocks.Basic b : blocks) {
            all.add(b.first);
            all.add(b.second);
        }
        for (DeviceBlocks.Up u : ups) {
            all.add(u.expand);
            all.add(u.depthwise);
            all.add(u.project);
        }
        for (DeviceBlocks.Head hd : heads) all.add(hd.hidden);
        return all;
    }

    /** The batch size the activations are allocated for; 0 before the first {@link #allocate}. */
    public int batch() {
        return batch;
    }

    /** Head {@code i}'s output {@code [B, k, H/4, W/4]} (0 heatmap, 1 offset, 2 size), written by {@link #forward}. */
    public ClBuffer output(int i) {
        return heads[i].out;
    }

    /** The gradient of the loss with respect to {@link #output}{@code (i)}, which {@link #backward} starts from. */
    public ClBuffer outputGradient(int i) {
        return heads[i].dOut;
    }

    /** Allocates every activation for {@code batch} samples, releasing those of another batch size first. */
    public void allocate(int batch) {
        if (batch == this.batch) return;
        release();
        long largest = 1;
        for (ConvBnPlifLayer l : convLayers()) largest = Math.max(largest, l.outputLength(t * batch));
        ws = new Workspace(
                dev.allocate(Type.FLOAT32, largest),
                dev.allocate(Type.FLOAT32, largest),
                dev.allocate(Type.FLOAT32, largest));
        stem.allocate(dev, ws, t, batch);
        long pooled = (long) t * batch * c0 * poolH * poolW;
        poolSpikes = dev.allocate(Type.UINT8, pooled);
        poolArgmax = dev.allocate(Type.INT32, pooled);
        gPool = dev.allocate(Type.FLOAT32, pooled);
        for (DeviceBlocks.Basic b : blocks) b.allocate(dev, ws, t, batch);
        for (DeviceBlocks.Up u : ups) u.allocate(dev, ws, t, batch);
        for (DeviceBlocks.Head hd : heads) hd.allocate(dev, ws, t, batch);
        this.batch = batch;
    }

    /** Runs the network on {@code input [T, B, 4, H, W]} uint8; the head outputs land in {@link #output}. */
    public void forward(ClBuffer input, boolean training) {
        stem.forward(input, null, training);
        MaxPool2dCl.forward(
                poolSpikes, poolArgmax, stem.spikes, t * batch * c0, stem.hOut, stem.wOut, POOL_K, POOL_S, POOL_P);
        ClBuffer x = poolSpikes;
        ClBuffer[] features = new ClBuffer[4];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i].forward(x, training);
            x = blocks[i].spikes();
            if (i % 2 == 1) features[i / 2] = x;
        }
        ClBuffer y = features[3];
        for (int k = 0; k < 3; k++) {
            ups[k].forward(y, features[2 - k], training);
            y = ups[k].project.spikes;
        }
        for (DeviceBlocks.Head hd : heads) hd.forward(y, training);
    }

    /**
     * Backward of a training forward, from the head output gradients {@link #outputGradient}; parameter gradients
     * accumulate.
     */
    public void backward(ClBuffer input) {
        for (ConvBnPlifLayer l : convLayers()) dev.zero(l.gSpikes);
        dev.zero(gPool);
        ClBuffer y = ups[2].project.spikes, gy = ups[2].project.gSpikes;
        for (DeviceBlocks.Head hd : heads) hd.backward(y, gy);
        for (int k = 2; k >= 0; k--) {
            DeviceBlocks.Basic skip = blocks[2 * (2 - k) + 1]; // f3, f2, f1 for up1, up2, up3
            DeviceBlocks.Basic below = k == 0 ? blocks[7] : null; // up1 reads f4
            ClBuffer gx = below != null ? below.gSpikes() : ups[k - 1].project.gSpikes;
            ups[k].backward(gx, skip.gSpikes());
        }
        for (int i = blocks.length - 1; i >= 0; i--) {
            ClBuffer x = i == 0 ? poolSpikes : blocks[i - 1].spikes();
            ClBuffer gx = i == 0 ? gPool : blocks[i - 1].gSpikes();
            blocks[i].backward(x, gx);
        }
        MaxPool2dCl.backward(
                stem.gSpikes, gPool, poolArgmax, t * batch * c0, stem.hOut, stem.wOut, POOL_K, POOL_S, POOL_P);
        stem.backward(input, null, null, null);
    }

    /** Releases the activations; {@link #allocate} makes them again. */
    public void release() {
        stem.close();
        for (DeviceBlocks.Basic b : blocks) b.close();
        for (DeviceBlocks.Up u : ups) u.close();
        for (DeviceBlocks.Head hd : heads) hd.close();
        for (ClBuffer b : new ClBuffer[] {poolSpikes, poolArgmax, gPool}) if (b != null) b.close();
        if (ws != null) ws.close();
        batch = 0;
    }

    @Override
    public void close() {
        release();
    }
}
