package scn.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scn.backend.SpikePath;
import scn.cli.EnergyOptions;
import scn.cli.SplitOptions;
import scn.nn.ModelConfig;
import scn.train.Checkpoint;

/** {@code engine-spark energy}: the engine's {@code energy} over a split, one Spark task per recording. */
@Command(
        name = "energy",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Estimate the energy per time step (45 nm: 0.9 pJ per AC, 4.6 pJ per MAC) on a data split,"
                + " one Spark task per recording.")
final class SparkEnergyCommand implements Callable<Integer> {
    @Mixin
    SplitOptions in;

    @Mixin
    TaskDeviceOption device;

    @Mixin
    EnergyOptions energy;

    @Option(names = "--master", description = "Spark master when spark-submit gave none (default local[*]).")
    String master;

    @Override
    public Integer call() throws IOException {
        SpikePath.Mode path = energy.spikePathOrReport("energy", in.batch());
        if (path == null) return 2;
        ModelConfig config = Checkpoint.loadModel(in.checkpoint()).config();
        SplitEnergy.Result r;
        try (JavaSparkContext spark = SparkTrainCommand.context("scn-energy", master, "local[*]")) {
            r = SplitEnergy.run(
                    spark, in.checkpoint(), in.data(), in.split(), energy.samples(), in.batch(), path, device.given());
        } catch (IllegalArgumentException e) {
            System.err.println("energy: " + e.getMessage());
            return 2;
        }
        System.err.println("energy: tasks ran on " + TaskDevices.summary(r.devices()));
        r.measurement().print(config, path, System.out);
        if (energy.json() != null)
            Files.writeString(energy.json(), r.measurement().json(config));
        return 0;
    }
}
