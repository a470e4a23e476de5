package scn.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * COCO bounding-box average precision, computed as pycocotools' {@code COCOeval} with
 * {@code iouType='bbox'} computes it: {@code evaluate} (per image and category: IoU, greedy matching per
 * IoU threshold, ignore flags per area range), {@code accumulate} (precision over 101 recall thresholds
 * with the backward-max envelope) and {@code summarize} (the 12-number stats vector, -1 where nothing
 * could be measured).
 *
 * <p>Every sort is stable as numpy's mergesort is, and orders are kept as pycocotools builds them:
 * annotations of one (image, category) in the order they were added, images by ascending id. Crowd
 * annotations are not supported: every ground truth has {@code iscrowd = 0}, so no ground truth is ignored
 * except by area. The only freedom taken is in the final means, which use numpy's pairwise summation so
 * that even the last bit agrees for up to a few thousand values.
 *
 * <p>Not thread-safe; add everything, then call {@link #evaluate()} once or more.
 */
public final class CocoEvaluator {
    /** {@code np.linspace(.5, .95, 10)}: {@code i·step + .5} with {@code step = (.95 - .5)/9}, last = .95. */
    public static final double[] IOU_THRESHOLDS = linspace(0.5, 0.95, 10);
    /** {@code np.linspace(0, 1, 101)}. */
    public static final double[] RECALL_THRESHOLDS = linspace(0.0, 1.0, 101);

    public static final int[] MAX_DETECTIONS = {1, 10, 100};
    /** all, small, medium, large: {@code [0², 1e5²], [0², 32²], [32², 96²], [96², 1e5²]}. */
    public static final double[][] AREA_RANGES = {{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}};

    public static final String[] AREA_LABELS = {"all", "small", "medium", "large"};

    private static final int T = IOU_THRESHOLDS.length;
    private static final int R = RECALL_THRESHOLDS.length;
    private static final int A = AREA_RANGES.length;
    private static final int M = MAX_DETECTIONS.length;
    /** {@code np.spacing(1)}, added to the precision denominator as pycocotools does. */
    private static final double SPACING_ONE = Math.ulp(1.0);
    /** Bit {@code t} of a detection's flags: matched at IoU threshold t; bit {@code IGNORED + t}: ignored. */
    private static final int IGNORED = 16;

    private final int[] imageIds; // sorted, unique
    private final int[] categoryIds; // sorted, unique
    private final Map<Integer, Integer> imageIndex = new HashMap<>();
    private final Map<Integer, Integer> categoryIndex = new HashMap<>();
    /** Per (image index, category index): ground truths and detections in the order they were added. */
    private final Map<Long, List<Box>> groundTruths = new HashMap<>();

    private final Map<Long, List<Box>> detections = new HashMap<>();

    private record Box(double x, double y, double w, double h, double area, double score) {}

    /** The result of one evaluation. */
    public record Summary(double[] stats, double[] precision, double[] recall, int numCategories) {
        /** {@code precision[t, r, k, a, m]}, -1 where category k has no ground truth in area range a. */
        public double precision(int t, int r, int k, int a, int m) {
            return precision[(((t * R + r) * numCategories + k) * A + a) * M + m];
        }

        /** {@code recall[t, k, a, m]}, -1 where category k has no ground truth in area range a. */
        public double recall(int t, int k, int a, int m) {
            return recall[((t * numCategories + k) * A + a) * M + m];
        }

        public double ap() {
            return stats[0];
        }

        public double ap50() {
            return stats[1];
        }

        public double ap75() {
            return stats[2];
        }

        public double apSmall() {
            return stats[3];
        }

        public double apMedium() {
            return stats[4];
        }

        public double apLarge() {
            return stats[5];
        }
    }

    /** What {@code evaluateImg} keeps for one (image, category, area range). */
    private record EvalImage(double[] dtScores, int[] dtFlags, int nonIgnoredGt) {}

    /**
     * @param imageIds    the images evaluated ({@code params.imgIds}); duplicates are removed
     * @param categoryIds the categories evaluated ({@code params.catIds}); annotations of other
     *                    categories are left out, as pycocotools' {@code getAnnIds(catIds=...)} leaves them
     */
    public CocoEvaluator(int[] imageIds, int[] categoryIds) {
        this.imageIds = Arrays.stream(imageIds).distinct().sorted().toArray();
        this.categoryIds = Arrays.stream(categoryIds).distinct().sorted().toArray();
        for (int i = 0; i < this.imageIds.length; i++) imageIndex.put(this.imageIds[i], i);
        for (int k = 0; k < this.categoryIds.length; k++) categoryIndex.put(this.categoryIds[k], k);
    }

    /** Adds a ground-truth box {@code (x, y, w, h)} with its area (COCO's {@code area} field). */
    public void addGroundTruth(int imageId, int categoryId, double x, double y, double w, double h, double area) {
        add(groundTruths, imageId, categoryId, new Box(x, y, w, h, area, 0), "ground truth");
    }

    /** Adds a detection; {@code area} is what pycocotools' {@code loadRes} sets, {@code w·h}. */
    public void addDetection(
            int imageId, int categoryId, double x, double y, double w, double h, double score, double area) {
        if (Double.isNaN(score))
            throw new IllegalArgumentException("CocoEvaluator: detection score is NaN on image " + imageId);
        add(detections, imageId, categoryId, new Box(x, y, w, h, area, score), "detection");
    }

    private void add(Map<Long, List<Box>> into, int imageId, int categoryId, Box box, String what) {
        Integer i = imageIndex.get(imageId);
        if (i == null)
            throw new IllegalArgumentException(
                    "CocoEvaluator: " + what + " on image " + imageId + ", which is not among the evaluated images");
        Integer k = categoryIndex.get(categoryId);
        if (k == null) return;
        into.computeIfAbsent(key(i, k), unused -> new ArrayList<>()).add(box);
    }

    private static long key(int imageIndex, int categoryIndex) {
        return ((long) imageIndex << 32) | categoryIndex;
    }

    /** Runs evaluate, accumulate and summarize. */
    public Summary evaluate() {
        int images = imageIds.length, categories = categoryIds.length;
        EvalImage[][][] evalImgs = new EvalImage[categories][A][images];
        for (int k = 0; k < categories; k++) {
            for (int i = 0; i < images; i++) {
                List<Box> gt = groundTruths.getOrDefault(key(i, k), List.of());
                List<Box> dt = detections.getOrDefault(key(i, k), List.of());
                if (gt.isEmpty() && dt.isEmpty()) continue;
                List<Box> dtSorted = sortedByScore(dt, MAX_DETECTIONS[M - 1]);
                double[][] ious = iou(dtSorted, gt); // [D, G]
                for (int a = 0; a < A; a++) evalImgs[k][a][i] = evaluateImage(gt, dtSorted, ious, AREA_RANGES[a]);
            }
        }
        double[] precision = new double[T * R * categories * A * M]; // [T, R, K, A, M]
        double[] recall = new double[T * categories * A * M]; // [T, K, A, M]
        Arrays.fill(precision, -1);
        Arrays.fill(recall, -1);
        for (int k = 0; k < categories; k++) {
            for (int a = 0; a < A; a++) {
                for (int m = 0; m < M; m++) accumulate(evalImgs[k][a], k, a, m, categories, precision, recall);
            }
        }
        Summary partial = new Summary(null, precision, recall, categories);
        return new Summary(summarize(partial), precision, recall, categories);
    }

    /** Detections by descending score (stable), at most {@code maxDet}. */
    private static List<Box> sortedByScore(List<Box> dt, int maxDet) {
        double[] negScores = new double[dt.size()];
        for (int d = 0; d < negScores.length; d++) negScores[d] = -dt.get(d).score();
        int[] order = StableArgsort.ascending(negScores);
        List<Box> out = new ArrayList<>(Math.min(maxDet, order.length));
        for (int j = 0; j < order.length && j < maxDet; j++) out.add(dt.get(order[j]));
        return out;
    }

    /** IoU of every detection with every ground truth, as the C routine {@code bbIou} computes it. */
    private static double[][] iou(List<Box> dt, List<Box> gt) {
        double[][] out = new double[dt.size()][gt.size()]; // [D, G]
        for (int g = 0; g < gt.size(); g++) {
            Box gb = gt.get(g);
            double ga = gb.w() * gb.h();
            for (int d = 0; d < dt.size(); d++) {
                Box db = dt.get(d);
                double da = db.w() * db.h();
                double w = Math.min(db.w() + db.x(), gb.w() + gb.x()) - Math.max(db.x(), gb.x());
                if (w <= 0) continue;
                double h = Math.min(db.h() + db.y(), gb.h() + gb.y()) - Math.max(db.y(), gb.y());
                if (h <= 0) continue;
                double inter = w * h;
                out[d][g] = inter / (da + ga - inter);
            }
        }
        return out;
    }

    /** {@code evaluateImg} for one image, category and area range; {@code dt} is already sorted and cut. */
    private static EvalImage evaluateImage(List<Box> gtIn, List<Box> dt, double[][] iousIn, double[] areaRange) {
        int g = gtIn.size(), d = dt.size();
        double[] ignoreKey = new double[g];
        for (int j = 0; j < g; j++) ignoreKey[j] = outside(gtIn.get(j).area(), areaRange) ? 1 : 0;
        int[] gtOrder = StableArgsort.ascending(ignoreKey); // regular ground truths first, ignored last
        boolean[] gtIgnore = new boolean[g];
        int nonIgnored = 0;
        for (int j = 0; j < g; j++) {
            gtIgnore[j] = ignoreKey[gtOrder[j]] == 1;
            if (!gtIgnore[j]) nonIgnored++;
        }
        int[] dtFlags = new int[d];
        boolean[] gtMatched = new boolean[g];
        for (int t = 0; t < T; t++) {
            Arrays.fill(gtMatched, false);
            for (int di = 0; di < d; di++) {
                double best = Math.min(IOU_THRESHOLDS[t], 1 - 1e-10);
                int m = -1;
                for (int gi = 0; gi < g; gi++) {
                    if (gtMatched[gi]) continue;
                    // Once matched to a regular ground truth, ignored ones (sorted last) cannot replace it.
                    if (m > -1 && !gtIgnore[m] && gtIgnore[gi]) break;
                    double iou = iousIn[di][gtOrder[gi]];
                    // pycocotools skips on `iou < threshold`: an IoU exactly at the threshold matches.
                    if (iou < best) continue;
                    best = iou;
                    m = gi;
                }
                if (m == -1) continue;
                dtFlags[di] |= 1 << t;
                if (gtIgnore[m]) dtFlags[di] |= 1 << (IGNORED + t);
                gtMatched[m] = true;
            }
        }
        double[] scores = new double[d];
        for (int di = 0; di < d; di++) {
            scores[di] = dt.get(di).score();
            // Unmatched detections outside the area range are ignored at that threshold.
            if (outside(dt.get(di).area(), areaRange)) {
                for (int t = 0; t < T; t++) if ((dtFlags[di] & (1 << t)) == 0) dtFlags[di] |= 1 << (IGNORED + t);
            }
        }
        return new EvalImage(scores, dtFlags, nonIgnored);
    }

    private static boolean outside(double area, double[] range) {
        return area < range[0] || area > range[1];
    }

    /** {@code accumulate} for one category, area range and max-detections setting. */
    private static void accumulate(
            EvalImage[] perImage, int k, int a, int m, int categories, double[] precision, double[] recall) {
        int maxDet = MAX_DETECTIONS[m];
        int total = 0, npig = 0;
        boolean any = false;
        for (EvalImage e : perImage) {
            if (e == null) continue;
            any = true;
            total += Math.min(maxDet, e.dtScores().length);
            npig += e.nonIgnoredGt();
        }
        if (!any || npig == 0) return;
        double[] negScores = new double[total]; // [nd] concatenated in image order
        int[] flags = new int[total]; // [nd]
        int n = 0;
        for (EvalImage e : perImage) {
            if (e == null) continue;
            int take = Math.min(maxDet, e.dtScores().length);
            for (int j = 0; j < take; j++) {
                negScores[n] = -e.dtScores()[j];
                flags[n++] = e.dtFlags()[j];
            }
        }
        int[] order = StableArgsort.ascending(negScores);
        double[] rc = new double[total]; // [nd]
        double[] pr = new double[total]; // [nd]
        for (int t = 0; t < T; t++) {
            long tp = 0, fp = 0;
            for (int j = 0; j < total; j++) {
                int f = flags[order[j]];
                boolean matched = (f & (1 << t)) != 0, ignored = (f & (1 << (IGNORED + t))) != 0;
                if (!ignored) {
                    if (matched) tp++;
                    else fp++;
                }
                rc[j] = (double) tp / npig;
                pr[j] = tp / ((double) (fp + tp) + SPACING_ONE);
            }
            recall[((t * categories + k) * A + a) * M + m] = total > 0 ? rc[total - 1] : 0;
            for (int j = total - 1; j > 0; j--) {
                if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
            }
            // np.searchsorted(rc, recThrs, side='left'); thresholds past the last recall keep precision 0.
            int j = 0;
            for (int r = 0; r < R; r++) {
                while (j < total && rc[j] < RECALL_THRESHOLDS[r]) j++;
                precision[(((t * R + r) * categories + k) * A + a) * M + m] = j < total ? pr[j] : 0;
            }
        }
    }

    /** {@code _summarizeDets}: AP at [.5:.95], .5, .75, by area; AR at 1, 10, 100 detections, by area. */
    private static double[] summarize(Summary s) {
        return new double[] {
            mean(s, true, -1, 0, 2), mean(s, true, 0, 0, 2), mean(s, true, 5, 0, 2),
            mean(s, true, -1, 1, 2), mean(s, true, -1, 2, 2), mean(s, true, -1, 3, 2),
            mean(s, false, -1, 0, 0), mean(s, false, -1, 0, 1), mean(s, false, -1, 0, 2),
            mean(s, false, -1, 1, 2), mean(s, false, -1, 2, 2), mean(s, false, -1, 3, 2),
        };
    }

    /** {@code _summarize}: mean of the values above -1 (in numpy's C order), or -1 if there are none. */
    private static double mean(Summary s, boolean precision, int onlyT, int a, int m) {
        int categories = s.numCategories();
        double[] values = new double[T * R * categories];
        int n = 0;
        for (int t = 0; t < T; t++) {
            if (onlyT >= 0 && t != onlyT) continue;
            if (precision) {
                for (int r = 0; r < R; r++) {
                    for (int k = 0; k < categories; k++) {
                        double v = s.precision(t, r, k, a, m);
                        if (v > -1) values[n++] = v;
                    }
                }
            } else {
                for (int k = 0; k < categories; k++) {
                    double v = s.recall(t, k, a, m);
                    if (v > -1) values[n++] = v;
                }
            }
        }
        return n == 0 ? -1 : NumpySum.sum(values, 0, n) / n;
    }

    private static double[] linspace(double start, double stop, int num) {
        double[] out = new double[num];
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) out[i] = i * step + start;
        out[num - 1] = stop;
        return out;
    }
}
