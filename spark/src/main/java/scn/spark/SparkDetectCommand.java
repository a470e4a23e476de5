package scn.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scn.cli.SplitOptions;
import scn.data.Boxes;
import scn.eval.BoxFiles;

/** {@code engine-spark detect}: the engine's {@code detect --data} over a split, one Spark task per recording. */
@Command(
        name = "detect",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Detections over a split as Prophesee box files (OUT/NAME_bbox.npy), one Spark task per recording.")
final class SparkDetectCommand implements Callable<Integer> {
    @Mixin
    SplitOptions in;

    @Mixin
    TaskDeviceOption device;

    @Option(names = "--out", required = true, description = "Output folder for the *_bbox.npy files.")
    Path out;

    @Option(names = "--master", description = "Spark master when spark-submit gave none (default local[*]).")
    String master;

    @Override
    public Integer call() throws IOException {
        try (JavaSparkContext spark = SparkTrainCommand.context("scn-detect", master, "local[*]")) {
            Map<String, Boxes> found;
            try {
                found = SplitDetection.run(spark, in.checkpoint(), in.data(), in.split(), in.batch(), device.given());
            } catch (IllegalArgumentException e) {
                System.err.println("detect: " + e.getMessage());
                return 2;
            }
            Files.createDirectories(out);
            for (var e : found.entrySet())
                e.getValue().write(out.resolve(e.getKey() + BoxFiles.SUFFIX), Boxes.Dtype.PROPHESEE, 1);
            System.out.printf("wrote detections of %d recordings to %s%n", found.size(), out);
            return 0;
        }
    }
}
