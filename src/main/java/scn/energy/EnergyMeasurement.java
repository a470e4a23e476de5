package scn.energy;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongConsumer;
import scn.backend.Parallel;
import scn.backend.SpikePath;
import scn.backend.opencl.ClDevice;
import scn.backend.opencl.Devices;
import scn.data.Dataset;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.ops.ConvTrace;

/**
 * What {@code engine energy} measures on (part of) a split, and its report: the {@link EnergyEstimator} counts, and
 * for every convolution on spikes how many forward passes took the event-driven and the dense path
 * ({@link ConvTrace}). Measurements of parts add up ({@link #plus}) to the whole's, which is how the Spark module's
 * {@code energy} measures a split one recording per task.
 */
public record EnergyMeasurement(EnergyEstimator.Counts counts, List<PathCount> paths) implements Serializable {
    /** How many forward passes of a convolution on spikes took the event-driven ({@code sparse}) and the dense path. */
    public record PathCount(String layer, int sparse, int dense) implements Serializable {
        /** {@code sparse}, {@code dense} or {@code mixed}, as {@link ConvTrace.Row#forwardPath()} says it. */
        public String path() {
            return ConvTrace.Row.path(sparse, dense);
        }
    }

    public EnergyMeasurement {
        paths = List.copyOf(paths);
    }

    /**
     * Measures {@code model} on device {@code device} ({@code cpu} or {@code opencl[:N]}; the model is placed there and
     * brought back) over exactly the first {@code samples} samples of {@code part}, in batches of {@code batch}, with
     * convolutions on spikes forced to {@code spikes}; {@code progress} hears the samples done.
     *
     * <p>The spike path and the convolution trace are the process's, so measurements in one process (Spark tasks in
     * local mode) take turns, each a whole measurement at a time.
     */
    public static EnergyMeasurement measure(
            SpikingCenterNet model,
            String device,
            Dataset part,
            long samples,
            int batch,
            SpikePath.Mode spikes,
            LongConsumer progress)
            throws IOException {
        try {
            return Parallel.exclusively(() -> {
                try {
                    return measureAlone(model, device, part, samples, batch, spikes, progress);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static EnergyMeasurement measureAlone(
            SpikingCenterNet model,
            String device,
            Dataset part,
            long samples,
            int batch,
            SpikePath.Mode spikes,
            LongConsumer progress)
            throws IOException {
        // On a device the counts are taken there, each layer's input reduced to three numbers (EnergyCountCl).
        ClDevice dev = Devices.isCpu(device) ? null : Devices.openCl(device);
        if (dev == null) Devices.logCpu();
        else model.toDevice(dev, false);
        SpikePath.Mode before = SpikePath.mode();
        SpikePath.force(spikes);
        ConvTrace.reset();
        ConvTrace.enable(true);
        try {
            EnergyEstimator.Counts counts = EnergyEstimator.count(model, part, samples, batch, progress);
            List<PathCount> paths = new ArrayList<>();
            for (ConvTrace.Row row : ConvTrace.rows())
                if (row.forwardSparse() + row.forwardDense() > 0)
                    paths.add(new PathCount(row.layer(), row.forwardSparse(), row.forwardDense()));
            return new EnergyMeasurement(counts, paths);
        } finally {
            ConvTrace.enable(false);
            SpikePath.force(before);
            if (dev != null) {
                model.toHost();
                dev.close();
            }
        }
    }

    /** The measurement over this part and {@code other}: counts and passes summed, layers in this one's order first. */
    public EnergyMeasurement plus(EnergyMeasurement other) {
        Map<String, PathCount> sum = new LinkedHashMap<>();
        for (PathCount p : paths) sum.put(p.layer(), p);
        for (PathCount p : other.paths)
            sum.merge(p.layer(), p, (a, b) -> new PathCount(a.layer(), a.sparse() + b.sparse(), a.dense() + b.dense()));
        return new EnergyMeasurement(counts.plus(other.counts), new ArrayList<>(sum.values()));
    }

    /** The figures per sample and time step of a model of {@code timeSteps} steps. */
    public EnergyEstimator.Report report(int timeSteps) {
        return EnergyEstimator.report(counts, timeSteps);
    }

    /** Layer → forward path of its convolution on spikes ({@code sparse}, {@code dense}, {@code mixed}). */
    public Map<String, String> forwardPaths() {
        Map<String, String> out = new LinkedHashMap<>();
        for (PathCount p : paths) out.put(p.layer(), p.path());
        return out;
    }

    /** The table {@code engine energy} prints: per layer and the totals, then the paper's figures. */
    public void print(ModelConfig config, SpikePath.Mode mode, PrintStream out) {
        EnergyEstimator.Report r = report(config.timeSteps());
        Map<String, String> forward = forwardPaths();
        out.printf("model: %s; %d samples, per sample and time step:%n", config, r.samples());
        out.printf(
                "  (path: the CPU forward's convolution, sparse = event-driven, with --spikes %s)%n",
                mode.name().toLowerCase(Locale.ROOT));
        out.printf(
                "  %-34s %8s %-6s %12s %12s %11s %12s%n",
                "layer", "in rate", "path", "ACs", "MACs", "energy µJ", "teacher µJ");
        for (EnergyEstimator.LayerReport l : r.layers()) {
            String rate = Double.isNaN(l.inputFiringRate())
                    ? "-"
                    : String.format(Locale.ROOT, "%7.2f%%", 100 * l.inputFiringRate());
            out.printf(
                    Locale.ROOT,
                    "  %-34s %8s %-6s %12.0f %12.0f %11.3f %12.3f%n",
                    l.name(),
                    rate,
                    forward.getOrDefault(l.name(), "-"),
                    l.acs(),
                    l.macs(),
                    l.energyPj() * 1e-6,
                    l.teacherMacs() * EnergyEstimator.PJ_PER_MAC * 1e-6);
        }
        out.printf(
                Locale.ROOT,
                "  %-34s %7.2f%% %-6s %12.0f %12.0f %11.3f %12.3f%n",
                "total",
                100 * r.firingRate(),
                "",
                r.acs(),
                r.macs(),
                r.energyPj() * 1e-6,
                r.teacherEnergyPj() * 1e-6);
        out.printf(
                Locale.ROOT,
                "energy per time step: %.4f mJ (%.3g ACs at 0.9 pJ, %.3g MACs at 4.6 pJ); teacher (ReLU, dense MACs): %.4f mJ (%.1fx)%n",
                r.energyPj() * 1e-9,
                r.acs(),
                r.macs(),
                r.teacherEnergyPj() * 1e-9,
                r.teacherEnergyPj() / Math.max(1e-30, r.energyPj()));
        out.println(
                "paper (GEN1, full width): 0.999 mJ with KD (firing rate 17.4 %), 0.619 mJ without KD (10.8 %); spiking SSD (Cordone et al.) 2.097 mJ");
    }

    /** The figures as the JSON file {@code engine energy --json} writes. */
    public String json(ModelConfig config) {
        EnergyEstimator.Report r = report(config.timeSteps());
        Map<String, String> forward = forwardPaths();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", config.toMetadata());
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
                    // sparse (event-driven), dense or mixed; absent where no convolution ran on spikes
                    o.put("path", forward.get(l.name()));
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
        return new GsonBuilder()
                        .setPrettyPrinting()
                        .serializeSpecialFloatingPointValues()
                        .create()
                        .toJson(m)
                + "\n";
    }
}
