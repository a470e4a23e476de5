package scn.ops;

import java.util.Arrays;
import scn.backend.Simd;

/**
 * The flat layout of the direct 3×3 kernels ({@link Conv3x3Simd}, {@link DepthwiseConvSimd}): a plane of {@code h}
 * rows of {@code w} laid out on rows of {@code w + 2}, so that a 3×3 tap's shift is one offset into the plane and
 * SIMD vectors run across row ends; the two extra columns of each row are computed and dropped (results) or held
 * at zero (a gradient that is dotted with shifted inputs, where the zeros cancel what a shift wraps in). A flat
 * plane is {@link #length} long: whole vectors, its tail past {@code h·(w + 2)} zero.
 */
final class FlatPlanes {
    private FlatPlanes() {}

    /** The length of a flat plane of {@code h} rows of {@code w}, in whole vectors. */
    static int length(int h, int w) {
        return (h * (w + 2) + Simd.LANES - 1) / Simd.LANES * Simd.LANES;
    }

    /** {@code flat[at ..]} = the rows {@code src[srcAt ..]} of {@code w}, two zero columns after each, a zero tail. */
    static void fromRows(float[] flat, int at, float[] src, int srcAt, int h, int w) {
        int q = at;
        for (int y = 0; y < h; y++, q += w + 2) {
            System.arraycopy(src, srcAt + y * w, flat, q, w);
            flat[q + w] = 0f;
            flat[q + w + 1] = 0f;
        }
        Arrays.fill(flat, q, at + length(h, w), 0f);
    }

    /** {@code out[outAt ..]} (+)= the rows of the flat plane {@code flat[at ..]}, dropping the extra columns. */
    static void toRows(float[] out, int outAt, float[] flat, int at, int h, int w, boolean add) {
        for (int y = 0; y < h; y++) {
            if (add) Simd.addInto(out, outAt + y * w, flat, at + y * (w + 2), w);
            else System.arraycopy(flat, at + y * (w + 2), out, outAt + y * w, w);
        }
    }
}
