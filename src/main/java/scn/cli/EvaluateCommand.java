package scn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scn.eval.BoxFiles;
import scn.eval.Gen1Evaluation;
import scn.eval.Protocol;
import scn.eval.SplitEvaluation;

/**
 * {@code engine evaluate}: scores a folder of detection box files against a folder of ground-truth box
 * files with a protocol ({@code --protocol}, SPEC section 7's GEN1 by default), as Prophesee's evaluator
 * does: files pair by name, a ground-truth file without a detection file counts as no detections.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "COCO evaluation of *_bbox.npy detections against *_bbox.npy ground truth "
                + "(GEN1 protocol by default).")
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--gt", required = true, description = "Folder of ground-truth *_bbox.npy files (e.g. DATA/test).")
    Path gt;

    @Option(names = "--dt", required = true, description = "Folder of detection *_bbox.npy files (what detect writes).")
    Path dt;

    @Option(
            names = "--json",
            description = "Also write map, ap50, ap75, ap_small, ap_medium, ap_large, images and the protocol "
                    + "to this JSON file.")
    Path json;

    @Mixin
    ProtocolOptions protocolOptions;

    @Override
    public Integer call() throws IOException {
        Protocol protocol = protocolOptions.protocolOrReport("evaluate");
        if (protocol == null) return 2;
        var groundTruth = SplitEvaluation.readGroundTruth(gt);
        var detections = BoxFiles.readDir(dt);
        long missing = groundTruth.keySet().stream()
                .filter(k -> !detections.containsKey(k))
                .count();
        if (missing > 0)
            System.err.printf(
                    "note: %d of %d ground-truth files have no detection file (counted as no detections)%n",
                    missing, groundTruth.size());
        Gen1Evaluation.Result r = SplitEvaluation.evaluate(protocol, groundTruth, detections, System.err);
        SplitEvaluation.print(r, System.out);
        if (json != null) Files.writeString(json, SplitEvaluation.json(r));
        return 0;
    }
}
