package scn.eval;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Prophesee detection protocol (SPEC 7) on in-memory box lists, one per recording, ending in COCO
 * bbox AP through {@link CocoEvaluator}; which boxes count and how far a detection may lie from a label
 * in time are a {@link Protocol}'s ({@link Protocol#GEN1}, SPEC's, unless told otherwise).
 *
 * <p>As Prophesee's evaluator does: recordings pair by name, taken in sorted name order (a recording
 * without detections has none); ground truth and detections alike keep only the boxes the protocol keeps
 * (for GEN1 {@code t > 500000} µs, {@code w² + h² >= 30²}, {@code w >= 10} and {@code h >= 10}, computed in
 * float32, as numpy computes them on the {@code <f4} fields); each unique ground-truth timestamp of a
 * recording is one image, holding the ground truth of exactly that timestamp and the detections within
 * the protocol's tolerance of it (GEN1: ±50 ms), both ends inclusive (its {@code _match_times}), so one
 * detection may belong to two images. Categories are {@code class + 1}; areas are {@code w·h} in float32.
 *
 * <p>Box lists are stably sorted by time first; Prophesee asserts they already are, and for sorted input
 * the sort changes nothing. Reading box files is not done here.
 */
public final class Gen1Evaluation {
    public static final int NUM_CLASSES = 2;

    private Gen1Evaluation() {}

    /**
     * The boxes of one recording, as parallel arrays of equal length.
     *
     * @param t     {@code [N]} timestamps in µs
     * @param x     {@code [N]} left edges in pixels
     * @param y     {@code [N]} top edges
     * @param w     {@code [N]} widths
     * @param h     {@code [N]} heights
     * @param classId {@code [N]} 0 car, 1 pedestrian
     * @param score {@code [N]} confidence (unused for ground truth)
     */
    public record Boxes(long[] t, float[] x, float[] y, float[] w, float[] h, int[] classId, float[] score) {
        public Boxes {
            int n = t.length;
            if (x.length != n
                    || y.length != n
                    || w.length != n
                    || h.length != n
                    || classId.length != n
                    || score.length != n) {
                throw new IllegalArgumentException("Gen1Evaluation.Boxes: arrays differ in length: t " + n + ", x "
                        + x.length + ", y " + y.length + ", w " + w.length + ", h " + h.length + ", class "
                        + classId.length + ", score " + score.length);
            }
        }

        /** Boxes from rows {@code (t µs, x, y, w, h, class, score)}. */
        public static Boxes ofRows(double[][] rows) {
            int n = rows.length;
            Boxes b = new Boxes(
                    new long[n], new float[n], new float[n], new float[n], new float[n], new int[n], new float[n]);
            for (int i = 0; i < n; i++) {
                if (rows[i].length != 7) {
                    throw new IllegalArgumentException("Gen1Evaluation.Boxes: row " + i + " has " + rows[i].length
                            + " values, expected 7 (t, x, y, w, h, class, score)");
                }
                b.t[i] = (long) rows[i][0];
                b.x[i] = (float) rows[i][1];
                b.y[i] = (float) rows[i][2];
                b.w[i] = (float) rows[i][3];
                b.h[i] = (float) rows[i][4];
                b.classId[i] = (int) rows[i][5];
                b.score[i] = (float) rows[i][6];
            }
            return b;
        }

        public int size() {
            return t.length;
        }

        /** The boxes that pass the protocol's filter, stably sorted by time. */
        Boxes filteredSorted(Protocol protocol) {
            int n = 0;
            int[] kept = new int[size()];
            for (int i = 0; i < size(); i++) {
                if (protocol.keep(t[i], w[i], h[i])) kept[n++] = i;
            }
            double[] times = new double[n];
            for (int j = 0; j < n; j++) times[j] = t[kept[j]];
            // Timestamps below 2^53 are exact as doubles, so the double argsort orders them exactly.
            int[] order = StableArgsort.ascending(times);
            Boxes out = new Boxes(
                    new long[n], new float[n], new float[n], new float[n], new float[n], new int[n], new float[n]);
            for (int j = 0; j < n; j++) {
                int i = kept[order[j]];
                out.t[j] = t[i];
                out.x[j] = x[i];
                out.y[j] = y[i];
                out.w[j] = w[i];
                out.h[j] = h[i];
                out.classId[j] = classId[i];
                out.score[j] = score[i];
            }
            return out;
        }
    }

    /** The reported numbers, the full COCO summary behind them, and the protocol that produced them. */
    public record Result(Protocol protocol, int images, CocoEvaluator.Summary coco) {
        public double map() {
            return coco.ap();
        }

        public double ap50() {
            return coco.ap50();
        }

