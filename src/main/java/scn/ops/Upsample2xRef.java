package scn.ops;

/**
 * The reference nearest-neighbour ×2 upsampling over {@code planes} of {@code [h, w]}: {@code y[2i+a][2j+b] = x[i][j]}.
 */
public final class Upsample2xRef {
    private Upsample2xRef() {}

    public static void forward(float[] y, float[] x, int planes, int h, int w) {
        for (int pl = 0; pl < planes; pl++) {
            for (int oy = 0; oy < 2 * h; oy++) {
                for (int ox = 0; ox < 2 * w; ox++) {
                    y[(pl * 2 * h + oy) * 2 * w + ox] = x[(pl * h + oy / 2) * w + ox / 2];
                }
            }
        }
    }

    /** {@code dx += } the sum of the four output gradients each input fed. */
    public static void backward(float[] dx, float[] dy, int planes, int h, int w) {
        for (int pl = 0; pl < planes; pl++) {
            for (int oy = 0; oy < 2 * h; oy++) {
                for (int ox = 0; ox < 2 * w; ox++) {
                    dx[(pl * h + oy / 2) * w + ox / 2] += dy[(pl * 2 * h + oy) * 2 * w + ox];
                }
            }
        }
    }
}
