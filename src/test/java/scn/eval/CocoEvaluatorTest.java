package scn.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Hand-worked COCOeval cases. Notation: tp/fp are the cumulative sums over detections by descending
 * score, rc = tp/npig, pr = tp/(tp+fp) after the backward-max envelope; the precision at recall threshold
 * r/100 is pr at the first index with rc >= r/100, or 0 when there is none. pycocotools adds
 * np.spacing(1) to the denominator, so a "1" is 1/(1+2^-52): expectations hold to 1e-12.
 */
class CocoEvaluatorTest {
    private static final double TOL = 1e-12;

    private static CocoEvaluator oneCategory(int images) {
        int[] ids = new int[images];
        for (int i = 0; i < images; i++) ids[i] = i + 1;
        return new CocoEvaluator(ids, new int[] {1});
    }

    private static void gt(CocoEvaluator e, int image, double x, double y, double w, double h) {
        e.addGroundTruth(image, 1, x, y, w, h, w * h);
    }

    private static void dt(CocoEvaluator e, int image, double x, double y, double w, double h, double score) {
        e.addDetection(image, 1, x, y, w, h, score, w * h);
    }

    @Test
    void thresholdsAreNumpyLinspace() {
        // np.linspace(.5, .95, 10).tolist(); note 0.8999999999999999.
        assertArrayEquals(
                new double[] {0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95},
                CocoEvaluator.IOU_THRESHOLDS,
                0.0);
        assertEquals(101, CocoEvaluator.RECALL_THRESHOLDS.length);
        assertEquals(0.07, CocoEvaluator.RECALL_THRESHOLDS[7], 0.0);
        assertEquals(1.0, CocoEvaluator.RECALL_THRESHOLDS[100], 0.0);
    }

    @Test
    void perfectDetectionGivesOneAndMinusOneForEmptyAreas() {
        CocoEvaluator e = oneCategory(1);
        gt(e, 1, 0, 0, 10, 10);
        dt(e, 1, 0, 0, 10, 10, 0.9);
        double[] s = e.evaluate().stats();
        // Area 100 is small; medium and large hold no ground truth: -1.
        assertArrayEquals(new double[] {1, 1, 1, 1, -1, -1, 1, 1, 1, 1, -1, -1}, s, TOL);
        assertEquals(1 / (1 + Math.ulp(1.0)), s[0], 0.0);
    }

    @Test
    void craftedCaseWithHandComputedInterpolation() {
        // 3 ground truths; detections by score: TP, FP, TP, FP (IoU 1 or 0, so every threshold agrees).
        //   tp = [1, 1, 2, 2], fp = [0, 1, 1, 2], rc = [1/3, 1/3, 2/3, 2/3], pr = [1, 1/2, 2/3, 1/2]
        //   envelope (backward max): pr = [1, 2/3, 2/3, 1/2]
        //   r = 0..33 (0.00..0.33 <= 1/3): first rc >= r/100 is index 0 -> 1      (34 points)
        //   r = 34..66 (0.34..0.66 <= 2/3): index 2 -> 2/3                          (33 points)
        //   r = 67..100: rc never reaches them -> 0                                (34 points)
        //   AP = (34·1 + 33·2/3 + 34·0) / 101 = 56/101 = 0.55446
        CocoEvaluator e = oneCategory(1);
        gt(e, 1, 0, 0, 20, 20);
        gt(e, 1, 50, 0, 20, 20);
        gt(e, 1, 100, 0, 20, 20);
        dt(e, 1, 50, 0, 20, 20, 0.7); // TP
        dt(e, 1, 200, 200, 20, 20, 0.8); // FP
        dt(e, 1, 0, 0, 20, 20, 0.9); // TP
        dt(e, 1, 250, 200, 20, 20, 0.6); // FP
        CocoEvaluator.Summary s = e.evaluate();
        assertEquals(56.0 / 101, s.ap(), TOL);
        assertEquals(56.0 / 101, s.ap50(), TOL);
        assertEquals(56.0 / 101, s.ap75(), TOL);
        assertEquals(56.0 / 101, s.apSmall(), TOL); // every box is 20×20 = 400 <= 32²
        assertEquals(-1.0, s.apMedium(), 0.0);
        assertEquals(2.0 / 3, s.stats()[8], TOL); // AR@100
        assertEquals(1.0 / 3, s.stats()[6], TOL); // AR@1: only the 0.9 detection counts
    }

