package scn.train;

import java.util.Locale;

/**
 * How the teacher is distilled into the student: what is matched, at which temperature, how the sum is
 * normalised, with which weight, whether the regression heads and the decoder's features are matched too,
 * and where the student starts. The default, {@link #SPEC}, is SPEC section 5: the student starts from the
 * teacher's weights (ours), then learns with the paper's term, {@code Σ (σ(z_s) − σ(z_t))² / B} over every
 * heatmap cell, weight 1. The other settings are ours, kept as options; what each does is in
 * docs/EXPERIMENTS.md ("What makes distillation pay").
 *
 * @param weight      the term's weight α in the total loss
 * @param target      what is matched per heatmap cell (see {@link Target})
 * @param temperature the logits are divided by it before the sigmoid ({@code prob}, {@code kl}); the term is
 *                    multiplied by its square, so that its gradient keeps its size as it changes (Hinton et al.)
 * @param norm        what the sum over cells is divided by (see {@link Norm})
 * @param regression  also match the offset and size heads (L1, weighted by the teacher's confidence)
 * @param features    the weight of a second term that matches the attention maps of the decoder's three outputs
 *                    (Zagoruyko and Komodakis's attention transfer, {@link DistillationLoss#attention}); 0: none
 * @param init        the student starts from the teacher's weights (all but its PLIF time constants), not from
 *                    its own random ones
 * @param calibrate   after that start, each head's output channels are fitted to the teacher's outputs on one batch
 *                    of the training set ({@link HeadCalibration}); needs {@code init}
 */
public record Distillation(
        float weight,
        Target target,
        float temperature,
        Norm norm,
        boolean regression,
        float features,
        boolean init,
        boolean calibrate) {
    /**
     * SPEC section 5: the paper's term, the student starting from the teacher's weights with its heads fitted to the
     * teacher's outputs. Starting there is what made the teacher pay on the synthetic set; the term alone, from
     * random weights, cost the student mAP.
     */
    public static final Distillation SPEC = new Distillation(1f, Target.PROB, 1f, Norm.SUM, false, 0f, true, true);

    /** What one heatmap cell contributes, for student logit {@code z_s} and teacher logit {@code z_t}. */
    public enum Target {
        /** {@code T² (σ(z_s/T) − σ(z_t/T))²}: probabilities, squared (SPEC). */
        PROB,
        /** {@code (z_s − z_t)²}: logits, squared; the temperature does not apply. */
        LOGIT,
        /** {@code T² KL(σ(z_t/T) ‖ σ(z_s/T))}: the Bernoulli divergence, Hinton's soft targets per cell. */
        KL
    }

    /** What the sum over heatmap cells is divided by. */
    public enum Norm {
        /** The batch size: a sum over the cells of each sample (SPEC). */
        SUM,
        /** The number of cells, {@code B·k·H·W}: a mean. */
        MEAN,
        /** The number of objects in the batch (at least 1), as the focal loss is. */
        OBJECTS
    }

    public Distillation {
        if (!(weight >= 0) || Float.isInfinite(weight))
            throw new IllegalArgumentException("--distill-weight must be a finite number >= 0, got " + weight);
        if (!(temperature > 0) || Float.isInfinite(temperature))
            throw new IllegalArgumentException("--distill-temperature must be > 0, got " + temperature);
        if (target == null) target = Target.PROB;
        if (norm == null) norm = Norm.SUM;
        if (target == Target.LOGIT && temperature != 1f)
            throw new IllegalArgumentException(
                    "--distill-temperature applies to --distill-target prob and kl, not to logit");
        if (!(features >= 0) || Float.isInfinite(features))
            throw new IllegalArgumentException("--distill-features must be a finite number >= 0, got " + features);
        if (calibrate && !init)
            throw new IllegalArgumentException("--distill-calibrate fits the heads of a student that starts from the"
                    + " teacher's weights: it cannot go with --no-distill-init");
    }

    /** Heatmap (and regression) matching alone: no feature term, the student starting from its own weights. */
    public Distillation(float weight, Target target, float temperature, Norm norm, boolean regression) {
        this(weight, target, temperature, norm, regression, 0f, false, false);
    }

    /** A short description for logs and summaries, e.g. {@code prob T=1 sum α=1 heatmap}. */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "%s%s %s α=%s %s%s%s",
                target.name().toLowerCase(Locale.ROOT),
                target == Target.LOGIT ? "" : " T=" + trim(temperature),
                norm.name().toLowerCase(Locale.ROOT),
                trim(weight),
                regression ? "heatmap+offset+size" : "heatmap",
                features > 0 ? ", decoder attention β=" + trim(features) : "",
                init
                        ? ", starting from the teacher's weights" + (calibrate ? ", heads fitted to its outputs" : "")
                        : "");
    }

    private static String trim(float v) {
        return v == Math.rint(v) ? Integer.toString((int) v) : Float.toString(v);
    }
}
