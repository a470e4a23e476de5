package scn.cli;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scn.backend.SpikePath;
import scn.backend.opencl.ClDevice;
import scn.backend.opencl.Devices;
import scn.data.Dataset;
import scn.energy.EnergyEstimator;
import scn.eval.SplitEvaluation;
import scn.nn.Probe;
import scn.nn.SpikingCenterNet;
import scn.ops.ConvTrace;
import scn.train.Checkpoint;
import scn.train.Progress;

/**
 * {@code engine energy}: the SPEC section 8 estimate on real data: runs the model over samples of a
 * split with a {@link Probe} and prints, per layer and time step, the input firing rate, which path the
 * CPU forward took for the convolution (dense or event-driven, from {@link ConvTrace}), ACs, MACs and
 * energy, the totals, the ReLU teacher's MAC energy and the paper's figures for comparison.
 */
@Command(
        name = "energy",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Estimate the energy per time step (45 nm: 0.9 pJ per AC, 4.6 pJ per MAC) on a data split.")
final class EnergyCommand implements Callable<Integer> {
    @Mixin
    SplitOptions in;

    @Mixin
    DeviceOption device;

    @Option(
            names = "--samples",
            defaultValue = "256",
            description = "Samples to average over, in split order; 0: all (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--json", description = "Also write the figures to this JSON file.")
    Path json;

    @Option(
            names = "--spikes",
            defaultValue = "auto",
            description = "Convolutions on spikes: dense, sparse (event-driven) or auto, by measured density "
                    + "(default: ${DEFAULT-VALUE}); the estimate does not depend on it, the path column does.")
    String spikes;

    @Override
    public Integer call() throws IOException {
        if (in.batch < 1 || samples < 0) {
            System.err.println("energy: --batch must be >= 1 and --samples >= 0");
            return 2;
        }
        SpikePath.Mode path;
        try {
            path = SpikePath.parse(spikes);
        } catch (IllegalArgumentException e) {
            System.err.println("energy: " + e.getMessage());
            return 2;
        }
        SpikingCenterNet model = Checkpoint.loadModel(in.checkpoint);
        // On a device the counts are taken there, each layer's input reduced to three numbers (EnergyCountCl).
        ClDevice dev = device.onCpu() ? null : Devices.openCl(device.spec());
        if (dev == null) Devices.logCpu();
        else model.toDevice(dev, false);
        EnergyEstimator.Report r;
        SpikePath.Mode before = SpikePath.mode();
        SpikePath.force(path);
        ConvTrace.reset();
        ConvTrace.enable(true);
        try (Dataset ds = SplitEvaluation.openSplit(in.data, in.split)) {
            long want = samples == 0 ? ds.size() : Math.min(samples, ds.size());
            try (Progress progress = Progress.of("energy", want).unit("samples").start()) {
                r = EnergyEstimator.measure(model, ds, want, in.batch, progress::update);
            }
        } finally {
            ConvTrace.enable(false);
            SpikePath.force(before);
            if (dev != null) {
                model.toHost();
                dev.close();
            }
        }
        Map<String, String> paths = new HashMap<>(); // layer → forward path of its convolution on spikes
        for (ConvTrace.Row row : ConvTrace.rows()) paths.put(row.layer(), row.forwardPath());
        print(model, r, path, paths);
        if (json != null)
            Files.writeString(
                    json,
                    new GsonBuilder()
                                    .setPrettyPrinting()
                                    .serializeSpecialFloatingPointValues()
                                    .create()
                                    .toJson(toJson(model, r, paths))
                            + "\n");
        return 0;
    }

    private static void print(
            SpikingCenterNet model, EnergyEstimator.Report r, SpikePath.Mode mode, Map<String, String> paths) {
        System.out.printf("model: %s; %d samples, per sample and time step:%n", model.config(), r.samples());
        System.out.printf(
                "  (path: the CPU forward's convolution, sparse = event-driven, with --spikes %s)%n",
                mode.name().toLowerCase(Locale.ROOT));
        System.out.printf(
                "  %-34s %8s %-6s %12s %12s %11s %12s%n",
                "layer", "in rate", "path", "ACs", "MACs", "energy µJ", "teacher µJ");
        for (EnergyEstimator.LayerReport l : r.layers()) {
            String rate = Double.isNaN(l.inputFiringRate())
                    ? "-"
                    : String.format(Locale.ROOT, "%7.2f%%", 100 * l.inputFiringRate());
            System.out.printf(
                    Locale.ROOT,
                    "  %-34s %8s %-6s %12.0f %12.0f %11.3f %12.3f%n",
                    l.name(),
                    rate,
                    paths.getOrDefault(l.name(), "-"),
                    l.acs(),
                    l.macs(),
                    l.energyPj() * 1e-6,
                    l.teacherMacs() * EnergyEstimator.PJ_PER_MAC * 1e-6);
        }
        System.out.printf(
                Locale.ROOT,
                "  %-34s %7.2f%% %-6s %12.0f %12.0f %11.3f %12.3f%n",
                "total",
                100 * r.firingRate(),
                "",
                r.acs(),
                r.macs(),
                r.energyPj() * 1e-6,
                r.teacherEnergyPj() * 1e-6);
        System.out.printf(
                Locale.ROOT,
                "energy per time step: %.4f mJ (%.3g ACs at 0.9 pJ, %.3g MACs at 4.6 pJ); teacher (ReLU, dense MACs): %.4f mJ (%.1fx)%n",
                r.energyPj() * 1e-9,
                r.acs(),
                r.macs(),
                r.teacherEnergyPj() * 1e-9,
                r.teacherEnergyPj() / Math.max(1e-30, r.energyPj()));
        System.out.println(
                "paper (GEN1, full width): 0.999 mJ with KD (firing rate 17.4 %), 0.619 mJ without KD (10.8 %); spiking SSD (Cordone et al.) 2.097 mJ");
    }

    private static Map<String, Object> toJson(
            SpikingCenterNet model, EnergyEstimator.Report r, Map<String, String> paths) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model.config().toMetadata());
        m.put("samples", r.samples());
        m.put("time_steps", r.timeSteps());
        m.put("per", "sample and time step");
        m.put("pj_per_ac", EnergyEstimator.PJ_PER_AC);
        m.put("pj_per_mac", EnergyEstimator.PJ_PER_MAC);
        List<Map<String, Object>> layers = r.layers().stream()
                .map(l -> {
                    Map<String, Object> o = new LinkedHashMap<>();
                    o.put("name", l.name());
                    o.put("input_firing_rate", Double.isNaN(l.inputFiringRate()) ? null : l.inputFiringRate());
                    o.put("binary_input", l.binaryInput());
                    o.put("path", paths.get(l.name())); // sparse (event-driven), dense or mixed; absent where no
                    // convolution ran
                    // on spikes
                    o.put("acs", l.acs());
                    o.put("macs", l.macs());
                    o.put("energy_mj", l.energyPj() * 1e-9);
                    o.put("teacher_macs", l.teacherMacs());
                    return o;
                })
                .toList();
        m.put("layers", layers);
        m.put("acs", r.acs());
        m.put("macs", r.macs());
        m.put("firing_rate", r.firingRate());
        m.put("energy_mj", r.energyPj() * 1e-9);
        m.put("teacher_macs", r.teacherMacs());
        m.put("teacher_energy_mj", r.teacherEnergyPj() * 1e-9);
        return m;
    }
}
