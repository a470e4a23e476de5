package scn.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void foldAndUnfoldTimeShareStorage() {
        Tensor x = Tensor.zeros(5, 3, 4, 7, 9); // [T, B, C, H, W]
        Tensor folded = x.foldTime();
        assertArrayEquals(new int[] {15, 4, 7, 9}, folded.shape());
        assertSame(x.data(), folded.data());
        folded.set(2f, 14, 3, 6, 8);
        assertEquals(2f, x.get(4, 2, 3, 6, 8));
        assertArrayEquals(new int[] {5, 3, 4, 7, 9}, folded.unfoldTime(5).shape());
        assertThrows(IllegalArgumentException.class, () -> folded.unfoldTime(4));
    }

    @Test
    void viewInfersOneDimensionAndRejectsWrongSizes() {
        Tensor x = Tensor.zeros(6, 5);
        assertArrayEquals(new int[] {3, 10}, x.view(3, -1).shape());
        var e = assertThrows(IllegalArgumentException.class, () -> x.view(7, 5));
        assertTrue(e.getMessage().contains("[6, 5]"), e.getMessage());
    }

    @Test
    void indexingIsRowMajorAndChecked() {
        Tensor x = Tensor.zeros(2, 3);
        x.set(7f, 1, 2);
        assertEquals(7f, x.data()[5]);
        assertThrows(IndexOutOfBoundsException.class, () -> x.get(2, 0));
    }

    @Test
    void spikesRoundTripExactlyAndRejectNonBinary() {
        Tensor x = Tensor.wrap(new float[] {0, 1, 1, 0, 0, 1}, 2, 3);
        SpikeTensor s = SpikeTensor.fromFloat(x);
        assertEquals(0.5, s.density());
        assertArrayEquals(x.data(), s.toFloat().data());
        Tensor bad = Tensor.wrap(new float[] {0, 0.5f}, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> SpikeTensor.fromFloat(bad));
        assertTrue(e.getMessage().contains("element 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SpikeTensor.wrap(new byte[] {0, 2}, 2));
    }
}
