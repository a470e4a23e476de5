package scn.eval;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import scn.data.Dataset;
import scn.detect.SplitDetector;

/**
 * Detection and evaluation of one split, in memory: the model's detections of every sample against
 * every {@code *_bbox.npy} of the split folder, exactly as {@code detect} followed by {@code evaluate}
 * would score them. Also the shared checks and printing of the commands that evaluate, which always
 * name the protocol the numbers belong to.
 */
public final class SplitEvaluation {
    private static final Gson GSON = new Gson();

    private SplitEvaluation() {}

    /**
     * A split to score.
     *
     * @param dataset  its samples
     * @param boxDir   the folder of its ground-truth box files
     * @param protocol which boxes count, and how far in time a detection may lie from a label
     */
    public record Split(Dataset dataset, Path boxDir, Protocol protocol) {}

    /** Scores a model, given by its evaluation-mode {@code forward}; {@code progress} hears the samples done. */
    public static Gen1Evaluation.Result run(SplitDetector.Forward forward, Split split, int batch, IntConsumer progress)
            throws IOException {
        var detections = SplitDetector.run(forward, split.dataset(), batch, progress, null);
        var gt = readGroundTruth(split.boxDir());
        return evaluate(split.protocol(), gt, BoxFiles.toEval(detections), null);
    }

    /** Every box file of a ground-truth folder; a folder without any is an error. */
    public static Map<String, Gen1Evaluation.Boxes> readGroundTruth(Path dir) throws IOException {
        Map<String, Gen1Evaluation.Boxes> gt = BoxFiles.readDir(dir);
        if (gt.isEmpty()) throw new IOException("no ground truth: " + dir + " holds no *" + BoxFiles.SUFFIX + " files");
        return gt;
    }

    /**
     * Evaluates as Prophesee does: detection files pair with ground truth by name, a recording without
     * detections has none, and detections of recordings without ground truth are left out (named on
     * {@code warn} when it is not null).
     */
    public static Gen1Evaluation.Result evaluate(
            Protocol protocol,
            Map<String, Gen1Evaluation.Boxes> gt,
            Map<String, Gen1Evaluation.Boxes> dt,
            PrintStream warn) {
        Map<String, Gen1Evaluation.Boxes> paired = new TreeMap<>();
        dt.forEach((name, boxes) -> {
            if (gt.containsKey(name)) paired.put(name, boxes);
            else if (warn != null)
                warn.println("warning: detections of '" + name + "' have no ground-truth file and are left out");
        });
        return Gen1Evaluation.evaluate(protocol, gt, paired);
    }

    /** Opens a split, refusing a missing folder or one without labelled samples with a message saying which. */
    public static Dataset openSplit(Path root, String split) throws IOException {
        if (!Files.isDirectory(root)) throw new IOException("the data folder " + root + " does not exist");
        Dataset d = Dataset.open(root, split);
        if (d.size() == 0) {
            d.close();
            String why = d.skipped().isEmpty()
                    ? "no *_td.dat + *_bbox.npy pairs with labels"
                    : String.join("; ", d.skipped());
            throw new IOException("the '" + split + "' split of " + root + " has no labelled samples: " + why);
        }
        return d;
    }

    /** The protocol, then the six numbers, one per line. */
    public static void print(Gen1Evaluation.Result r, PrintStream out) {
        out.println("protocol: " + r.protocol().describe());
        out.printf(Locale.ROOT, "images (label timestamps): %d%n", r.images());
        String[] labels = {"mAP@[.5:.95]", "AP50", "AP75", "AP small", "AP medium", "AP large"};
        int i = 0;
        for (double v : r.toMap().values()) out.printf(Locale.ROOT, "%-13s %7.4f%n", labels[i++], v);
    }

    /**
     * The six numbers as a JSON object under the keys {@code map, ap50, ap75, ap_small, ap_medium, ap_large},
     * then {@code images} and the {@code protocol} ({@link Protocol#toMap()}).
     */
    public static String json(Gen1Evaluation.Result r) {
        StringBuilder sb = new StringBuilder("{");
        for (var e : r.toMap().entrySet()) {
            if (sb.length() > 1) sb.append(", ");
            sb.append('"').append(e.getKey()).append("\": ").append(String.format(Locale.ROOT, "%.6f", e.getValue()));
        }
        sb.append(", \"images\": ").append(r.images());
        return sb.append(", \"protocol\": ")
                .append(GSON.toJson(r.protocol().toMap()))
                .append("}\n")
                .toString();
    }
}
