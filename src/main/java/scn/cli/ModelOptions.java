package scn.cli;

import picocli.CommandLine.Option;
import scn.nn.ModelConfig;

/** The model-shape options shared by every command that builds a network. */
final class ModelOptions {
    @Option(
            names = "--width",
            defaultValue = "1.0",
            description = "Channel width multiplier (default: ${DEFAULT-VALUE}).")
    double width;

    @Option(
            names = "--expansion",
            defaultValue = "1.5",
            description = "Decoder expansion ratio (default: ${DEFAULT-VALUE}).")
    double expansion;

    @Option(names = "--time-steps", defaultValue = "5", description = "Time steps T (default: ${DEFAULT-VALUE}).")
    int timeSteps;

    @Option(names = "--teacher", description = "The non-spiking ReLU twin (the distillation teacher).")
    boolean teacher;

    ModelConfig config() {
        return new ModelConfig(width, expansion, timeSteps, 2, teacher);
    }
}
