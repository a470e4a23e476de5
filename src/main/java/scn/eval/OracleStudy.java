package scn.eval;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import scn.data.Batch;
import scn.data.Boxes;
import scn.data.DataLoader;
import scn.data.Dataset;
import scn.detect.CenterNetDecoder;
import scn.detect.CenterNetTargets;
import scn.detect.SplitDetector;
import scn.tensor.Tensor;

/**
 * Where a model's AP goes: the split is scored again with some of the heads' outputs replaced by the
 * ground truth (an "oracle"), so the rise of the score tells how much each head costs. With the sizes
 * replaced, every box centred on an object's centre cell gets the object's true size; with the offsets,
 * its true sub-cell centre; with the heatmap, the logits are +{@value #ORACLE_LOGIT} at every object's
 * centre cell and −{@value #ORACLE_LOGIT} elsewhere, so the objects are found and ranked first. The
 * replaced values are the training targets (SPEC section 5), read from the same boxes the evaluation
 * uses, so all three replaced give the score of the ground truth itself.
 *
 * <p>Only the object's own centre cell is replaced: a predicted peak one cell away keeps its predicted
 * offset and size, as training would have taught it.
 */
public final class OracleStudy {
    /** The logit the heatmap oracle puts at object centres (and its negative elsewhere). */
    public static final float ORACLE_LOGIT = 9f;

    /** A head whose output the oracle replaces. */
    public enum Part {
        HEATMAP,
        OFFSET,
        SIZE
    }

    /** The studies {@code eval --oracle} runs: the model alone, then each part and the useful pairs. */
    public static final List<Set<Part>> DEFAULT_STUDIES = List.of(
            EnumSet.noneOf(Part.class),
            EnumSet.of(Part.OFFSET),
            EnumSet.of(Part.SIZE),
            EnumSet.of(Part.OFFSET, Part.SIZE),
            EnumSet.of(Part.HEATMAP),
            EnumSet.of(Part.HEATMAP, Part.SIZE),
            EnumSet.allOf(Part.class));

    private OracleStudy() {}

    /**
     * {@code predicted}'s heads with {@code parts} replaced by the targets of {@code targets} (built on
     * the same {@code [B, ...]} grid); the predicted tensors are not changed.
     */
    public static SplitDetector.Heads substitute(
            SplitDetector.Heads predicted, CenterNetTargets.Batch targets, Set<Part> parts) {
        Tensor heatmap = predicted.heatmap().copy(); // [B, C, H, W]
        Tensor offset = predicted.offset().copy(); // [B, 2, H, W]
        Tensor size = predicted.size().copy(); // [B, 2, H, W]
        int batch = heatmap.dim(0), classes = heatmap.dim(1), plane = heatmap.dim(2) * heatmap.dim(3);
        int k = targets.indices().length / batch; // objects per sample, padded
        if (parts.contains(Part.HEATMAP)) Arrays.fill(heatmap.data(), -ORACLE_LOGIT);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < targets.counts()[b]; j++) {
                int object = b * k + j;
                int cell = targets.indices()[object];
                if (parts.contains(Part.HEATMAP))
                    heatmap.data()[(b * classes + targets.classes()[object]) * plane + cell] = ORACLE_LOGIT;
                for (int c = 0; c < 2; c++) {
                    if (parts.contains(Part.OFFSET))
                        offset.data()[(b * 2 + c) * plane + cell] =
                                targets.offsets().data()[object * 2 + c];
                    if (parts.contains(Part.SIZE))
                        size.data()[(b * 2 + c) * plane + cell] =
                                targets.sizes().data()[object * 2 + c];
                }
            }
        }
        return new SplitDetector.Heads(heatmap, offset, size);
    }

    /** The scores of each study, in the order given, from one evaluation-mode pass over the split's samples. */
    public static Map<Set<Part>, Gen1Evaluation.Result> run(
            SplitDetector.Forward forward,
            SplitEvaluation.Split split,
            int batchSize,
            List<Set<Part>> studies,
            IntConsumer progress)
            throws IOException {
        Dataset dataset = split.dataset();
        CenterNetDecoder.Config config = SplitDetector.decoderConfig(dataset);
        List<Map<String, Boxes>> detections = new ArrayList<>();
        for (int i = 0; i < studies.size(); i++) detections.add(new TreeMap<>());
        int done = 0;
        try (DataLoader loader = new DataLoader(dataset, DataLoader.Options.of(batchSize, 0, false, false))) {
            for (Batch batch : loader.epoch(0)) {
                SplitDetector.Heads predicted = forward.apply(batch.input());
                CenterNetTargets.Geometry grid = new CenterNetTargets.Geometry(
                        predicted.heatmap().dim(1),
                        predicted.heatmap().dim(2),
                        predicted.heatmap().dim(3),
                        config.stride(),
                        config.maxDetections());
                CenterNetTargets.Batch targets = CenterNetTargets.forBatch(grid, batch.boxes());
                for (int i = 0; i < studies.size(); i++) {
                    SplitDetector.Heads h = substitute(predicted, targets, studies.get(i));
                    SplitDetector.collect(
                            detections.get(i),
                            batch,
                            CenterNetDecoder.decode(config, h.heatmap(), h.offset(), h.size()));
                }
                done += batch.size();
                if (progress != null) progress.accept(done);
            }
        }
        Map<String, Gen1Evaluation.Boxes> gt = SplitEvaluation.readGroundTruth(split.boxDir());
        Map<Set<Part>, Gen1Evaluation.Result> results = new LinkedHashMap<>();
        for (int i = 0; i < studies.size(); i++) {
            var dt = BoxFiles.toEval(detections.get(i));
            results.put(studies.get(i), SplitEvaluation.evaluate(split.protocol(), gt, dt, null));
        }
        return results;
    }

    /** A study's name for tables: {@code model alone} or the replaced parts, e.g. {@code size + offset}. */
    public static String label(Set<Part> parts) {
        if (parts.isEmpty()) return "model alone";
        List<String> names = new ArrayList<>();
        for (Part p : parts) names.add(p.name().toLowerCase(Locale.ROOT));
        return "true " + String.join(" + ", names);
    }
}
