package scn.spark;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The Spark module's entry point, for {@code spark-submit --class scn.spark.SparkMain engine-spark.jar COMMAND …}; run
 * with plain {@code java} it starts Spark in local mode ({@code local[N]}).
 */
@Command(
        name = "engine-spark",
        mixinStandardHelpOptions = true,
        subcommands = {SparkTrainCommand.class, SparkDetectCommand.class, SparkEvalCommand.class},
        description = "The engine on Apache Spark.")
public final class SparkMain implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SparkMain())
                .setCaseInsensitiveEnumValuesAllowed(true) // as the engine's command line: --distill-target kl
                .execute(args));
    }
}
