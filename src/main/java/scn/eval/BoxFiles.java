package scn.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import scn.data.Boxes;
import scn.data.events.DataFormatException;

/**
 * Folders of {@code *_bbox.npy} files as the evaluation sees them: one box list per recording, keyed by
 * the file name without {@code _bbox.npy}, every row kept as it is (the protocol's filter comes later).
 */
public final class BoxFiles {
    public static final String SUFFIX = "_bbox.npy";

    private BoxFiles() {}

    /** Every {@code *_bbox.npy} in {@code dir} (not its subfolders), in name order. */
    public static Map<String, Gen1Evaluation.Boxes> readDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new DataFormatException(dir, "is not a folder");
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(SUFFIX))
                    .sorted()
                    .toList();
        }
        Map<String, Gen1Evaluation.Boxes> out = new TreeMap<>();
        for (Path f : files) out.put(recordingName(f), toEval(Boxes.read(f)));
        return out;
    }

    /** The recording a box file belongs to: its name without {@code _bbox.npy}. */
    public static String recordingName(Path file) {
        String n = file.getFileName().toString();
        return n.substring(0, n.length() - SUFFIX.length());
    }

    /** Box lists per recording (detections, say) as the evaluator's, in the same order. */
    public static Map<String, Gen1Evaluation.Boxes> toEval(Map<String, Boxes> boxes) {
        Map<String, Gen1Evaluation.Boxes> out = new LinkedHashMap<>();
        boxes.forEach((name, b) -> out.put(name, toEval(b)));
        return out;
    }

    /** Rows of a box file as the evaluator's columns ({@code confidence} becomes the score). */
    public static Gen1Evaluation.Boxes toEval(Boxes b) {
        int n = b.size();
        var out = new Gen1Evaluation.Boxes(
                new long[n], new float[n], new float[n], new float[n], new float[n], new int[n], new float[n]);
        for (int i = 0; i < n; i++) {
            out.t()[i] = b.t(i);
            out.x()[i] = b.x(i);
            out.y()[i] = b.y(i);
            out.w()[i] = b.w(i);
            out.h()[i] = b.h(i);
            out.classId()[i] = b.classId(i);
            out.score()[i] = b.confidence(i);
        }
        return out;
    }
}
