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

    @Override
    public String toString() {
        return "Parameter(" + name + ")" + scn.tensor.Shape.str(shape());
    }
}
