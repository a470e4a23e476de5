package scn.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static scn.TestUtil.random;

import org.junit.jupiter.api.Test;
import scn.tensor.ConvGeometry;
import scn.tensor.Tensor;

/** The references themselves against values worked out by hand, and the shape errors at the API. */
class ReferenceOpsTest {
    @Test
    void convolutionByHand() {
        // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,0],[0,-1]], stride 1, pad 0: y = x[i][j] - x[i+1][j+1] = -4
        // everywhere.
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w = {1, 0, 0, -1}, y = new float[4];
        Conv2dRef.forward(y, x, w, new ConvGeometry(1, 1, 3, 3, 1, 2, 2, 1, 0, 1));
        assertArrayEquals(new float[] {-4, -4, -4, -4}, y);
        // Padding 1, stride 2, 3x3 kernel of ones: sums of the clipped windows at the four corners.
        float[] ones = {1, 1, 1, 1, 1, 1, 1, 1, 1}, y2 = new float[4];
        Conv2dRef.forward(y2, x, ones, new ConvGeometry(1, 1, 3, 3, 1, 3, 3, 2, 1, 1));
        assertArrayEquals(new float[] {1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9}, y2);
    }

    @Test
    void groupedConvolutionKeepsGroupsApart() {
        // Two groups of one channel each; weights 2 and 3 (1x1): each output channel scales only its own input.
        float[] x = {1, 2, 10, 20}, w = {2, 3}, y = new float[4];
        Conv2dRef.forward(y, x, w, new ConvGeometry(1, 2, 1, 2, 2, 1, 1, 1, 0, 2));
        assertArrayEquals(new float[] {2, 4, 30, 60}, y);
    }

    @Test
    void batchNormNormalisesAndMovesRunningStatistics() {
        float[] x = {1, 3, 5, 7}; // one channel, N=2, H*W=2: mean 4, biased var 5, unbiased var 20/3
        float[] y = new float[4], rm = {0}, rv = {1}, mean = new float[1], invStd = new float[1];
        BatchNorm2dRef.forwardTrain(y, x, new float[] {2}, new float[] {1}, rm, rv, mean, invStd, 2, 1, 2, 0.1f, 1e-5f);
        assertEquals(4f, mean[0]);
        assertEquals(1 / Math.sqrt(5 + 1e-5), invStd[0], 1e-7);
        assertEquals(2 * (1 - 4) / Math.sqrt(5 + 1e-5) + 1, y[0], 1e-6);
        assertEquals(0.4f, rm[0], 1e-7);
        assertEquals(0.9 + 0.1 * 20 / 3.0, rv[0], 1e-6);
        float[] yEval = new float[4];
        BatchNorm2dRef.forwardEval(
                yEval, x, new float[] {1}, new float[] {0}, new float[] {1}, new float[] {4}, 2, 1, 2, 0f);
        assertArrayEquals(new float[] {0f, 1f, 2f, 3f}, yEval);
    }

    @Test
    void maxPoolByHandWithTiesToTheFirst() {
        // 4x4 plane, 3x3 window, stride 2, pad 1 → 2x2 outputs.
        float[] x = {1, 9, 0, 0, 1, 1, 0, 2, 5, 0, 3, 3, 5, 0, 3, 8}; // the two 5s tie in window (1, 0)
        float[] y = new float[4];
        int[] arg = new int[4];
        MaxPool2dRef.forward(y, arg, x, 1, 4, 4, 3, 2, 1);
        assertArrayEquals(new float[] {9, 9, 5, 8}, y);
        assertArrayEquals(new int[] {1, 1, 8, 15}, arg);
        float[] dx = new float[16];
        MaxPool2dRef.backward(dx, new float[] {1, 2, 3, 4}, arg, 1, 4, 4, 2, 2);
        assertEquals(3f, dx[1]);
        assertEquals(3f, dx[8]);
        assertEquals(4f, dx[15]);
    }

    @Test
    void upsampleAndMeanOverTimeByHand() {
        float[] y = new float[8];
        Upsample2xRef.forward(y, new float[] {1, 2}, 1, 1, 2);
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2}, y);
        float[] m = new float[2];
        ElementwiseRef.meanTime(m, new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        assertArrayEquals(new float[] {3, 4}, m);
    }

    @Test
    void shapeErrorsNameTheOperatorAndShapes() {
        Tensor x = random(1, 2, 4, 5, 5), w = random(2, 6, 3, 3, 3);
        var e = assertThrows(IllegalArgumentException.class, () -> Conv2d.forward(x, w, 1, 1, 1));
        assertTrue(
                e.getMessage().startsWith("conv2d")
                        && e.getMessage().contains("[2, 4, 5, 5]")
                        && e.getMessage().contains("[6, 3, 3, 3]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Conv2d.forward(x, random(3, 6, 4, 3, 3), 0, 1, 1));
        assertTrue(e.getMessage().contains("stride"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Conv2d.forward(x, random(3, 6, 2, 3, 3), 1, 1, 3));
        assertTrue(e.getMessage().contains("groups 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Conv2d.forward(x, random(3, 6, 4, 3, 3), 1, -1, 1));
        assertTrue(e.getMessage().contains("padding"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> Conv2d.forward(random(4, 4, 5, 5), random(3, 6, 4, 3, 3), 1, 1, 1));
        assertTrue(e.getMessage().contains("rank 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MaxPool2d.outShape(new int[] {1, 1, 4, 4}, 3, 2, 2));
        assertTrue(e.getMessage().startsWith("max_pool2d"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> Concat.outShape(new int[] {1, 2, 4, 4}, new int[] {1, 2, 4, 5}));
        assertTrue(e.getMessage().contains("[1, 2, 4, 5]"), e.getMessage());
        Tensor y = Tensor.zeros(2, 4, 5, 5);
        e = assertThrows(
                IllegalArgumentException.class,
                () -> BatchNorm2d.forwardEval(y, x, random(5, 3), random(6, 3), random(7, 3), random(8, 3), 1e-5f));
        assertTrue(e.getMessage().startsWith("batch_norm2d") && e.getMessage().contains("[3]"), e.getMessage());
    }
}
