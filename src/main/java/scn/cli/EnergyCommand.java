package scn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import scn.backend.SpikePath;
import scn.data.Dataset;
import scn.energy.EnergyEstimator;
import scn.energy.EnergyMeasurement;
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

    @Mixin
    EnergyOptions energy;

    @Override
    public Integer call() throws IOException {
        SpikePath.Mode path = energy.spikePathOrReport("energy", in.batch);
        if (path == null) return 2;
        SpikingCenterNet model = Checkpoint.loadModel(in.checkpoint);
        EnergyMeasurement m;
        try (Dataset ds = SplitEvaluation.openSplit(in.data, in.split)) {
            long want = energy.samples() == 0 ? ds.size() : Math.min(energy.samples(), ds.size());
            long measured = EnergyEstimator.samplesMeasured(energy.samples(), in.batch, ds.size());
            try (Progress progress = Progress.of("energy", want).unit("samples").start()) {
                m = EnergyMeasurement.measure(
                        model,
                        device.spec(),
                        ds,
                        measured,
                        in.batch,
                        path,
                        done -> progress.update(Math.min(done, want)));
            }
        }
        m.print(model.config(), path, System.out);
        if (energy.json() != null) Files.writeString(energy.json(), m.json(model.config()));
        return 0;
    }
}
