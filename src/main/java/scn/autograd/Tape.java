package scn.autograd;

import java.util.ArrayList;
import java.util.List;
import scn.backend.Profile;
import scn.tensor.Shape;

/**
 * The record of operations for reverse-mode autodiff, one per thread. Each operator that produces a
 * value needing a gradient appends a closure that knows its local backward; {@link #backward} seeds the
 * loss gradient and runs the closures newest first — creation order is already a topological order.
 * The gradients of intermediate values are dropped as soon as they have been propagated, and an
 * operator's result as soon as its own backward has run (every reader of it was recorded later, so has
 * already run): both go back to the active arena, where the gradients still to come reuse them, and
 * reading such a result after {@link #backward} is an error. Afterwards the tape is empty.
 *
 * <p>{@link #noGrad()} opens an inference scope in which nothing is recorded.
 */
public final class Tape {
    /**
     * One operator's local backward: reads its output's gradient, adds into its inputs' gradients. On a device
     * {@code dy} is null and the backward reads the output's {@link Var#deviceGrad()}.
     */
    @FunctionalInterface
    public interface Backward {
        void run(scn.tensor.Tensor dy);
    }

    /**
     * A recorded operator: its output, its backward, whether that backward reads the output's value (which must then
     * stay until it has run), and the model's layer when it was recorded (the profile charges the backward to it).
     */
    private record Node(Var output, Backward backward, boolean readsOutput, String layer) {}

    private static final class State {
        final List<Node> nodes = new ArrayList<>();
        boolean enabled = true;
    }

    private static final ThreadLocal<State> STATE = ThreadLocal.withInitial(State::new);

    private Tape() {}

    public static boolean gradEnabled() {
        return STATE.get().enabled;
    }

    /** True when an operator over these inputs must record its backward. */
    static boolean needsGrad(Var... inputs) {
        if (!gradEnabled()) return false;
        for (Var v : inputs) if (v != null && v.requiresGrad()) return true;
        return false;
    }

    /** Records {@code backward} for {@code output} if it requires a gradient. */
    static void record(Var output, Backward backward) {
        if (output.requiresGrad()) STATE.get().nodes.add(new Node(output, backward, true, Profile.layer()));
    }

    /**
     * As {@link #record}, for a backward that does not read its output's value (a convolution's, say):
     * the value goes back to the arena before that backward runs, as soon as every reader has run.
     */
    static void recordFreeingOutput(Var output, Backward backward) {
        if (output.requiresGrad()) STATE.get().nodes.add(new Node(output, backward, false, Profile.layer()));
    }

    /** Number of recorded operations (for tests and diagnostics). */
    public static int size() {
        return STATE.get().nodes.size();
    }

    /** Forgets everything recorded, e.g. after a forward pass whose gradient is not wanted. */
    public static void clear() {
        STATE.get().nodes.clear();
    }

    /** A scope in which operators record nothing: {@code try (var s = Tape.noGrad()) { … }}. */
    public static Scope noGrad() {
        State s = STATE.get();
        Scope scope = new Scope(s.enabled);
        s.enabled = false;
        return scope;
    }

    public static final class Scope implements AutoCloseable {
        private final boolean previous;

        private Scope(boolean previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            STATE.get().enabled = previous;
        }
    }

    /**
     * Back-propagates from a single-element {@code loss}: adds 1 to its gradient and runs every recorded
     * backward, newest first. Parameters keep (accumulate) their gradients; the tape is cleared.
     */
    public static void backward(Var loss) {
        if (Shape.size(loss.shape()) != 1) {
            throw new IllegalArgumentException(
                    "backward: the loss must hold one value, got shape " + Shape.str(loss.shape()));
        }
        if (!loss.requiresGrad())
            throw new IllegalArgumentException(
                    "backward: the loss does not depend on anything that requires a gradient");
        loss.gradBuffer().data()[0] += 1f;
        run();
    }

    /**
     * Back-propagates a given gradient {@code dy} of {@code output} (of its shape) instead of a loss's 1: how
     * one layer is run backward on its own, with the gradient that reached it in another run.
     */
    public static void backward(Var output, scn.tensor.Tensor dy) {
        backward(List.of(output), List.of(dy));
    }

    /** As {@link #backward(Var, scn.tensor.Tensor)} from several outputs at once, each with its gradient. */
    public static void backward(List<Var> outputs, List<scn.tensor.Tensor> dys) {
        if (outputs.size() != dys.size())
            throw new IllegalArgumentException(
                    "backward: " + outputs.size() + " outputs but " + dys.size() + " gradients");
        for (int k = 0; k < outputs.size(); k++) {
            Var output = outputs.get(k);
            scn.tensor.Tensor dy = dys.get(k);
            Shape.requireSame("backward", "gradient", dy.shapeRef(), "output", output.shape());
            if (!output.requiresGrad())
                throw new IllegalArgumentException(
                        "backward: the output does not depend on anything that requires a gradient");
            float[] g = output.gradBuffer().data(), d = dy.data();
            for (int i = 0; i < d.length; i++) g[i] += d[i];
        }
        run();
    }

    private static void run() {
        List<Node> nodes = STATE.get().nodes;
        try {
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Node node = nodes.get(i);
                nodes.set(i, null);
                Var out = node.output();
                if (!node.readsOutput()) out.releaseValue();
                if (out.hasGrad()) { // else nothing downstream of this value reached the loss
                    scn.tensor.Tensor dy = out.grad(); // null on a device: the backward reads out.deviceGrad()
                    if (out.gradientHook() != null && dy != null)
                        out.gradientHook().accept(dy);
                    String outer = Profile.enterBackward(node.layer()); // the profile charges it to its layer
                    try {
                        node.backward().run(dy);
                    } finally {
                        Profile.leaveBackward(outer);
                    }
                    if (out.intermediate()) out.releaseGrad();
                }
                // Every reader of this value was recorded after it and has run: its arrays can serve
                // the gradients still to come.
                out.releaseValue();
            }
        } finally {
            nodes.clear();
        }
    }
}
