package scn.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.backend.SpikePath;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.ops.ConvTrace;
import scn.tensor.Shape;

/**
 * {@code engine summary}: every layer of the network with its output shape and parameter count; then,
 * from one forward pass on random spikes of a given density, which path each convolution on spikes
 * took (dense or event-driven) and the density of its input.
 */
@Command(
        name = "summary",
        mixinStandardHelpOptions = true,
        description = "Print every layer with its output shape and parameter count, and the total.")
final class SummaryCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(
            names = "--density",
            defaultValue = "0.05",
            description =
                    "Fraction of ones in the random input of the pass that reports the spike paths (default: ${DEFAULT-VALUE}).")
    double density;

    @Option(
            names = "--spikes",
            defaultValue = "auto",
            description = "Convolutions on spikes: dense, sparse or auto (default: ${DEFAULT-VALUE}).")
    String spikes;

    @Override
    public Integer call() {
        ModelConfig config = model.config();
        SpikingCenterNet net = new SpikingCenterNet(config, 0);
        System.out.println("Spiking CenterNet (" + config + "), input [T=" + config.timeSteps() + ", B=1, 4, "
                + ModelConfig.INPUT_HEIGHT + ", " + ModelConfig.INPUT_WIDTH + "]");
        System.out.printf("%-28s %-26s %12s%n", "layer", "output shape", "parameters");
        for (SpikingCenterNet.LayerInfo layer : net.summary(1)) {
            System.out.printf("%-28s %-26s %,12d%n", layer.name(), Shape.str(layer.outputShape()), layer.parameters());
        }
        System.out.printf("%-28s %-26s %,12d%n", "total", "", net.parameterCount());
        if (!(density >= 0 && density <= 1)) {
            System.err.println("summary: --density must be in [0, 1]");
            return 2;
        }
        SpikePath.force(SpikePath.parse(spikes));
        ConvTrace.reset();
        ConvTrace.enable(true);
        // Training mode (batch statistics): a fresh model's running statistics leave every layer after the stem silent.
        try (var scope = Tape.noGrad()) {
            net.forward(Var.constant(BenchCommand.randomSpikes(config, 1, density, 2)), true);
        } finally {
            ConvTrace.enable(false);
        }
        System.out.println();
        BenchCommand.printSpikePaths(
                ConvTrace.rows(),
                "a forward pass (training mode) on random input of density " + density + ", spikes " + spikes);
        return 0;
    }
}
