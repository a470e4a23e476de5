package scn.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import scn.autograd.Functional;
import scn.autograd.Parameter;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.backend.DeviceBuffer;
import scn.backend.Kernels;
import scn.backend.Profile;
import scn.backend.opencl.ClBuffer;
import scn.backend.opencl.ClDevice;
import scn.ops.ConvTrace;
import scn.tensor.Shape;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * The whole detector of SPEC section 3 (preset {@code scn-r18}): a spiking ResNet-18 encoder, an
 * M2U-Net decoder with binary skips, and three CenterNet heads averaged over time. With
 * {@code config.teacher()} every PLIF is a ReLU and the same code is the ANN teacher.
 *
 * <p>Input {@code [T, B, 4, 256, 320]} (spikes or floats), outputs {@code [B, k, 64, 80]} per head.
 */
public final class SpikingCenterNet {
    /**
     * The three head outputs, time-averaged logits / regressions {@code [B, k, 64, 80]}; offset and size are null
     * from a heatmap-only forward pass. {@code decoder} holds the decoder's three outputs {@code [T, B, c, H, W]}
     * (up1, up2, up3; the last is what the heads read), for distilling features.
     */
    public record Outputs(Var heatmap, Var offset, Var size, List<Var> decoder) {}

    /** One line of {@code summary}: a layer, its output shape and its own parameter count. */
    public record LayerInfo(String name, int[] outputShape, long parameters) {}

    /** The stem's max-pool: 3×3, stride 2, pad 1 (SPEC section 3). */
    private static final Layer.MaxPool STEM_POOL = new Layer.MaxPool(3, 2, 1);

    private final ModelConfig config;
    private final ParameterStore store;
    private final ConvBnAct stem;
    private final BasicBlock[][] layers = new BasicBlock[4][2];
    private final UpBlock[] ups = new UpBlock[3];
    private final Head heatmap, offset, size;
    private List<LayerInfo> trace;

    public SpikingCenterNet(ModelConfig config, long seed) {
        this.config = config;
        this.store = new ParameterStore(seed);
        boolean spiking = !config.teacher();
        int[] c = {config.channels(0), config.channels(1), config.channels(2), config.channels(3)};
        // Kept, not run again in the backward: its 7×7 convolution costs about 4 % of a step (bench --profile),
        // twice the depthwise layers' for as much memory.
        stem = ConvBnAct.standard(store, "encoder.stem", spiking, ModelConfig.INPUT_CHANNELS, c[0], 7, 2, 3, 1, false);
        for (int l = 0; l < 4; l++) {
            int cin = l == 0 ? c[0] : c[l - 1];
            int stride = l == 0 ? 1 : 2;
            layers[l][0] = new BasicBlock(store, "encoder.layer" + (l + 1) + ".0", spiking, cin, c[l], stride);
            layers[l][1] = new BasicBlock(store, "encoder.layer" + (l + 1) + ".1", spiking, c[l], c[l], 1);
        }
        // up1(f4, f3) → c2, up2(·, f2) → c1, up3(·, f1) → c0
        ups[0] = new UpBlock(store, "decoder.up1", spiking, c[3], c[2], c[2], config.expanded(c[3] + c[2]));
        ups[1] = new UpBlock(store, "decoder.up2", spiking, c[2], c[1], c[1], config.expanded(c[2] + c[1]));
        ups[2] = new UpBlock(store, "decoder.up3", spiking, c[1], c[0], c[0], config.expanded(c[1] + c[0]));
        heatmap = new Head(store, "heads.heatmap", spiking, c[0], config.classes(), Head.HEATMAP_BIAS);
        offset = new Head(store, "heads.offset", spiking, c[0], 2, 0f);
        size = new Head(store, "heads.size", spiking, c[0], 2, 0f);
    }

    private static Var stemPool(Var x) {
        return Functional.maxPool2d(x, STEM_POOL.kernel(), STEM_POOL.stride(), STEM_POOL.pad());
    }

