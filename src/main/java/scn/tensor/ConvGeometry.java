package scn.tensor;

/**
 * The shapes of one 2-D convolution, checked once at the API boundary: input {@code [n, cin, h, w]},
 * weight {@code [cout, cin/groups, kh, kw]}, output {@code [n, cout, hOut, wOut]}.
 */
public record ConvGeometry(int n, int cin, int h, int w, int cout, int kh, int kw, int stride, int pad, int groups) {
    public ConvGeometry {
        String shapes = "conv2d: input [" + n + ", " + cin + ", " + h + ", " + w + "], weight [" + cout + ", "
                + (groups > 0 ? cin / groups : cin) + ", " + kh + ", " + kw + "], stride " + stride + ", padding " + pad
                + ", groups " + groups;
        if (stride < 1) throw new IllegalArgumentException(shapes + ": stride must be >= 1");
        if (pad < 0) throw new IllegalArgumentException(shapes + ": padding must be >= 0");
        if (groups < 1 || cin % groups != 0 || cout % groups != 0) {
            throw new IllegalArgumentException(
                    shapes + ": groups must divide both input channels " + cin + " and output channels " + cout);
        }
        if (kh < 1 || kw < 1) throw new IllegalArgumentException(shapes + ": kernel must be at least 1x1");
        if (h + 2 * pad < kh || w + 2 * pad < kw) {
            throw new IllegalArgumentException(shapes + ": kernel larger than the padded input");
        }
    }

    /** Checks a 4-D input against a 4-D weight and derives the geometry. */
    public static ConvGeometry of(int[] xShape, int[] wShape, int stride, int pad, int groups) {
        Shape.requireRank("conv2d", "input", xShape, 4);
        Shape.requireRank("conv2d", "weight", wShape, 4);
        if (groups < 1 || xShape[1] % groups != 0 || wShape[1] * groups != xShape[1]) {
            throw new IllegalArgumentException("conv2d: input " + Shape.str(xShape) + " and weight " + Shape.str(wShape)
                    + " do not agree with groups " + groups + " (weight dim 1 must be input channels / groups)");
        }
        return new ConvGeometry(
                xShape[0], xShape[1], xShape[2], xShape[3], wShape[0], wShape[2], wShape[3], stride, pad, groups);
    }

    public int hOut() {
        return (h + 2 * pad - kh) / stride + 1;
    }

    public int wOut() {
        return (w + 2 * pad - kw) / stride + 1;
    }

    public int cinPerGroup() {
        return cin / groups;
    }

    public int coutPerGroup() {
        return cout / groups;
    }

    /** Rows of the im2col matrix of one group: {@code cin/groups * kh * kw}. */
    public int patch() {
        return cinPerGroup() * kh * kw;
    }

    public int[] outShape() {
        return new int[] {n, cout, hOut(), wOut()};
    }

    public int[] weightShape() {
        return new int[] {cout, cinPerGroup(), kh, kw};
    }

    public int[] inShape() {
        return new int[] {n, cin, h, w};
    }

    public boolean isDepthwise() {
        return groups == cin && groups == cout;
    }

    public boolean isPointwise() {
        return kh == 1 && kw == 1 && stride == 1 && pad == 0;
    }

    /** Multiply-adds of the forward pass (FLOPs are twice this). */
    public long macs() {
        return (long) n * cout * patch() * hOut() * wOut();
    }
}
