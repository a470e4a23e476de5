package scn.spark;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import scn.cli.Main;

/**
 * The Spark module's entry point, for {@code spark-submit --class scn.spark.SparkMain engine-spark.jar COMMAND …}; run
 * with plain {@code java} it starts Spark in local mode ({@code local[N]}).
 */
@Command(
        name = "engine-spark",
        mixinStandardHelpOptions = true,
        subcommands = {
            SparkTrainCommand.class,
            SparkDetectCommand.class,
            SparkEvalCommand.class,
            SparkEnergyCommand.class,
            SparkIndexCommand.class
        },
        description = "The engine on Apache Spark.")
public final class SparkMain implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SparkMain())
                .setCaseInsensitiveEnumValuesAllowed(true) // as the engine's command line: --distill-target kl
                .setExecutionExceptionHandler(Main::reportInputError) // a bad input file: its message, no trace
                .execute(args));
    }
}
