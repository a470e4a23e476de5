package scn.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import scn.data.events.DataFormatException;

/**
 * Training labels at a label timestamp, exactly as SPEC section 7 says: the boxes with {@code ts == tL},
 * the last box per track id, clipped to the frame, then the evaluation's size filter
 * ({@code w² + h² ≥ 30²}, {@code w ≥ 10}, {@code h ≥ 10}) without its time skip.
 *
 * <p>Also the checks that make a box row bad input (a box wholly outside the frame, a negative or
 * non-finite size, a class other than car or pedestrian), reported with the file and row.
 */
public final class Labels {
    public static final int CAR = 0;
    public static final int PEDESTRIAN = 1;
    public static final int NUM_CLASSES = 2;
    public static final float MIN_DIAGONAL = 30f;
    public static final float MIN_SIDE = 10f;

    private Labels() {}

    /**
     * The label rows {@code (x, y, w, h, class)} in sensor pixels at {@code tL}, in the order the kept rows
     * appear in the file. Rows with an unknown class are left out (see {@link #problems}).
     */
    public static float[][] at(Boxes boxes, long tL, int width, int height) { // [n][5]
        Map<Long, Integer> lastRowOfTrack = new LinkedHashMap<>();
        for (int i = 0; i < boxes.size(); i++) {
            if (boxes.t(i) == tL) {
                lastRowOfTrack.remove(boxes.trackId(i)); // re-insert so iteration follows the last row's position
                lastRowOfTrack.put(boxes.trackId(i), i);
            }
        }
        List<Integer> rows = new ArrayList<>(lastRowOfTrack.values());
        rows.sort(null);
        List<float[]> out = new ArrayList<>();
        for (int i : rows) {
            int cls = boxes.classId(i);
            if (cls < 0 || cls >= NUM_CLASSES) continue;
            float x1 = clamp(boxes.x(i), width);
            float y1 = clamp(boxes.y(i), height);
            float x2 = clamp(boxes.x(i) + boxes.w(i), width);
            float y2 = clamp(boxes.y(i) + boxes.h(i), height);
            float w = x2 - x1;
            float h = y2 - y1;
            if (w * w + h * h >= MIN_DIAGONAL * MIN_DIAGONAL && w >= MIN_SIDE && h >= MIN_SIDE) {
                out.add(new float[] {x1, y1, w, h, cls});
            }
        }
        return out.toArray(new float[0][]);
    }

    private static float clamp(float v, int max) {
        return Math.min(Math.max(v, 0f), max);
    }

    /** Messages, each naming the file and row, for rows that cannot be a box on a {@code width x height} sensor. */
    public static List<String> problems(Boxes boxes, Path file, int width, int height) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < boxes.size(); i++) {
            float x = boxes.x(i);
            float y = boxes.y(i);
            float w = boxes.w(i);
            float h = boxes.h(i);
            String box = "box (x=" + x + ", y=" + y + ", w=" + w + ", h=" + h + ")";
            String what = null;
            if (!Float.isFinite(x) || !Float.isFinite(y) || !Float.isFinite(w) || !Float.isFinite(h))
                what = box + " is not finite";
            else if (w < 0 || h < 0) what = box + " has a negative size";
            else if (x >= width || y >= height || x + w <= 0 || y + h <= 0)
                what = box + " lies outside the " + width + "x" + height + " frame";
            else if (boxes.classId(i) < 0 || boxes.classId(i) >= NUM_CLASSES)
                what = "class " + boxes.classId(i) + " is neither 0 (car) nor 1 (pedestrian)";
            if (what != null) out.add(DataFormatException.atRow(file, i, what).getMessage());
        }
        return out;
    }
}
