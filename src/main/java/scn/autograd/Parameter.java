package scn.autograd;

import scn.tensor.Tensor;

/** A trained tensor with its canonical name (the checkpoint key, SPEC section 3). Its gradient survives backward. */
public final class Parameter extends Var {
    private final String name;

    public Parameter(String name, Tensor value) {
        super(value, null, true);
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** The name without its last component ({@code encoder.stem.conv} for {@code encoder.stem.conv.weight}). */
    public String layerName() {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    @Override
    public String toString() {
        return "Parameter(" + name + ")" + scn.tensor.Shape.str(shape());
    }
}
