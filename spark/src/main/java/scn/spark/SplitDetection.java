package scn.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import scn.backend.Parallel;
import scn.cli.DeviceOption;
import scn.data.Boxes;
import scn.data.Dataset;
import scn.detect.SplitDetector;
import scn.eval.SplitEvaluation;
import scn.train.Checkpoint;

/**
 * Detection over a whole split on Spark, one task per recording: each task loads the weights, opens its recording's
 * part of the split ({@link Dataset#open(Path, String, java.util.function.Predicate)}) and runs the same detection as
 * the engine's {@code detect} and {@code eval} ({@link SplitDetector#run}); the driver gathers the boxes per
 * recording. The checkpoint and the data must be at the same path for every executor. A task computes on the device
 * the command names, else on the GPU Spark gave it, else on the CPU ({@link TaskDevices}). The split is indexed
 * first, its recordings in tasks of their own where the cache lacks them ({@link SplitIndex}).
 *
 * <p>A recording's samples go through the network in batches of their own, whereas the local command's batches run
 * on across recordings. In evaluation mode a sample's arithmetic is its own (batch norm uses its running statistics)
 * but for one thing: a spike convolution takes the event-driven or the dense path by the spike density of the whole
 * batch ({@code scn.ops.SpikeConv}), and the two paths may round differently. So a sample whose batch-mates differ
 * may score a hair apart; the module's tests, at batch 4 with a batch across two recordings, find every box equal bit
 * for bit.
 */
public final class SplitDetection {
    private SplitDetection() {}

    /** One recording's detections, as plain arrays, and the device they were made on (what a task sends back). */
    record Found(
            String recording,
            String device,
            long[] t,
            float[] x,
            float[] y,
            float[] w,
            float[] h,
            int[] classId,
            float[] confidence)
            implements Serializable {
        static Found of(String recording, String device, Boxes b) {
            int n = b.size();
            Found f = new Found(
                    recording,
                    device,
                    new long[n],
                    new float[n],
                    new float[n],
                    new float[n],
                    new float[n],
                    new int[n],
                    new float[n]);
            for (int i = 0; i < n; i++) {
                f.t[i] = b.t(i);
                f.x[i] = b.x(i);
                f.y[i] = b.y(i);
                f.w[i] = b.w(i);
                f.h[i] = b.h(i);
                f.classId[i] = b.classId(i);
                f.confidence[i] = b.confidence(i);
            }
            return f;
        }

        Boxes boxes() {
            Boxes b = new Boxes();
            for (int i = 0; i < t.length; i++) b.add(t[i], x[i], y[i], w[i], h[i], classId[i], 0, confidence[i]);
            return b;
        }
    }

    /**
     * The detections of {@code checkpoint} over split {@code split} of {@code data}, per recording in name order
     * (recordings without a usable sample are absent), as {@link SplitDetector#run} gives them; each task on
     * {@code device}, or on its own GPU when that is null. The devices the tasks ran on are logged.
     */
    public static Map<String, Boxes> run(
            JavaSparkContext spark, Path checkpoint, Path data, String split, int batch, String device)
            throws IOException {
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        Checkpoint.loadModel(checkpoint); // refuse a bad file here, once, rather than in every task
        SplitIndex.run(spark, data, split); // the tasks reuse the cache
        List<String> recordings;
        try (Dataset ds = SplitEvaluation.openSplit(data, split)) {
            LinkedHashSet<String> names = new LinkedHashSet<>();
            for (int i = 0; i < ds.size(); i++) names.add(ds.recordingName(i));
            recordings = new ArrayList<>(names);
        }
        String weights = checkpoint.toString(), root = data.toString();
        List<Found> found = spark.parallelize(recordings, recordings.size())
                .map(name -> detect(weights, root, split, name, batch, device))
                .collect();
        Map<String, Boxes> out = new TreeMap<>();
        for (Found f : found) out.put(f.recording(), f.boxes());
        System.err.println("detections: tasks ran on "
                + TaskDevices.summary(found.stream().map(Found::device).toList()));
        return out;
    }

    private static Found detect(String weights, String root, String split, String recording, int batch, String device) {
        String on = TaskDevices.of(TaskContext.get(), device);
        try (Dataset part = Dataset.open(Path.of(root), split, recording::equals);
                DeviceOption.Inference alone = DeviceOption.inference(on, Checkpoint.loadModel(Path.of(weights)))) {
            // tasks of one executor take turns, so that each forward splits over the threads as it would alone
            SplitDetector.Forward forward = input -> Parallel.exclusively(() -> alone.apply(input));
            Map<String, Boxes> got = SplitDetector.run(forward, part, batch, null, null);
            return Found.of(recording, on, got.getOrDefault(recording, new Boxes()));
        } catch (IOException e) {
            throw new UncheckedIOException(recording + ": " + e.getMessage(), e);
        }
    }
}