    @Test
    void iouExactlyAtAThresholdMatches() {
        // IoU 50/100 = 0.5: matches at .5 only (pycocotools skips on iou < t). AP = (101 + 0·9·101)/1010.
        CocoEvaluator half = oneCategory(1);
        gt(half, 1, 0, 0, 10, 10);
        dt(half, 1, 0, 0, 5, 10, 0.9);
        CocoEvaluator.Summary s = half.evaluate();
        assertEquals(1.0, s.ap50(), TOL);
        assertEquals(0.0, s.ap75(), TOL);
        assertEquals(0.1, s.ap(), TOL);

        // IoU 75/100 = 0.75: matches at .5, .55, .6, .65, .7, .75: AP = 6/10.
        CocoEvaluator threeQuarters = oneCategory(1);
        gt(threeQuarters, 1, 0, 0, 10, 10);
        dt(threeQuarters, 1, 0, 0, 7.5, 10, 0.9);
        s = threeQuarters.evaluate();
        assertEquals(1.0, s.ap75(), TOL);
        assertEquals(0.6, s.ap(), TOL);

        // Just under 0.5 does not match.
        CocoEvaluator under = oneCategory(1);
        gt(under, 1, 0, 0, 10, 10);
        dt(under, 1, 0, 0, 4.999, 10, 0.9);
        assertEquals(0.0, under.evaluate().ap50(), TOL);
    }

    @Test
    void equalScoresKeepImageOrder() {
        // Two images, one ground truth each, two detections of equal score: the stable sort keeps image 1's
        // first. FP then TP: tp = [0, 1], fp = [1, 1], rc = [0, 1/2], pr = [0, 1/2] -> envelope [1/2, 1/2];
        // r = 0..50 -> 1/2, r = 51..100 -> 0: AP = 51·0.5/101.
        CocoEvaluator fpFirst = oneCategory(2);
        gt(fpFirst, 1, 0, 0, 10, 10);
        gt(fpFirst, 2, 0, 0, 10, 10);
        dt(fpFirst, 2, 0, 0, 10, 10, 0.5); // TP on image 2, added first
        dt(fpFirst, 1, 100, 100, 10, 10, 0.5); // FP on image 1
        assertEquals(25.5 / 101, fpFirst.evaluate().ap(), TOL);

        // TP on image 1: tp = [1, 1], fp = [0, 1], rc = [1/2, 1/2], pr = [1, 1/2]: r = 0..50 -> 1: AP = 51/101.
        CocoEvaluator tpFirst = oneCategory(2);
        gt(tpFirst, 1, 0, 0, 10, 10);
        gt(tpFirst, 2, 0, 0, 10, 10);
        dt(tpFirst, 1, 0, 0, 10, 10, 0.5);
        dt(tpFirst, 2, 100, 100, 10, 10, 0.5);
        assertEquals(51.0 / 101, tpFirst.evaluate().ap(), TOL);

        // Within one image, equal scores keep insertion order: FP added first.
        CocoEvaluator sameImage = oneCategory(1);
        gt(sameImage, 1, 0, 0, 10, 10);
        gt(sameImage, 1, 200, 0, 10, 10);
        dt(sameImage, 1, 100, 100, 10, 10, 0.5);
        dt(sameImage, 1, 0, 0, 10, 10, 0.5);
        assertEquals(25.5 / 101, sameImage.evaluate().ap(), TOL);
    }

