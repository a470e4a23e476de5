package scn.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import scn.backend.SpikePath;
import scn.data.Dataset;
import scn.energy.EnergyEstimator;
import scn.energy.EnergyMeasurement;
import scn.eval.SplitEvaluation;
import scn.nn.SpikingCenterNet;
import scn.train.Checkpoint;

/**
 * The energy estimate over a split on Spark, one task per recording: the driver finds which samples the engine's
 * {@code energy} would measure (the first {@code --samples} in split order, in whole batches:
 * {@link EnergyEstimator#samplesMeasured}), each task measures its recording's share of them
 * ({@link EnergyMeasurement#measure}) and the driver adds the tasks' integer counts in recording order. Integer sums
 * do not depend on their order, and the per-sample figures are then computed once from the totals, as the local
 * command computes them, so the report and the JSON equal the local command's for the same counts.
 *
 * <p>Where the counts themselves may differ: a task's batches hold one recording (the last cut short where its share
 * ends), whereas the local command's run on across recordings. In evaluation mode a sample's arithmetic is its own
 * but for the path each spike convolution takes, which {@code --spikes auto} chooses by the spike density of the
 * whole batch ({@code scn.ops.SpikeConv}); the event-driven and dense paths may round differently, and a value that
 * rounds across a neuron's threshold changes a spike, and with it the counts downstream. The same choice makes the
 * path column ({@code sparse}, {@code dense}, {@code mixed}) depend on the batches. With {@code --spikes dense} or
 * {@code sparse} no choice is made; the module's tests, at batch 4 with {@code auto}, a local batch across two
 * recordings and a task's batch cut short, find every figure and path equal.
 */
public final class SplitEnergy {
    private SplitEnergy() {}

    /** The measurement of the split, summed in recording order, and the device each task computed on. */
    public record Result(EnergyMeasurement measurement, List<String> devices) {}

    /** One task's share: its recording and how many of that recording's first samples it measures. */
    record Share(String recording, long samples) implements Serializable {}

    /** What a task sends back. */
    record Part(EnergyMeasurement measurement, String device) implements Serializable {}

    /**
     * Measures {@code checkpoint} over the first {@code samples} samples of split {@code split} of {@code data} (0:
     * all) in batches of {@code batch}, convolutions on spikes forced to {@code spikes}, each task on {@code device},
     * or its own GPU when that is null ({@link TaskDevices}).
     */
    public static Result run(
            JavaSparkContext spark,
            Path checkpoint,
            Path data,
            String split,
            long samples,
            int batch,
            SpikePath.Mode spikes,
            String device)
            throws IOException {
        if (batch < 1 || samples < 0)
            throw new IllegalArgumentException(
                    "--batch must be >= 1 and --samples >= 0, got " + batch + ", " + samples);
        Checkpoint.loadModel(checkpoint); // refuse a bad file here, once, rather than in every task
        SplitIndex.run(spark, data, split); // the tasks reuse the cache
        Map<String, Long> shares = new LinkedHashMap<>(); // recording → samples, in split order
        try (Dataset ds = SplitEvaluation.openSplit(data, split)) {
            long measured = EnergyEstimator.samplesMeasured(samples, batch, ds.size());
            for (int i = 0; i < measured; i++) shares.merge(ds.recordingName(i), 1L, Long::sum);
        }
        List<Share> todo = new ArrayList<>();
        shares.forEach((name, n) -> todo.add(new Share(name, n)));
        String weights = checkpoint.toString(), root = data.toString();
        List<Part> parts = spark.parallelize(todo, todo.size())
                .map(s -> measure(weights, root, split, s, batch, spikes, device))
                .collect(); // in the order of todo: the recordings'
        EnergyMeasurement sum = parts.get(0).measurement();
        for (Part p : parts.subList(1, parts.size())) sum = sum.plus(p.measurement());
        return new Result(sum, parts.stream().map(Part::device).toList());
    }

    private static Part measure(
            String weights, String root, String split, Share share, int batch, SpikePath.Mode spikes, String device) {
        String on = TaskDevices.of(TaskContext.get(), device);
        try (Dataset part = Dataset.open(Path.of(root), split, share.recording()::equals)) {
            SpikingCenterNet model = Checkpoint.loadModel(Path.of(weights));
            return new Part(EnergyMeasurement.measure(model, on, part, share.samples(), batch, spikes, n -> {}), on);
        } catch (IOException e) {
            throw new UncheckedIOException(share.recording() + ": " + e.getMessage(), e);
        }
    }
}
