package scn.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import scn.data.synth.SyntheticDataset;
import scn.train.Progress;

/** {@code engine synth}: writes the synthetic event-camera dataset in the GEN1 layout. */
@Command(
        name = "synth",
        description =
                "Generate the synthetic event-camera dataset (GEN1 layout: train/ val/ test/ of *_td.dat + *_bbox.npy).")
final class SynthCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--sequences", description = "Number of recordings (default: ${DEFAULT-VALUE}).")
    int sequences = SyntheticDataset.Config.defaults().sequences();

    @Option(
            names = "--seed",
            description = "Random seed; the same seed gives the same bytes (default: ${DEFAULT-VALUE}).")
    long seed = SyntheticDataset.Config.defaults().seed();

    @Option(names = "--duration", description = "Seconds per recording (default: ${DEFAULT-VALUE}).")
    double durationS = SyntheticDataset.Config.defaults().durationS();

    @Option(names = "--label-hz", description = "Label rate in Hz (default: ${DEFAULT-VALUE}).")
    double labelHz = SyntheticDataset.Config.defaults().labelHz();

    @Option(names = "--threads", description = "Worker threads; does not change the output (default: all cores).")
    int threads = SyntheticDataset.Config.defaults().threads();

    @Override
    public Integer call() throws Exception {
        SyntheticDataset.Config d = SyntheticDataset.Config.defaults();
        SyntheticDataset.Config cfg =
                new SyntheticDataset.Config(sequences, seed, durationS, labelHz, d.frameStepUs(), threads);
        long start = System.nanoTime();
        try (Progress progress =
                Progress.of("synth", sequences).unit("recordings").start()) {
            int[] done = {0};
            SyntheticDataset.generate(out, cfg, summary -> progress.update(++done[0], summary));
        }
        System.out.printf("wrote %d recordings to %s in %.1f s%n", sequences, out, (System.nanoTime() - start) * 1e-9);
        return 0;
    }
}
