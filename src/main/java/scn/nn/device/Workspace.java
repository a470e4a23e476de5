package scn.nn.device;

import scn.backend.opencl.ClBuffer;

/**
 * Float buffers shared by every layer of a device network, each as long as the largest layer output
 * ({@code [T·B, C, H, W]} of the stem): the neuron input recomputed in a backward ({@code pre}), its
 * gradient ({@code dPre}) and the gradient of a convolution output ({@code dConv}). Layers run one at a
 * time on an in-order queue, so one of each serves all; a layer takes views of its own length.
 */
record Workspace(ClBuffer pre, ClBuffer dPre, ClBuffer dConv) implements AutoCloseable {
    @Override
    public void close() {
        pre.close();
        dPre.close();
        dConv.close();
    }
}
