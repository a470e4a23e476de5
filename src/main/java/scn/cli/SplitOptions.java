package scn.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Trained weights and a data split to run them on: the options {@code eval} and {@code energy} share, and the Spark
 * module's {@code eval} and {@code detect}.
 */
public final class SplitOptions {
    @Option(
            names = "--checkpoint",
            required = true,
            description = "Trained weights: a run's model.safetensors or checkpoint.safetensors.")
    Path checkpoint;

    @Option(names = "--data", required = true, description = "GEN1-layout data folder.")
    Path data;

    @Option(names = "--split", defaultValue = "val", description = "train, val or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--batch", defaultValue = "8", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    public Path checkpoint() {
        return checkpoint;
    }

    public Path data() {
        return data;
    }

    public String split() {
        return split;
    }

    public int batch() {
        return batch;
    }
}
