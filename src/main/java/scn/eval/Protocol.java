package scn.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The four numbers that decide which boxes an event-camera detection evaluation scores, and how
 * detections meet labels: boxes at {@code t <= skipUs} are dropped (too little event history before
 * them), and so are boxes whose diagonal is below {@code minDiag} or either side below {@code minSide};
 * the filter applies to ground truth and detections alike. A detection belongs to the image of every
 * ground-truth timestamp within {@code ±timeTolUs} of it, both ends inclusive.
 *
 * <p>The scores of one model under two protocols differ by as much as published gains do (0.214 against
 * 0.196 mAP for the same GEN1 detections under {@link #GEN1} and {@link #PSEE_GEN1}), so every score is
 * reported with the protocol that produced it. The named protocols and where their values come from:
 * <ul>
 *   <li>{@link #GEN1}, the default: SPEC section 7, the filter of Perot et al. (NeurIPS 2020) with the
 *       QVGA thresholds, as RVT ({@code utils/evaluation/prophesee/evaluation.py}, camera {@code gen1})
 *       and most papers on GEN1 apply it.</li>
 *   <li>{@link #PSEE_GEN1}: {@code src/psee_evaluator.py --camera GEN1} of Prophesee's
 *       prophesee-automotive-dataset-toolbox (the same from commit b979243, October 2020, to c09d34a,
 *       March 2023): it calls {@code filter_boxes(x, int(1e5), 30, 20)}, a 0.1 s skip and 20-pixel sides
 *       where the toolbox's own {@code filter_boxes} defaults and README say 0.5 s. (With its default
 *       {@code --camera GEN4} the script filters at 0.1 s, a 60-pixel diagonal and 10-pixel sides.)</li>
 *   <li>{@link #GEN4}: the 1 Mpx camera (1280×720) as RVT scores it (camera {@code gen4}): a 60-pixel
 *       diagonal and, from the supplementary material of Perot et al., 20-pixel sides, after 0.5 s. RVT
 *       evaluates at half resolution with the thresholds halved, which keeps the same boxes up to
 *       rounding.</li>
 * </ul>
 * All three match within Prophesee's {@code evaluate_detection} default of 50 ms.
 *
 * @param name      how the protocol is reported; {@value #CUSTOM} when values were overridden
 * @param skipUs    boxes with {@code t <= skipUs} µs are dropped
 * @param minDiag   boxes with {@code w² + h² < minDiag²} pixels² are dropped
 * @param minSide   boxes with {@code w < minSide} or {@code h < minSide} pixels are dropped
 * @param timeTolUs a detection belongs to ground-truth timestamps within this many µs
 */
public record Protocol(String name, long skipUs, double minDiag, double minSide, long timeTolUs) {
    public static final Protocol GEN1 = new Protocol("gen1", 500_000, 30, 10, 50_000);
    public static final Protocol PSEE_GEN1 = new Protocol("psee-gen1", 100_000, 30, 20, 50_000);
    public static final Protocol GEN4 = new Protocol("gen4", 500_000, 60, 20, 50_000);
    /** The protocols {@link #named} knows, the default first. */
    public static final List<Protocol> NAMED = List.of(GEN1, PSEE_GEN1, GEN4);
    /** The name of a protocol whose values differ from the named one it started from. */
    public static final String CUSTOM = "custom";

    public Protocol {
        // a name is printed and written into JSON as it is
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("a protocol name is lower-case letters, digits and dashes: " + name);
        }
        if (skipUs < 0) throw new IllegalArgumentException("the time skip must be >= 0 us, got " + skipUs);
        if (!(minDiag >= 0) || Double.isInfinite(minDiag)) {
            throw new IllegalArgumentException("the minimum diagonal must be a finite number >= 0, got " + minDiag);
        }
        if (!(minSide >= 0) || Double.isInfinite(minSide)) {
            throw new IllegalArgumentException("the minimum side must be a finite number >= 0, got " + minSide);
        }
        if (timeTolUs < 0) throw new IllegalArgumentException("the time tolerance must be >= 0 us, got " + timeTolUs);
    }

    /** The named protocol; an unknown name is an error that lists the known ones. */
    public static Protocol named(String name) {
        for (Protocol p : NAMED) {
            if (p.name.equals(name.trim().toLowerCase(Locale.ROOT))) return p;
        }
        throw new IllegalArgumentException("unknown protocol '" + name + "': known protocols are " + knownNames());
    }

    /** The known names, comma-separated, the default first. */
    public static String knownNames() {
        return NAMED.stream().map(Protocol::name).collect(Collectors.joining(", "));
    }

    /**
     * This protocol with the given values in place of its own (null: keep it); named {@value #CUSTOM}
     * when any value changed, so a name always stands for the values it is published with.
     */
    public Protocol with(Long skipUs, Double minDiag, Double minSide, Long timeTolUs) {
        Protocol p = new Protocol(
                name,
                skipUs != null ? skipUs : this.skipUs,
                minDiag != null ? minDiag : this.minDiag,
                minSide != null ? minSide : this.minSide,
                timeTolUs != null ? timeTolUs : this.timeTolUs);
        return p.equals(this) ? this : new Protocol(CUSTOM, p.skipUs, p.minDiag, p.minSide, p.timeTolUs);
    }

    /** Whether a box at {@code t} µs of size {@code w × h} is scored. */
    public boolean keep(long t, float w, float h) {
        return t > skipUs && largeEnough(w, h);
    }

    /**
     * The size part of {@link #keep}, in float32 as numpy computes it on the {@code <f4} box fields
     * (the thresholds are Python scalars, which numpy casts to the array's float32).
     */
    public boolean largeEnough(float w, float h) {
        float side = (float) minSide;
        return w * w + h * h >= (float) (minDiag * minDiag) && w >= side && h >= side;
    }

    /**
     * One line for reports, e.g.
     * {@code gen1 (t > 500000 us, diagonal >= 30 px, sides >= 10 px, time tolerance 50000 us)}.
     */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "%s (t > %d us, diagonal >= %s px, sides >= %s px, time tolerance %d us)",
                name,
                skipUs,
                number(minDiag),
                number(minSide),
                timeTolUs);
    }

    /** The protocol as JSON fields: {@code name, skip_us, min_diag, min_side, time_tol_us}. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("skip_us", skipUs);
        m.put("min_diag", minDiag);
        m.put("min_side", minSide);
        m.put("time_tol_us", timeTolUs);
        return m;
    }

    /** Whole numbers without a fraction (30, not 30.0); others as Java prints a double. */
    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
