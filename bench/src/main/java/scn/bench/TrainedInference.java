package scn.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import scn.backend.Profile;
import scn.backend.SpikePath;
import scn.data.Batch;
import scn.data.DataLoader;
import scn.data.Dataset;
import scn.detect.SplitDetector;
import scn.model.ModelFiles;
import scn.nn.SpikingCenterNet;
import scn.tensor.Arena;

/**
 * Inference of a trained model on real samples, dense against event-driven ({@code auto}): the firing
 * rates a trained network has on its own data, which {@code engine bench} (default initialisation,
 * random input) cannot show. Evaluation mode (running statistics), the first {@code batches} batches of
 * a split in order, the two paths alternating batch by batch in one process; three rounds, the first
 * one warming up.
 *
 * <p>{@code java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar scn.bench.TrainedInference MODEL
 * DATA [split] [batch] [batches]}
 * with {@code MODEL} a run's {@code model.safetensors} and {@code DATA} a GEN1-layout folder.
 */
public final class TrainedInference {
    /** {@code -Dscn.profile=true}: also print where each path's time goes, from a separate, profiled round. */
    private static final boolean PROFILE = Boolean.getBoolean("scn.profile");

    private TrainedInference() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: TrainedInference MODEL DATA [split=val] [batch=8] [batches=12]");
            System.exit(2);
        }
        SpikingCenterNet model = ModelFiles.load(Path.of(args[0]));
        String split = args.length > 2 ? args[2] : "val";
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        int batches = args.length > 4 ? Integer.parseInt(args[4]) : 12;
        List<Batch> list = new ArrayList<>();
        try (Dataset ds = Dataset.open(Path.of(args[1]), split);
                DataLoader loader = new DataLoader(ds, DataLoader.Options.of(batch, 1, false, false))) {
            for (Batch b : loader.epoch(0)) {
                list.add(b);
                if (list.size() == batches) break;
            }
        }
        SplitDetector.Forward forward = SplitDetector.inference(model, new Arena());
        SpikePath.Mode[] modes = {SpikePath.Mode.DENSE, SpikePath.Mode.AUTO};
        double[] ms = new double[modes.length];
        List<java.util.Map<String, long[]>> profiles = new ArrayList<>();
        List<java.util.Map<String, Long>> layerProfiles = new ArrayList<>();
        System.out.printf(
                Locale.ROOT, "model %s, %d batches of %d from %s%n", model.config(), list.size(), batch, split);
        for (int round = 0; round < 3; round++) {
            Arrays.fill(ms, 0);
            for (Batch b : list) {
                for (int m = 0; m < modes.length; m++) {
                    SpikePath.force(modes[m]);
                    long t0 = System.nanoTime();
                    forward.apply(b.input());
                    ms[m] += (System.nanoTime() - t0) / 1e6;
                }
            }
            if (round == 1 && PROFILE) { // a profiled round of its own: the timer calls would tilt the comparison
                for (SpikePath.Mode mode : modes) {
                    SpikePath.force(mode);
                    Profile.reset();
                    Profile.enable(true);
                    for (Batch b : list) forward.apply(b.input());
                    Profile.enable(false);
                    profiles.add(Profile.snapshot());
                    layerProfiles.add(Profile.layers());
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "round %d%s: dense %.1f ms, auto %.1f ms per batch: auto %.2fx faster%n",
                    round,
                    round == 0 ? " (warm-up)" : "",
                    ms[0] / list.size(),
                    ms[1] / list.size(),
                    ms[0] / ms[1]);
        }
        SpikePath.force(SpikePath.Mode.AUTO);
        if (profiles.isEmpty()) return;
        System.out.printf(Locale.ROOT, "operator time per batch (ms): %-28s %8s %8s%n", "", modes[0], modes[1]);
        for (String op : profiles.get(0).keySet()) {
            System.out.printf(
                    Locale.ROOT,
                    "  %-28s %8.1f %8.1f%n",
                    op,
                    profiles.get(0).get(op)[0] / 1e6 / list.size(),
                    profiles.get(1).getOrDefault(op, new long[1])[0] / 1e6 / list.size());
        }
        System.out.printf(Locale.ROOT, "layer time per batch (ms):%n");
        for (String layer : layerProfiles.get(0).keySet()) {
            System.out.printf(
                    Locale.ROOT,
                    "  %-28s %8.1f %8.1f%n",
                    layer,
                    layerProfiles.get(0).get(layer) / 1e6 / list.size(),
                    layerProfiles.get(1).getOrDefault(layer, 0L) / 1e6 / list.size());
        }
    }
}
