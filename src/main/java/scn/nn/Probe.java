package scn.nn;

import java.util.function.Supplier;
import scn.autograd.Parameter;
import scn.autograd.Var;

/**
 * A way to watch the operations of a forward pass without a second copy of the network: while a probe
 * is installed on the current thread, every convolution reports its input and geometry, every residual
 * addition its shape, and every {@link Layer} is handed over to be run. The energy estimate (SPEC
 * section 8) counts operations this way; the layer-by-layer check ({@code scn.check}) takes each layer's
 * inputs and gradients this way. With no probe installed a report costs one thread-local read.
 */
public final class Probe {
    /** What a forward pass reports. */
    public interface Listener {
        /**
         * A convolution named {@code name} (its parameter prefix) over {@code input [N, cin, H, W]}
         * (time folded into N) into {@code cout} channels of {@code outH x outW}.
         */
        void conv(String name, Var input, int cout, int kernel, int stride, int pad, int groups, int outH, int outW);

        /** A residual addition of two tensors of {@code elements} values each (time and batch included). */
        void add(String name, long elements);

        /** A layer about to run on {@code inputs}: returns its output, by default by running it. */
        default Var layer(Layer layer, Var... inputs) {
            return layer.run(inputs);
        }
    }

    private static final ThreadLocal<Listener> ACTIVE = new ThreadLocal<>();

    private Probe() {}

    /** Runs {@code pass} with {@code listener} hearing every operation of this thread. */
    public static <T> T watch(Listener listener, Supplier<T> pass) {
        Listener previous = ACTIVE.get();
        ACTIVE.set(listener);
        try {
            return pass.get();
        } finally {
            ACTIVE.set(previous);
        }
    }

    /** Whether a probe is installed on this thread (a layer builds its {@link Layer} description only then). */
    static boolean watching() {
        return ACTIVE.get() != null;
    }

    /** Hands {@code layer} to the installed probe, which runs it on {@code inputs}. */
    static Var layer(Layer layer, Var... inputs) {
        Listener l = ACTIVE.get();
        return l == null ? layer.run(inputs) : l.layer(layer, inputs);
    }

    /** Reports the convolution whose weight is {@code weight}, named by it without {@code .weight}. */
    static void conv(Parameter weight, Var input, Var output, int stride, int pad, int groups) {
        Listener l = ACTIVE.get();
        if (l == null) return;
        String name = weight.name().endsWith(".weight")
                ? weight.name().substring(0, weight.name().length() - ".weight".length())
                : weight.name();
        int[] s = output.shape();
        int r = s.length;
        l.conv(name, input, s[r - 3], weight.shape()[2], stride, pad, groups, s[r - 2], s[r - 1]);
    }

    static void add(String name, Var sum) {
        Listener l = ACTIVE.get();
        if (l == null) return;
        long n = 1;
        for (int d : sum.shape()) n *= d;
        l.add(name, n);
    }
}
