package scn.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import scn.backend.SpikePath;

/**
 * What {@code energy} measures besides the split: how many samples, which path convolutions on spikes take, and the
 * JSON file; shared with the Spark module's {@code energy}.
 */
public final class EnergyOptions {
    @Option(
            names = "--samples",
            defaultValue = "256",
            description = "Samples to average over, in split order; 0: all (default: ${DEFAULT-VALUE}).")
    long samples;

    @Option(names = "--json", description = "Also write the figures to this JSON file.")
    Path json;

    @Option(
            names = "--spikes",
            defaultValue = "auto",
            description = "Convolutions on spikes: dense, sparse (event-driven) or auto, by measured density "
                    + "(default: ${DEFAULT-VALUE}); the estimate does not depend on it, the path column does.")
    String spikes;

    /** The samples asked for; 0: the whole split. */
    public long samples() {
        return samples;
    }

    /** The JSON file to write, or null. */
    public Path json() {
        return json;
    }

    /**
     * The spike path asked for, having checked it, {@code --samples} and {@code batch}; a bad value is reported as
     * {@code command: why} and gives null (exit 2).
     */
    public SpikePath.Mode spikePathOrReport(String command, int batch) {
        if (batch < 1 || samples < 0) {
            System.err.println(command + ": --batch must be >= 1 and --samples >= 0");
            return null;
        }
        try {
            return SpikePath.parse(spikes);
        } catch (IllegalArgumentException e) {
            System.err.println(command + ": " + e.getMessage());
            return null;
        }
    }
}
