package scn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scn.data.Dataset;
import scn.eval.Gen1Evaluation;
import scn.eval.OracleStudy;
import scn.eval.Protocol;
import scn.eval.SplitEvaluation;
import scn.nn.SpikingCenterNet;
import scn.train.Checkpoint;
import scn.train.Progress;

/** {@code engine eval}: {@code detect} and {@code evaluate} in one go, in memory, on one split. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Detect on a split and evaluate it (detect + evaluate without files; GEN1 protocol by default).")
final class EvalCommand implements Callable<Integer> {
    @Mixin
    SplitOptions in;

    @Mixin
    DeviceOption device;

    @Mixin
    ProtocolOptions protocolOptions;

    @Option(
            names = "--json",
            description = "Also write map, ap50, ap75, ap_small, ap_medium, ap_large, images and the protocol "
                    + "to this JSON file.")
    Path json;

    @Option(
            names = "--oracle",
            description =
                    "Also score the split with the heads' outputs replaced by the ground truth (offsets, sizes, heatmap peaks, "
                            + "alone and together): how much AP each head costs. One pass of the model; prints a table.")
    boolean oracle;

    @Override
    public Integer call() throws IOException {
        if (in.batch < 1) {
            System.err.println("eval: --batch must be >= 1");
            return 2;
        }
        Protocol protocol = protocolOptions.protocolOrReport("eval");
        if (protocol == null) return 2;
        SpikingCenterNet model = Checkpoint.loadModel(in.checkpoint);
        DeviceOption.Inference forward = device.inferenceOrReport(model, "eval");
        if (forward == null) return 2;
        System.out.println("model: " + model.config());
        Gen1Evaluation.Result r;
        Map<Set<OracleStudy.Part>, Gen1Evaluation.Result> studies = null;
        try (forward;
                Dataset ds = SplitEvaluation.openSplit(in.data, in.split);
                Progress progress =
                        Progress.of("eval", ds.size()).unit("samples").start()) {
            var split = new SplitEvaluation.Split(ds, in.data.resolve(in.split), protocol);
            if (oracle) {
                studies = OracleStudy.run(forward, split, in.batch, OracleStudy.DEFAULT_STUDIES, progress::update);
                r = studies.get(OracleStudy.DEFAULT_STUDIES.getFirst());
            } else {
                r = SplitEvaluation.run(forward, split, in.batch, progress::update);
            }
        }
        SplitEvaluation.print(r, System.out);
        if (studies != null) {
            System.out.println();
            System.out.println("with the ground truth in place of the model's outputs at the objects' centres:");
            System.out.printf("  %-32s %7s %7s %7s%n", "outputs", "mAP", "AP50", "AP75");
            studies.forEach((parts, s) -> System.out.printf(
                    Locale.ROOT, "  %-32s %7.4f %7.4f %7.4f%n", OracleStudy.label(parts), s.map(), s.ap50(), s.ap75()));
        }
        if (json != null) Files.writeString(json, SplitEvaluation.json(r));
        return 0;
    }
}
