package scn.cli;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scn.autograd.Var;
import scn.backend.SpikePath;
import scn.backend.opencl.ClDevice;
import scn.backend.opencl.Devices;
import scn.check.Candidate;
import scn.check.ClCandidate;
import scn.check.CpuFast;
import scn.check.LayerCheck;
import scn.check.LayerRow;
import scn.model.ModelFiles;
import scn.model.io.SafeTensors;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Tensor;

/**
 * {@code engine check-paths}: the layer-by-layer equivalence check ({@link LayerCheck}) of a fast path
 * against the scalar reference on given weights and input: the CPU's fast path ({@code --device cpu}, the
 * default) or the OpenCL kernels ({@code --device opencl[:N]}, the spiking network only; see
 * {@link ClCandidate}). One row per layer; exits 1 on anything the float32 bounds do not explain, naming
 * the layer, the tensor, the worst element and its error.
 */
@Command(
        name = "check-paths",
        mixinStandardHelpOptions = true,
        description = {
            "Check a fast path (CPU or OpenCL) layer by layer against the scalar reference, each layer fed the reference's input (teacher forcing).",
            "Spikes that differ are accepted only where the reference's membrane potential lies within a float32 bound of the threshold."
        })
final class CheckPathsCommand implements Callable<Integer> {
    @Option(
            names = "--weights",
            description = "Model weights (.safetensors, canonical names); default: a fresh model drawn with --seed.")
    Path weights;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed of the fresh model when no --weights are given (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--input",
            required = true,
            description = "Input .npy, float32 or uint8 [T, B, 4, 240, 304] (padded to 256×320) or [T, B, 4, H, W], "
                    + "H and W multiples of 32.")
    Path input;

    @Option(
            names = "--boxes",
            description = "Boxes .npy, float32 [B, N, 5]: the gradients then come from the CenterNet loss; "
                    + "without, from fixed random gradients of the head outputs.")
    Path boxes;

    @Option(names = "--width", description = "Channel width multiplier (default: the weights' metadata, else 1.0).")
    Double width;

    @Option(names = "--expansion", description = "Decoder expansion ratio (default: the weights' metadata, else 1.5).")
    Double expansion;

    @Option(
            names = "--teacher",
            description = "The weights are the ReLU teacher's (default: the weights' metadata says so).")
    boolean teacher;

    @Option(
            names = "--eval",
            description =
                    "Check the evaluation-mode forward (running statistics, no backward) instead of a training step.")
    boolean eval;

    @Option(
            names = "--spikes",
            defaultValue = "auto",
            description = "Convolutions on spikes in the fast path: dense, sparse or auto (default: ${DEFAULT-VALUE}).")
    String spikes;

    @Option(names = "--json", description = "Also write the rows and problems to this JSON file.")
    Path json;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws IOException {
        boolean cpu = device.onCpu();
        if (!cpu && teacher) {
            // The device candidate checks the spiking layers; a ReLU layer is never run on the CPU in its place.
            System.err.println("check-paths: --teacher checks on the CPU only (the OpenCL candidate checks the spiking "
                    + "layers); drop --device " + device.spec());
            return 2;
        }
        ClDevice dev = null;
        if (cpu) {
            Devices.logCpu();
        } else {
            try {
                dev = Devices.openCl(device.spec());
            } catch (IllegalArgumentException | IllegalStateException e) {
                System.err.println("check-paths: " + e.getMessage());
                return 2;
            }
        }
        try {
            SpikePath.force(SpikePath.parse(spikes)); // read by the CPU's fast path only
            Var x = DumpStepCommand.readInput(input);
            int t = x.shape()[0], b = x.shape()[1];
            Tensor boxTensor = boxes == null ? null : DumpStepCommand.readBoxes(boxes, b);
            ModelConfig saved =
                    weights != null ? ModelConfig.fromMetadata(SafeTensors.metadata(weights)) : ModelConfig.defaults();
            if (width == null
                    && weights != null
                    && !SafeTensors.metadata(weights).containsKey("width")) width = widthOf(weights);
            ModelConfig config = new ModelConfig(
                            width != null ? width : saved.width(),
                            expansion != null ? expansion : saved.expansion(),
                            t,
                            saved.classes(),
                            teacher || saved.teacher())
                    .withInput(x.shape()[3], x.shape()[4]);
            if (dev != null && config.teacher()) {
                System.err.println(
                        "check-paths: the weights are the ReLU teacher's, which checks on the CPU only; drop --device "
                                + device.spec());
                return 2;
            }
            SpikingCenterNet model = new SpikingCenterNet(config, seed);
            if (weights != null) ModelFiles.loadInto(weights, model);
            Candidate candidate = dev == null ? new CpuFast() : new ClCandidate(dev);
            System.err.println("check-paths: " + config + "; " + candidate.describe()
                    + " against the scalar reference, " + (eval ? "evaluation forward" : "training step"));
            LayerCheck.Report report = LayerCheck.run(model, x, boxTensor, !eval, candidate);
            print(report);
            if (json != null) writeJson(json, report);
            if (report.passed()) {
                System.out.println("passed: every difference is within float32 round-off ("
                        + report.rows().size() + " layers)");
                return 0;
            }
            System.out.println("FAILED: " + report.problems().size() + " unexplained difference(s):");
            report.problems().forEach(p -> System.out.println("  " + p));
            return 1;
        } finally {
            if (dev != null) dev.close();
        }
    }