        public double ap75() {
            return coco.ap75();
        }

        public double apSmall() {
            return coco.apSmall();
        }

        public double apMedium() {
            return coco.apMedium();
        }

        public double apLarge() {
            return coco.apLarge();
        }

        /** {@code map, ap50, ap75, ap_small, ap_medium, ap_large}, in that order. */
        public Map<String, Double> toMap() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("map", map());
            m.put("ap50", ap50());
            m.put("ap75", ap75());
            m.put("ap_small", apSmall());
            m.put("ap_medium", apMedium());
            m.put("ap_large", apLarge());
            return m;
        }
    }

    /**
     * Evaluates detections against ground truth.
     *
     * @param protocol    which boxes count, and how far in time a detection may lie from a label
     * @param groundTruth per recording name, its ground-truth boxes
     * @param detections  per recording name, its detections; a name without ground truth is an error
     */
    public static Result evaluate(Protocol protocol, Map<String, Boxes> groundTruth, Map<String, Boxes> detections) {
        for (String name : detections.keySet()) {
            if (!groundTruth.containsKey(name)) {
                throw new IllegalArgumentException(
                        "Gen1Evaluation: detections for recording '" + name + "' have no ground truth to pair with");
            }
        }
        Map<String, Boxes> sortedGt = new TreeMap<>(groundTruth);
        Map<String, Boxes> gtByName = new LinkedHashMap<>();
        Map<String, Boxes> dtByName = new LinkedHashMap<>();
        int images = 0;
        for (Map.Entry<String, Boxes> e : sortedGt.entrySet()) {
            Boxes gt = e.getValue().filteredSorted(protocol);
            Boxes dt = detections.containsKey(e.getKey())
                    ? detections.get(e.getKey()).filteredSorted(protocol)
                    : empty();
            gtByName.put(e.getKey(), gt);
            dtByName.put(e.getKey(), dt);
            images += uniqueTimes(gt);
        }
        int[] imageIds = new int[images];
        for (int i = 0; i < images; i++) imageIds[i] = i + 1;
        int[] categories = new int[NUM_CLASSES];
        for (int c = 0; c < NUM_CLASSES; c++) categories[c] = c + 1;
        CocoEvaluator coco = new CocoEvaluator(imageIds, categories);

        int imageId = 0;
        for (String name : gtByName.keySet()) {
            imageId = addRecording(coco, gtByName.get(name), dtByName.get(name), protocol.timeTolUs(), imageId);
        }
        return new Result(protocol, images, coco.evaluate());
    }

    /**
     * Adds one recording's images, numbered from {@code lastImageId + 1}, walking the sorted lists with
     * the two-pointer windows of Prophesee's {@code _match_times}; returns the last image id used.
     */
    private static int addRecording(CocoEvaluator coco, Boxes gt, Boxes dt, long timeTolUs, int lastImageId) {
        int imageId = lastImageId;
        int lowGt = 0, highGt = 0, lowDt = 0, highDt = 0;
        int i = 0;
        while (i < gt.size()) {
            long ts = gt.t()[i];
            imageId++;
            while (lowGt < gt.size() && gt.t()[lowGt] < ts) lowGt++;
            highGt = Math.max(lowGt, highGt);
            while (highGt < gt.size() && gt.t()[highGt] <= ts) highGt++;
            long low = ts - timeTolUs, high = ts + timeTolUs;
            while (lowDt < dt.size() && dt.t()[lowDt] < low) lowDt++;
            highDt = Math.max(lowDt, highDt);
            while (highDt < dt.size() && dt.t()[highDt] <= high) highDt++;
            for (int g = lowGt; g < highGt; g++) {
                coco.addGroundTruth(
                        imageId,
                        gt.classId()[g] + 1,
                        gt.x()[g],
                        gt.y()[g],
                        gt.w()[g],
                        gt.h()[g],
                        gt.w()[g] * gt.h()[g]);
            }
            for (int d = lowDt; d < highDt; d++) {
                coco.addDetection(
                        imageId,
                        dt.classId()[d] + 1,
                        dt.x()[d],
                        dt.y()[d],
                        dt.w()[d],
                        dt.h()[d],
                        dt.score()[d],
                        dt.w()[d] * dt.h()[d]);
            }
            i = highGt;
        }
        return imageId;
    }

    private static int uniqueTimes(Boxes sorted) {
        int n = 0;
        for (int i = 0; i < sorted.size(); i++) {
            if (i == 0 || sorted.t()[i] != sorted.t()[i - 1]) n++;
        }
        return n;
    }

    private static Boxes empty() {
        return new Boxes(new long[0], new float[0], new float[0], new float[0], new float[0], new int[0], new float[0]);
    }
}