    public ModelConfig config() {
        return config;
    }

    public List<Parameter> parameters() {
        return store.parameters();
    }

    /** Whether AdamW's weight decay applies to {@code p} (not to batch-norm or PLIF parameters). */
    public boolean decays(Parameter p) {
        return store.decays(p);
    }

    /**
     * Whether {@code p} belongs to a head's output convolution ({@code heads.*.out.*}): the layers that turn
     * spike rates into logits, offsets and sizes, and that a run may let learn faster (see
     * {@code TrainOptions.headLrScale}).
     */
    public boolean isHeadOutput(Parameter p) {
        return p.name().startsWith("heads.") && p.name().contains(".out.");
    }

    public long parameterCount() {
        return store.parameterCount();
    }

    /**
     * Sets every parameter that {@code other} has under the same name and shape to {@code other}'s value: a student
     * starting from its ReLU teacher's weights takes all but its PLIF time constants (which the teacher lacks) and
     * its batch norms' running statistics (which are buffers, and the ReLU network's). Returns how many were set.
     */
    public int copyParametersFrom(SpikingCenterNet other) {
        Map<String, Parameter> from = new HashMap<>();
        for (Parameter p : other.parameters()) from.put(p.name(), p);
        int copied = 0;
        for (Parameter p : parameters()) {
            Parameter src = from.get(p.name());
            if (src == null || !Arrays.equals(src.value().shape(), p.value().shape())) continue;
            p.value().copyFrom(src.value());
            copied++;
        }
        return copied;
    }

    /** Parameters and batch-norm running statistics under their canonical names. */
    public Map<String, Tensor> stateDict() {
        return store.stateDict();
    }

    /**
     * Moves the parameters and running statistics to {@code dev}; from then on the model runs there, on input
     * from {@link #input}. {@code training} gives the parameters gradients there (inference holds none). The host
     * tensors stay for checkpoints: {@link #download} and {@link #upload} keep the two in step.
     */
    public DeviceState toDevice(ClDevice dev, boolean training) {
        return store.place(dev, training);
    }

    /** Where the model runs: null on the host. */
    public DeviceState device() {
        return store.device();
    }

    /** Brings the model back to the host with the device's values, freeing its device memory. */
    public void toHost() {
        store.release();
    }

    /** Makes the host tensors (what {@link #stateDict} holds) current from the device; nothing on the host. */
    public void download() {
        if (store.device() != null) store.device().download();
    }

    /** Sends the host tensors to the device; nothing on the host. */
    public void upload() {
        if (store.device() != null) store.device().upload();
    }

    /**
     * {@code x} as the network's input where the model runs: as it is on the host, copied into a buffer of the
     * device's arena there (which the next step's {@code reset} takes back).
     */
    public Var input(SpikeTensor x) {
        DeviceState d = store.device();
        if (d == null) return Var.constant(x);
        ClBuffer b = d.device().arena().take(DeviceBuffer.Type.UINT8, x.size());
        byte[] bytes = x.data().length == x.size() ? x.data() : java.util.Arrays.copyOf(x.data(), x.size());
        d.device().write(b, bytes);
        return Var.constant(b, x.shapeRef());
    }

    /** Checks the input shape and runs the network; {@code training} selects batch statistics in batch norm. */
    public Outputs forward(Var input, boolean training) {
        return forward(input, training, true);
    }