    /**
     * The width of weights saved without metadata (by another framework, say), from the stem's output
     * channels, {@code round(64·width)}; null when the file has no such tensor.
     */
    private static Double widthOf(Path file) throws IOException {
        Tensor stem = SafeTensors.read(file).get("encoder.stem.conv.weight");
        if (stem == null || stem.rank() != 4) return null;
        double w = stem.dim(0) / (double) ModelConfig.BASE_CHANNELS[0];
        System.err.println("check-paths: " + file + " has no width in its metadata; its stem has " + stem.dim(0)
                + " channels, so width " + w);
        return w;
    }

    static void print(LayerCheck.Report report) {
        System.out.printf(
                Locale.ROOT,
                "%-34s %-13s %10s %9s %9s %9s %9s %10s  %s%n",
                "layer",
                "kind",
                "pre err",
                "err/bnd",
                "spikes",
                "differ",
                "flips",
                "explained",
                "worst gradient (err/allowed)");
        for (LayerRow r : report.rows()) {
            String grad = r.gradErrors().entrySet().stream()
                    .max(Map.Entry.comparingByValue())
                    .map(e -> String.format(Locale.ROOT, "%.2e %s", e.getValue(), e.getKey()))
                    .orElse("-");
            System.out.printf(
                    Locale.ROOT,
                    "%-34s %-13s %10.2e %9.3f %9d %9d %9d %10d  %s%n",
                    r.layer(),
                    r.kind(),
                    r.preError(),
                    r.preBoundRatio(),
                    r.spikes(),
                    r.differing(),
                    r.flips(),
                    r.explained(),
                    grad);
        }
    }

    static void writeJson(Path file, LayerCheck.Report report) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("candidate", report.candidate());
        root.put("mode", report.training() ? "train" : "eval");
        root.put("passed", report.passed());
        root.put(
                "rows",
                report.rows().stream()
                        .map(r -> {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("layer", r.layer());
                            m.put("kind", r.kind());
                            m.put("elements", r.elements());
                            m.put("output_error", r.outputError());
                            m.put("pre_error", r.preError());
                            m.put("pre_bound_ratio", r.preBoundRatio());
                            m.put("spikes", r.spikes());
                            m.put("differing", r.differing());
                            m.put("flips", r.flips());
                            m.put("explained", r.explained());
                            m.put("closest", Double.isNaN(r.closest()) ? null : r.closest());
                            m.put("grad_errors", r.gradErrors());
                            return m;
                        })
                        .toList());
        root.put(
                "problems",
                report.problems().stream()
                        .map(p -> Map.of("layer", p.layer(), "tensor", p.tensor(), "detail", p.detail()))
                        .toList());
        Files.writeString(
                file,
                new GsonBuilder()
                                .setPrettyPrinting()
                                .serializeSpecialFloatingPointValues()
                                .create()
                                .toJson(root) + "\n");
    }
}
