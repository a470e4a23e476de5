package scn.train;

import java.util.List;
import scn.autograd.Arithmetic;
import scn.autograd.Functional;
import scn.autograd.Tape;
import scn.autograd.Var;
import scn.backend.DeviceMemoryException;
import scn.detect.CenterNetLoss;
import scn.detect.CenterNetTargets;
import scn.nn.DeviceState;
import scn.nn.SpikingCenterNet;
import scn.tensor.Arena;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * One optimisation step of the detector: forward in training mode, CenterNet loss (plus, with a
 * teacher, the distillation term, {@link Distillation#SPEC} unless told otherwise), backward,
 * gradient-norm clipping and the AdamW update (SPEC section 5). The teacher is frozen: it runs in evaluation mode without a tape.
 *
 * <p>A step whose loss or gradient norm is NaN or infinite changes nothing: the update is skipped and
 * {@link Result#finite()} says so, so the caller can stop with the weights of the last good step.
 */
public final class TrainStep {
    public static final double CLIP_NORM = 1.0;

    private final SpikingCenterNet model;
    private final SpikingCenterNet teacher; // null: no distillation
    private final Distillation distillation;
    private final AdamW optimizer;
    private final CenterNetTargets.Geometry geometry;
    private final Arena arena;

    public TrainStep(SpikingCenterNet model, float weightDecay) {
        this(model, weightDecay, null);
    }

    /** A step that also distils {@code teacher}'s heatmap into {@code model} ({@code teacher} may be null). */
    public TrainStep(SpikingCenterNet model, float weightDecay, SpikingCenterNet teacher) {
        this(model, weightDecay, teacher, 1f);
    }

    /** As above, with the heads' output convolutions learning at {@code headLrScale} times the step's rate. */
    public TrainStep(SpikingCenterNet model, float weightDecay, SpikingCenterNet teacher, float headLrScale) {
        this(model, weightDecay, teacher, Distillation.SPEC, headLrScale, new Arena());
    }

    /** As above, distilling as {@code distillation} says. */
    public TrainStep(
            SpikingCenterNet model,
            float weightDecay,
            SpikingCenterNet teacher,
            Distillation distillation,
            float headLrScale) {
        this(model, weightDecay, teacher, distillation, headLrScale, new Arena());
    }

    /** As above, the steps recycling their arrays through {@code arena} (tests give a padded one). */
    TrainStep(
            SpikingCenterNet model,
            float weightDecay,
            SpikingCenterNet teacher,
            Distillation distillation,
            float headLrScale,
            Arena arena) {
        this.arena = arena;
        this.distillation = distillation;
        if (teacher != null && !teacher.config().teacher())
            throw new IllegalArgumentException(
                    "the distillation teacher must be a ReLU network, got " + teacher.config());
        if (model.device() != null && !model.device().training())
            throw new IllegalArgumentException(
                    "the model was placed on " + model.device().device() + " for inference: place it for training");
        this.model = model;
        this.teacher = teacher;
        this.optimizer = new AdamW(
                model.parameters(), model::decays, weightDecay, p -> model.isHeadOutput(p) ? headLrScale : 1.0);
        this.geometry = new CenterNetTargets.Geometry(
                model.config().classes(),
                model.config().gridHeight(),
                model.config().gridWidth(),
                4,
                100);
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** The distillation teacher, or null. */
    public SpikingCenterNet teacher() {
        return teacher;
    }

    /** The model this step trains. */
    public SpikingCenterNet model() {
        return model;
    }

    /**
     * The result of a step: the loss terms (distill is 0 without a teacher), the gradient norm before
     * clipping, and whether the step was applied (false when the loss or a gradient was not finite).
     */
    public record Result(float total, float heatmap, float offset, float size, float distill, double gradNorm) {
        public boolean finite() {
            return Float.isFinite(total) && Double.isFinite(gradNorm);
        }
    }

    /**
     * The loss terms of a forward and backward pass whose gradients wait in the parameters for {@link #update}. When
     * {@code total} is not finite there was no backward pass and the gradients are zero.
     */
    public record Losses(float total, float heatmap, float offset, float size, float distill) {}

    /** Runs one step on {@code input [T, B, 4, 256, 320]} with {@code boxes [B, N, 5]} at learning rate {@code lr}. */
    public Result run(SpikeTensor input, Tensor boxes, float lr) {
        return update(gradients(input, boxes), lr);
    }

    /**
     * The first half of {@link #run}: forward, loss and backward, leaving the gradients in the parameters (zeroed
     * first). Data-parallel training averages them over the replicas before {@link #update}.
     */
    public Losses gradients(SpikeTensor input, Tensor boxes) {
        arena.reset(); // the previous step's activations and gradients are dead: reuse their arrays
        if (model.device() != null) model.device().device().arena().reset(); // and the device's buffers
        try (var scope = arena.activate()) {
            return forwardBackward(input, boxes);
        } catch (DeviceMemoryException e) {
            throw tooLarge(input.shapeRef()[1], e);
        }
    }

    /** A step the model's device could not hold: the tape is cleared and the device's error names the batch. */
    private DeviceMemoryException tooLarge(int b, DeviceMemoryException cause) {
        Tape.clear();
        DeviceState device = model.device();
        return device == null ? cause : device.tooLarge("a training step", b, cause);
    }

    /**
     * The second half of {@link #run}: clips the parameters' gradients and applies AdamW at {@code lr}, unless the
     * loss in {@code losses} or the gradient norm is not finite, in which case nothing changes.
     */
    public Result update(Losses losses, float lr) {
        if (!Float.isFinite(losses.total()))
            return new Result(
                    losses.total(), losses.heatmap(), losses.offset(), losses.size(), losses.distill(), Double.NaN);
        DeviceState device = model.device();
        double norm = device != null
                ? AdamW.clipGradNorm(device.gradients(), CLIP_NORM)
                : AdamW.clipGradNorm(model.parameters(), CLIP_NORM);
        if (Double.isFinite(norm)) optimizer.step(lr);
        return new Result(losses.total(), losses.heatmap(), losses.offset(), losses.size(), losses.distill(), norm);
    }

    /** The arena whose arrays the steps recycle (an inference pass may borrow it between steps). */
    public Arena arena() {
        return arena;
    }

    private Losses forwardBackward(SpikeTensor input, Tensor boxes) {
        DeviceState device = model.device();
        if (device != null) device.device().zero(device.gradients()); // one fill for every gradient
        else optimizer.zeroGrad();
        SpikingCenterNet.Outputs taught = null;
        if (teacher != null) {
            try (var noGrad = Tape.noGrad()) {
                taught = teacher.forward(teacher.input(input), false, distillation.regression());
            }
        }
        SpikingCenterNet.Outputs out = model.forward(model.input(input), true);
        CenterNetTargets.Batch targets = CenterNetTargets.forBatch(geometry, boxes);
        CenterNetLoss.Terms loss = CenterNetLoss.compute(out.heatmap(), out.offset(), out.size(), targets);
        Var total = loss.total();
        float distill = 0f;
        if (taught != null) {
            Var kd = DistillationLoss.heatmap(out.heatmap(), taught.heatmap(), distillation, targets.totalObjects());
            if (distillation.regression()) {
                kd = Functional.add(
                        kd,
                        DistillationLoss.regression(
                                out.offset(), out.size(), taught.offset(), taught.size(), taught.heatmap()));
            }
            total = Functional.add(total, Arithmetic.scale(kd, distillation.weight()));
            distill = kd.value().item();
            if (distillation.features() > 0) {
                Var at = featureTerm(out.decoder(), taught.decoder());
                total = Functional.add(total, Arithmetic.scale(at, distillation.features()));
                distill += at.value().item(); // the log's term, unweighted: a float, not a node the backward skips
            }
        }
        float value = total.value().item();
        if (Float.isFinite(value)) Tape.backward(total);
        else Tape.clear(); // nothing will use this step's gradients
        return new Losses(value, loss.heatmap(), loss.offset(), loss.size(), distill);
    }

    /** The attention-transfer term ({@link DistillationLoss#attention}) summed over the decoder's outputs. */
    private static Var featureTerm(List<Var> student, List<Var> teacher) {
        Var sum = null;
        for (int k = 0; k < student.size(); k++) {
            Var at = DistillationLoss.attention(student.get(k), teacher.get(k));
            sum = sum == null ? at : Functional.add(sum, at);
        }
        return sum;
    }
}