    /**
     * As {@link #forward(Var, boolean)}; with {@code regression} false only the heatmap head runs, and the offset
     * and size of the result are null. A distillation teacher that is matched on its heatmap alone needs nothing
     * more, and its other two heads are a tenth of its forward pass.
     */
    public Outputs forward(Var input, boolean training, boolean regression) {
        int[] s = input.shape();
        if (s.length != 5
                || s[0] != config.timeSteps()
                || s[2] != ModelConfig.INPUT_CHANNELS
                || s[3] != config.inputHeight()
                || s[4] != config.inputWidth()) {
            throw new IllegalArgumentException("model input must be [T=" + config.timeSteps() + ", B, 4, "
                    + config.inputHeight() + ", " + config.inputWidth() + "], got " + Shape.str(s));
        }
        String outer = Profile.layer();
        try {
            Var x = layer("encoder.stem", stem.parameterCount(), () -> stem.forward(input, training));
            Var pooled = layer(
                    "encoder.stem.maxpool",
                    0,
                    () -> Probe.watching()
                            ? Probe.layer(
                                    new Layer(
                                            "encoder.stem.maxpool",
                                            List.of("x"),
                                            List.of(),
                                            STEM_POOL,
                                            in -> stemPool(in[0])),
                                    x)
                            : stemPool(x));
            Var[] features = new Var[4];
            Var y = pooled;
            for (int l = 0; l < 4; l++) {
                for (BasicBlock block : layers[l]) {
                    Var in = y;
                    y = layer(block.name, block.parameterCount(), () -> block.forward(in, training));
                }
                features[l] = y;
            }
            y = features[3];
            Var[] decoder = new Var[3];
            for (int k = 0; k < 3; k++) {
                UpBlock up = ups[k];
                Var in = y, skip = features[2 - k];
                y = layer(up.name, up.parameterCount(), () -> up.forward(in, skip, training));
                decoder[k] = y;
            }
            Var decoded = y;
            Var hm = layer(heatmap.name, heatmap.parameterCount(), () -> heatmap.forward(decoded, training));
            if (!regression) return new Outputs(hm, null, null, List.of(decoder));
            return new Outputs(
                    hm,
                    layer(offset.name, offset.parameterCount(), () -> offset.forward(decoded, training)),
                    layer(size.name, size.parameterCount(), () -> size.forward(decoded, training)),
                    List.of(decoder));
        } finally {
            Profile.enterLayer(outer);
        }
    }

    /** Runs one layer under its name (for the profile and the summary trace). */
    private Var layer(String name, long parameters, java.util.function.Supplier<Var> body) {
        Profile.enterLayer(name);
        Var output = body.get();
        if (trace != null) trace.add(new LayerInfo(name, output.shape().clone(), parameters));
        return output;
    }

    /**
     * Runs one forward pass on silent input of the given batch size and lists every convolution that
     * reads spikes, in the order they ran, with its geometry (time steps and batch folded into N): the
     * shapes the crossover table of {@code scn.ops.SpikeCrossovers} has to cover. Uses {@link ConvTrace},
     * which it resets and leaves off; the scalar reference kernels never consult the spike path, so they
     * must be off.
     */
    public List<ConvTrace.Row> spikeConvolutions(int batch) {
        if (Kernels.reference())
            throw new IllegalStateException(
                    "spikeConvolutions: the reference kernels do not choose a spike path; turn them off");
        ConvTrace.reset();
        ConvTrace.enable(true);
        try (var scope = Tape.noGrad()) {
            forward(
                    Var.constant(SpikeTensor.zeros(
                            config.timeSteps(),
                            batch,
                            ModelConfig.INPUT_CHANNELS,
                            config.inputHeight(),
                            config.inputWidth())),
                    false);
            return ConvTrace.rows();
        } finally {
            ConvTrace.enable(false);
            ConvTrace.reset();
        }
    }

    /** Runs one forward pass on zeros of the given batch size and lists every layer (for {@code summary}). */
    public List<LayerInfo> summary(int batch) {
        trace = new ArrayList<>();
        try (var scope = Tape.noGrad()) {
            forward(
                    Var.constant(SpikeTensor.zeros(
                            config.timeSteps(),
                            batch,
                            ModelConfig.INPUT_CHANNELS,
                            config.inputHeight(),
                            config.inputWidth())),
                    false);
            return trace;
        } finally {
            trace = null;
        }
    }
}
