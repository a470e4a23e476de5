package scn.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scn.autograd.Parameter;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.backend.Kernels;
import scn.data.NpyArray;
import scn.data.events.DataFormatException;
import scn.detect.CenterNetLoss;
import scn.detect.CenterNetTargets;
import scn.model.ModelFiles;
import scn.model.io.SafeTensors;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * {@code engine dump-step}: one training-mode step (batch norm on batch statistics) — forward, the
 * detection loss, backward, no update — with everything written to one safetensors file: the
 * time-averaged head outputs, the loss terms and the gradient of every trained parameter. It is how
 * this engine is checked against another framework given the same weights and inputs.
 */
@Command(
        name = "dump-step",
        mixinStandardHelpOptions = true,
        description = "Run one training-mode step on given weights and inputs and write outputs, losses and gradients.")
final class DumpStepCommand implements Callable<Integer> {
    @Option(names = "--weights", required = true, description = "Model weights (.safetensors, canonical names).")
    Path weights;

    @Option(
            names = "--input",
            required = true,
            description = "Input .npy, float32 or uint8 [T, B, 4, 240, 304] or [T, B, 4, 256, 320].")
    Path input;

    @Option(
            names = "--boxes",
            required = true,
            description = "Boxes .npy, float32 [B, N, 5] rows (x, y, w, h, class); class < 0 is padding.")
    Path boxes;

    @Option(names = "--out", required = true, description = "Output .safetensors.")
    Path out;

    @Option(
            names = "--width",
            defaultValue = "1.0",
            description = "Channel width multiplier (default: ${DEFAULT-VALUE}).")
    double width;

    @Option(
            names = "--expansion",
            defaultValue = "1.5",
            description = "Decoder expansion ratio (default: ${DEFAULT-VALUE}).")
    double expansion;

    @Option(names = "--teacher", description = "The weights are the ReLU teacher's.")
    boolean teacher;

    @Option(names = "--reference", description = "Force the plain scalar reference kernels.")
    boolean reference;

    @Override
    public Integer call() throws IOException {
        Kernels.forceReference(reference);
        System.err.println("backend: " + Kernels.describe());
        Var x = readInput(input);
        int t = x.shape()[0], b = x.shape()[1];
        Tensor boxTensor = readBoxes(boxes, b);
        SpikingCenterNet model = new SpikingCenterNet(
                new ModelConfig(width, expansion, t, 2, teacher).withInput(x.shape()[3], x.shape()[4]), 0);
        ModelFiles.loadInto(weights, model);

        SpikingCenterNet.Outputs o = model.forward(x, true);
        CenterNetTargets.Geometry geometry = new CenterNetTargets.Geometry(
                2, model.config().gridHeight(), model.config().gridWidth(), ModelConfig.STRIDE, 100);
        CenterNetLoss.Terms loss = CenterNetLoss.compute(
                o.heatmap(), o.offset(), o.size(), CenterNetTargets.forBatch(geometry, boxTensor));
        Tape.backward(loss.total());

        Map<String, Tensor> result = new LinkedHashMap<>();
        result.put("out.heatmap", o.heatmap().value().copy());
        result.put("out.offset", o.offset().value().copy());
        result.put("out.size", o.size().value().copy());
        result.put("loss.total", Tensor.scalar(loss.total().value().item()));
        result.put("loss.heatmap", Tensor.scalar(loss.heatmap()));
        result.put("loss.offset", Tensor.scalar(loss.offset()));
        result.put("loss.size", Tensor.scalar(loss.size()));
        for (Parameter p : model.parameters())
            result.put("grad." + p.name(), p.grad() != null ? p.grad().copy() : Tensor.zeros(p.shape()));
        SafeTensors.write(
                out,
                result,
                Map.of("command", "dump-step", "model", model.config().toString()));
        System.out.printf(
                "loss %.6f (heatmap %.6f, offset %.6f, size %.6f); wrote %s%n",
                loss.total().value().item(), loss.heatmap(), loss.offset(), loss.size(), out);
        return 0;
    }

    /**
     * The input as spikes when it is binary (as encoded events are), else as floats. GEN1's sensor size
     * (240×304) is padded to 256×320; any other size must be a multiple of 32 and is taken as it is (the
     * model is then built for it, see {@link ModelConfig#withInput}).
     */
    static Var readInput(Path file) throws IOException {
        NpyArray npy = NpyArray.read(file);
        long[] s = npy.shape();
        boolean sensor = s.length == 5 && s[3] == ModelConfig.SENSOR_HEIGHT && s[4] == ModelConfig.SENSOR_WIDTH;
        boolean padded = s.length == 5 && s[3] % 32 == 0 && s[4] % 32 == 0 && s[3] > 0 && s[4] > 0;
        if (!(sensor || padded) || s[2] != ModelConfig.INPUT_CHANNELS) {
            throw new DataFormatException(
                    file,
                    "input must have shape [T, B, 4, 240, 304] or [T, B, 4, H, W] with H and W multiples of 32 (256, 320 for GEN1), found "
                            + java.util.Arrays.toString(s));
        }
        NpyArray.Field f = npy.fields().get(0);
        boolean floats = f.kind() == 'f' && f.size() == 4, bytes = f.kind() == 'u' && f.size() == 1;
        if (npy.isStructured() || !(floats || bytes)) {
            throw new DataFormatException(file, "input must be float32 or uint8, found " + f.kind() + (f.size() * 8));
        }
        int t = (int) s[0], b = (int) s[1], h = (int) s[3], w = (int) s[4];
        float[] values = npy.toFloatArray(); // [T, B, 4, h, w]
        int planes = t * b * ModelConfig.INPUT_CHANNELS;
        int ph = sensor ? ModelConfig.INPUT_HEIGHT : h, pw = sensor ? ModelConfig.INPUT_WIDTH : w;
        float[] full = new float[planes * ph * pw]; // [T, B, 4, ph, pw]
        boolean binary = true;
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    float v = values[(p * h + y) * w + xx];
                    if (!Float.isFinite(v))
                        throw new DataFormatException(file, "input element " + ((p * h + y) * w + xx) + " is " + v);
                    binary &= v == 0f || v == 1f;
                    full[(p * ph + y) * pw + xx] = v;
                }
            }
        }
        Tensor tensor = Tensor.wrap(full, t, b, ModelConfig.INPUT_CHANNELS, ph, pw);
        return binary ? Var.constant(SpikeTensor.fromFloat(tensor)) : Var.constant(tensor);
    }

    static Tensor readBoxes(Path file, int batch) throws IOException {
        NpyArray npy = NpyArray.read(file);
        long[] s = npy.shape();
        NpyArray.Field f = npy.fields().get(0);
        if (npy.isStructured() || f.kind() != 'f' || f.size() != 4) {
            throw new DataFormatException(file, "boxes must be a plain float32 array [B, N, 5]");
        }
        if (s.length != 3 || s[0] != batch || s[2] != 5) {
            throw new DataFormatException(
                    file, "boxes must have shape [B=" + batch + ", N, 5], found " + java.util.Arrays.toString(s));
        }
        return Tensor.wrap(npy.toFloatArray(), batch, (int) s[1], 5);
    }
}
