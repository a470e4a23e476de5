package scn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scn.data.Dataset;
import scn.eval.Gen1Evaluation;
import scn.eval.SplitEvaluation;
import scn.nn.SpikingCenterNet;
import scn.train.Checkpoint;

/** {@code engine eval}: {@code detect} and {@code evaluate} in one go, in memory, on one split. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Detect on a split and evaluate with the GEN1 protocol (detect + evaluate without files).")
final class EvalCommand implements Callable<Integer> {
    @Mixin
    SplitOptions in;

    @Mixin
    DeviceOption device;

    @Option(names = "--json", description = "Also write map, ap50, ap75, ap_small, ap_medium, ap_large to this JSON file.")
    Path json;

    @Override
    public Integer call() throws IOException {
        if (in.batch < 1) {
            System.err.println("eval: --batch must be >= 1");
            return 2;
        }
        SpikingCenterNet model = Checkpoint.loadModel(in.checkpoint);
        DeviceOption.Inference forward = device.inferenceOrReport(model, "eval");
        if (forward == null) return 2;
        System.out.println("model: " + model.config());
        Gen1Evaluation.Result r;
        try (forward; Dataset ds = SplitEvaluation.openSplit(in.data, in.split)) {
            r = SplitEvaluation.run(forward, ds, in.data.resolve(in.split), in.batch, n -> System.err.printf("\reval: %d/%d samples", n, ds.size()));
            System.err.println();
        }
        SplitEvaluation.print(r, System.out);
        if (json != null) Files.writeString(json, SplitEvaluation.json(r));
        return 0;
    }
}