    @Test
    void imagesWithoutDetectionsLowerRecall() {
        // npig = 2, one TP: rc = [1/2], pr = [1]: r = 0..50 -> 1: AP = 51/101, AR = 1/2.
        CocoEvaluator e = oneCategory(2);
        gt(e, 1, 0, 0, 10, 10);
        gt(e, 2, 0, 0, 10, 10);
        dt(e, 1, 0, 0, 10, 10, 0.3);
        CocoEvaluator.Summary s = e.evaluate();
        assertEquals(51.0 / 101, s.ap(), TOL);
        assertEquals(0.5, s.stats()[8], TOL);

        // No detections at all: AP 0, AR 0 (not -1: there is ground truth).
        CocoEvaluator none = oneCategory(1);
        gt(none, 1, 0, 0, 10, 10);
        assertArrayEquals(
                new double[] {0, 0, 0, 0, -1, -1, 0, 0, 0, 0, -1, -1},
                none.evaluate().stats(),
                TOL);
    }

    @Test
    void categoryWithoutGroundTruthIsLeftOutOfTheMean() {
        CocoEvaluator e = new CocoEvaluator(new int[] {1}, new int[] {1, 2});
        e.addGroundTruth(1, 1, 0, 0, 10, 10, 100);
        e.addDetection(1, 1, 0, 0, 10, 10, 0.9, 100);
        e.addDetection(1, 2, 0, 0, 10, 10, 0.95, 100); // category 2 has no ground truth: precision -1
        e.addDetection(1, 7, 0, 0, 10, 10, 0.99, 100); // category 7 is not evaluated at all
        CocoEvaluator.Summary s = e.evaluate();
        assertEquals(1.0, s.ap(), TOL);
        assertEquals(-1.0, s.precision(0, 0, 1, 0, 2), 0.0);
        assertEquals(-1.0, s.recall(0, 1, 0, 2), 0.0);
    }

    @Test
    void greedyMatchingTakesTheHighestScoreFirst() {
        // A = (0,0,10,10), B = (5,0,10,10). d1 (score .9) = (3,0,10,10): IoU(A) = 70/130 = .538,
        // IoU(B) = 80/120 = .667. d2 (score .8) = B exactly; IoU(d2, A) = 50/150.
        //   t = .5 .. .65: d1 takes B (best IoU), d2 finds only A at .333: TP, FP -> rc [1/2, 1/2],
        //                  pr [1, 1/2]: AP_t = 51/101
        //   t = .7 .. .95: d1 matches nothing, d2 takes B: FP, TP -> pr envelope [1/2, 1/2]: AP_t = 25.5/101
        //   AP = (4·51 + 6·25.5) / 1010 = 357/1010
        CocoEvaluator e = oneCategory(1);
        gt(e, 1, 0, 0, 10, 10);
        gt(e, 1, 5, 0, 10, 10);
        dt(e, 1, 3, 0, 10, 10, 0.9);
        dt(e, 1, 5, 0, 10, 10, 0.8);
        CocoEvaluator.Summary s = e.evaluate();
        assertEquals(357.0 / 1010, s.ap(), TOL);
        assertEquals(51.0 / 101, s.ap50(), TOL);
        assertEquals(25.5 / 101, s.ap75(), TOL);
    }

    @Test
    void maxDetectionsLimitRecall() {
        // 12 objects, 12 perfect detections with distinct scores: AR@1 = 1/12, AR@10 = 10/12, AR@100 = 1.
        CocoEvaluator e = oneCategory(1);
        for (int i = 0; i < 12; i++) {
            gt(e, 1, 20 * i, 0, 10, 10);
            dt(e, 1, 20 * i, 0, 10, 10, 0.5 + i / 100.0);
        }
        double[] s = e.evaluate().stats();
        assertEquals(1.0, s[0], TOL);
        assertEquals(1.0 / 12, s[6], TOL);
        assertEquals(10.0 / 12, s[7], TOL);
        assertEquals(1.0, s[8], TOL);
    }

