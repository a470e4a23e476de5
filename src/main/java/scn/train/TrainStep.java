package scn.train;

import scn.autograd.Tape;
import scn.autograd.Var;
import scn.detect.CenterNetLoss;
import scn.detect.CenterNetTargets;
import scn.nn.SpikingCenterNet;
import scn.tensor.Arena;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * One optimisation step of the detector: forward in training mode, CenterNet loss, backward,
 * gradient-norm clipping and the AdamW update (SPEC section 5).
 */
public final class TrainStep {
    public static final double CLIP_NORM = 1.0;

    private final SpikingCenterNet model;
    private final AdamW optimizer;
    private final CenterNetTargets.Geometry geometry;
    private final Arena arena = new Arena();

    public TrainStep(SpikingCenterNet model, float weightDecay) {
        this.model = model;
        this.optimizer = new AdamW(model.parameters(), model::decays, weightDecay);
        this.geometry = new CenterNetTargets.Geometry(model.config().classes(), model.config().gridHeight(), model.config().gridWidth(), 4, 100);
    }

    public AdamW optimizer() {
        return optimizer;
    }

    /** The result of a step: the loss terms and the gradient norm before clipping. */
    public record Result(float total, float heatmap, float offset, float size, double gradNorm) {}

    /** Runs one step on {@code input [T, B, 4, 256, 320]} with {@code boxes [B, N, 5]} at learning rate {@code lr}. */
    public Result run(SpikeTensor input, Tensor boxes, float lr) {
        arena.reset(); // the previous step's activations and gradients are dead: reuse their arrays
        try (var scope = arena.activate()) {
            return step(input, boxes, lr);
        }
    }

    /** The arena whose arrays the steps recycle (an inference pass may borrow it between steps). */
    public Arena arena() {
        return arena;
    }

    private Result step(SpikeTensor input, Tensor boxes, float lr) {
        optimizer.zeroGrad();
        SpikingCenterNet.Outputs out = model.forward(Var.constant(input), true);
        CenterNetLoss.Terms loss = CenterNetLoss.compute(out.heatmap(), out.offset(), out.size(), CenterNetTargets.forBatch(geometry, boxes));
        Tape.backward(loss.total());
        double norm = AdamW.clipGradNorm(model.parameters(), CLIP_NORM);
        if (Double.isFinite(norm) && Float.isFinite(loss.total().value().item())) optimizer.step(lr);
        return new Result(loss.total().value().item(), loss.heatmap(), loss.offset(), loss.size(), norm);
    }
}
