package scn.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scn.cli.ProtocolOptions;
import scn.cli.SplitOptions;
import scn.eval.BoxFiles;
import scn.eval.Gen1Evaluation;
import scn.eval.Protocol;
import scn.eval.SplitEvaluation;

/**
 * {@code engine-spark eval}: the engine's {@code eval} over a split, the detections made by one Spark task per
 * recording ({@link SplitDetection}), the COCO evaluation on the driver.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Detect on a split, one Spark task per recording, and evaluate (GEN1 protocol by default).")
final class SparkEvalCommand implements Callable<Integer> {
    @Mixin
    SplitOptions in;

    @Mixin
    TaskDeviceOption device;

    @Mixin
    ProtocolOptions protocolOptions;

    @Option(
            names = "--json",
            description = "Also write map, ap50, ap75, ap_small, ap_medium, ap_large, images and the protocol "
                    + "to this JSON file.")
    Path json;

    @Option(names = "--master", description = "Spark master when spark-submit gave none (default local[*]).")
    String master;

    @Override
    public Integer call() throws IOException {
        Protocol protocol = protocolOptions.protocolOrReport("eval");
        if (protocol == null) return 2;
        Gen1Evaluation.Result r;
        try (JavaSparkContext spark = SparkTrainCommand.context("scn-eval", master, "local[*]")) {
            r = evaluate(spark, in.checkpoint(), in.data(), in.split(), in.batch(), device.given(), protocol);
        } catch (IllegalArgumentException e) {
            System.err.println("eval: " + e.getMessage());
            return 2;
        }
        SplitEvaluation.print(r, System.out);
        if (json != null) Files.writeString(json, SplitEvaluation.json(r));
        return 0;
    }

    /**
     * What {@code eval} scores: the split's detections on Spark (each task on {@code device}, or its own GPU when that
     * is null) against its box files, by {@code protocol}.
     */
    static Gen1Evaluation.Result evaluate(
            JavaSparkContext spark,
            Path checkpoint,
            Path data,
            String split,
            int batch,
            String device,
            Protocol protocol)
            throws IOException {
        var found = SplitDetection.run(spark, checkpoint, data, split, batch, device);
        var gt = SplitEvaluation.readGroundTruth(data.resolve(split));
        return SplitEvaluation.evaluate(protocol, gt, BoxFiles.toEval(found), System.err);
    }
}
