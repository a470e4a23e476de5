package scn.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Shape;

/** {@code engine summary}: every layer of the network with its output shape and parameter count. */
@Command(name = "summary", mixinStandardHelpOptions = true, description = "Print every layer with its output shape and parameter count, and the total.")
final class SummaryCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

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
        return 0;
    }
}
