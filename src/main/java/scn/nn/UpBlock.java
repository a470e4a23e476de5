package scn.nn;

import java.util.List;
import scn.autograd.Functional;
import scn.autograd.Var;

/**
 * An M2U-Net decoder block (SPEC section 3): nearest ×2 upsampling of {@code x}, concatenation with
 * the binary skip {@code [up(x), skip]}, then a contracting inverted-residual block without identity:
 * 1×1 expand to {@code E = round(C·expansion)}, 3×3 depthwise, 1×1 project — each ConvBnPlif.
 */
final class UpBlock {
    final String name;
    final ConvBnAct expand, depthwise, project;

    UpBlock(ParameterStore store, String name, boolean spiking, int cin, int cskip, int cout, int expanded) {
        this.name = name;
        int c = cin + cskip;
        expand = ConvBnAct.standard(store, name + ".expand", spiking, c, expanded, 1, 1, 0, 1, false);
        // The widest activation of the block, from a convolution of 9 multiply-adds per output: run again in the
        // backward rather than kept (bench --profile: about 2 % of a step; 54 MB less held at width 1, batch 2).
        depthwise =
                ConvBnAct.standard(store, name + ".depthwise", spiking, expanded, expanded, 3, 1, 1, expanded, true);
        project = ConvBnAct.standard(store, name + ".project", spiking, expanded, cout, 1, 1, 0, 1, false);
    }

    Var forward(Var x, Var skip, boolean training) {
        Var joined = Probe.watching()
                ? Probe.layer(
                        new Layer(
                                name + ".join",
                                List.of("x", "skip"),
                                List.of(),
                                new Layer.Join(),
                                in -> join(in[0], in[1])),
                        x,
                        skip)
                : join(x, skip);
        return project.forward(depthwise.forward(expand.forward(joined, training), training), training);
    }

    /** {@code [up(x), skip]}. */
    private static Var join(Var x, Var skip) {
        return Functional.concatChannels(Functional.upsample2x(x), skip);
    }

    long parameterCount() {
        return expand.parameterCount() + depthwise.parameterCount() + project.parameterCount();
    }
}