    @Test
    void areaRangesIgnoreOutsideObjectsAndUnmatchedDetections() {
        // A medium ground truth (40×40 = 1600) and two detections: a small false positive (score .9, area
        // 100) and a perfect match (score .8).
        //   all:    FP, TP -> pr envelope [1/2, 1/2] at rc [0, 1]: AP = 1/2
        //   medium: the unmatched small detection is ignored: TP only: AP = 1
        //   small:  the ground truth is ignored, npig = 0: -1
        CocoEvaluator e = oneCategory(1);
        gt(e, 1, 0, 0, 40, 40);
        dt(e, 1, 100, 100, 10, 10, 0.9);
        dt(e, 1, 0, 0, 40, 40, 0.8);
        CocoEvaluator.Summary s = e.evaluate();
        assertEquals(0.5, s.ap(), TOL);
        assertEquals(1.0, s.apMedium(), TOL);
        assertEquals(-1.0, s.apSmall(), 0.0);
        assertEquals(-1.0, s.apLarge(), 0.0);

        // Area exactly 32² = 1024 lies in both small and medium (pycocotools tests area < lo or area > hi).
        CocoEvaluator edge = oneCategory(1);
        gt(edge, 1, 0, 0, 32, 32);
        dt(edge, 1, 0, 0, 32, 32, 0.9);
        s = edge.evaluate();
        assertEquals(1.0, s.apSmall(), TOL);
        assertEquals(1.0, s.apMedium(), TOL);
    }

    @Test
    void aMatchToARegularGroundTruthStopsAtIgnoredOnes() {
        // R = (0,0,40,40), medium; S = (0,0,30,30), small. One detection = S: IoU(S) = 1, IoU(R) = 900/1600.
        //   medium: S is ignored and sorted last. At t = .5, .55 the detection matches R (.5625) and stops
        //           before S: TP, AP_t = 1. At t >= .6 it can only match S, so it is ignored: AP_t = 0.
        //           AP = 2/10.
        //   all:    both regular; the detection moves on from R to S (IoU 1 beats .5625): one TP of npig 2,
        //           AP = 51/101.
        //   small:  R is ignored; the detection matches S at every t: AP = 1.
        CocoEvaluator e = oneCategory(1);
        gt(e, 1, 0, 0, 40, 40);
        gt(e, 1, 0, 0, 30, 30);
        dt(e, 1, 0, 0, 30, 30, 0.9);
        CocoEvaluator.Summary s = e.evaluate();
        assertEquals(0.2, s.apMedium(), TOL);
        assertEquals(51.0 / 101, s.ap(), TOL);
        assertEquals(1.0, s.apSmall(), TOL);
    }

    @Test
    void rejectsUnknownImagesAndNaNScores() {
        CocoEvaluator e = oneCategory(1);
        assertThrows(IllegalArgumentException.class, () -> e.addDetection(5, 1, 0, 0, 1, 1, 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> e.addGroundTruth(0, 1, 0, 0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> e.addDetection(1, 1, 0, 0, 1, 1, Double.NaN, 1));
    }

    @Test
    void stableArgsortKeepsEqualKeysInOrder() {
        assertArrayEquals(new int[] {3, 1, 4, 0, 2, 5}, StableArgsort.ascending(new double[] {2, 1, 2, -1, 1, 3}));
        assertArrayEquals(new int[] {0, 1}, StableArgsort.ascending(new double[] {-0.0, 0.0}));
        assertArrayEquals(new int[] {1, 0}, StableArgsort.ascending(new double[] {0.0, -1e-300}));
    }

    @Test
    void sumAgreesWithNumpyToTheLastBit() {
        // Values (i·0.37 mod 1)/3. numpy 2.4: np.add.reduce of 2020 of them = 333.0999999999968 (a plain
        // left-to-right loop gives 333.0999999999973); of 20000 = 3299.999999999707
        // (loop: 3299.9999999996726).
        double[] a = new double[20000];
        for (int i = 0; i < a.length; i++) a[i] = ((i * 0.37) % 1.0) / 3.0;
        assertEquals(333.0999999999968, NumpySum.sum(a, 0, 2020), 0.0);
        assertEquals(3299.999999999707, NumpySum.sum(a, 0, 20000), 0.0);
    }
}
