package scn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A box file written row by row is a valid box file after every flush, and the same rows as {@link Boxes} writes. */
class BoxFileWriterTest {
    @TempDir
    Path dir;

    @Test
    void validAfterEveryFlushAndAsBoxesWritesIt() throws IOException {
        Path streamed = dir.resolve("streamed_bbox.npy");
        Boxes all = new Boxes();
        try (BoxFileWriter w = BoxFileWriter.create(streamed)) {
            assertEquals(0, Boxes.read(streamed).size(), "an empty box file from the start");
            for (int i = 0; i < 2500; i++) { // more than the writer keeps waiting: it writes on its own too
                w.add(1000L * i, i, i + 0.5f, 10, 20, i % 2, 0, 1f / (i + 1));
                all.add(1000L * i, i, i + 0.5f, 10, 20, i % 2, 0, 1f / (i + 1));
                if (i == 6) {
                    w.flush();
                    Boxes so = Boxes.read(streamed);
                    assertEquals(7, so.size());
                    assertEquals(6000L, so.t(6));
                    assertEquals(1f / 7, so.confidence(6));
                }
            }
        }
        Boxes back = Boxes.read(streamed);
        assertEquals(2500, back.size());
        Path whole = dir.resolve("whole_bbox.npy");
        all.write(whole, Boxes.Dtype.PROPHESEE, 1);
        byte[] a = Files.readAllBytes(whole), b = Files.readAllBytes(streamed);
        int rows = 2500 * 40;
        byte[] aRows = java.util.Arrays.copyOfRange(a, a.length - rows, a.length);
        byte[] bRows = java.util.Arrays.copyOfRange(b, b.length - rows, b.length);
        assertArrayEquals(aRows, bRows, "the same 40-byte rows");
        assertEquals(0, (b.length - rows) % 64, "the data starts at a multiple of 64 bytes, as numpy writes it");
    }
}
