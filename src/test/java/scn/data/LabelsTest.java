package scn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SPEC section 7 training labels: timestamp match, last box per track, clipping, size filter. */
class LabelsTest {
    @Test
    void onlyBoxesAtTheLabelTimeAndTheLastPerTrack() {
        Boxes b = new Boxes();
        b.add(99_999, 10, 10, 50, 50, 0, 1, 1); // another timestamp
        b.add(100_000, 10, 10, 50, 50, 0, 1, 1); // track 1, superseded by the row below
        b.add(100_000, 20, 30, 40, 40, 1, 2, 1); // track 2
        b.add(100_000, 12, 14, 60, 30, 0, 1, 1); // track 1, last: kept
        b.add(100_001, 10, 10, 50, 50, 0, 3, 1); // another timestamp
        float[][] rows = Labels.at(b, 100_000, 304, 240);
        assertEquals(2, rows.length);
        assertArrayEquals(new float[] {20, 30, 40, 40, 1}, rows[0]);
        assertArrayEquals(new float[] {12, 14, 60, 30, 0}, rows[1]);
    }

    @Test
    void clippedToTheFrameThenFilteredBySize() {
        Boxes b = new Boxes();
        long t = 500_000;
        b.add(t, -20, -5, 60, 40, 0, 1, 1); // clipped to (0, 0, 40, 35)
        b.add(t, 280, 200, 50, 60, 1, 2, 1); // clipped to (280, 200, 24, 40): diagonal 46.6, kept
        b.add(t, 300, 100, 30, 30, 0, 3, 1); // clipped width 4 < 10: dropped
        b.add(t, 10, 10, 20, 20, 0, 4, 1); // diagonal 28.3 < 30: dropped
        b.add(t, 10, 10, 21.3f, 21.3f, 0, 5, 1); // diagonal 30.12 >= 30: kept
        b.add(t, 10, 10, 9.9f, 80, 1, 6, 1); // w < 10: dropped
        b.add(t, 10, 10, 80, 10, 0, 7, 1); // h = 10 and diagonal 80.6: kept (the bounds are inclusive)
        b.add(t, 400, 10, 50, 50, 0, 8, 1); // wholly outside: nothing left after clipping
        b.add(t, 10, 10, 50, 50, 2, 9, 1); // unknown class: dropped
        float[][] rows = Labels.at(b, t, 304, 240);
        assertEquals(4, rows.length);
        assertArrayEquals(new float[] {0, 0, 40, 35, 0}, rows[0]);
        assertArrayEquals(new float[] {280, 200, 24, 40, 1}, rows[1]);
        assertArrayEquals(new float[] {10, 10, 21.3f, 21.3f, 0}, rows[2]);
        assertArrayEquals(new float[] {10, 10, 80, 10, 0}, rows[3]);
    }

    @Test
    void problemsNameFileAndRow() {
        Boxes b = new Boxes();
        b.add(1, 10, 10, 50, 50, 0, 1, 1);
        b.add(1, 400, 10, 50, 50, 0, 2, 1);
        b.add(1, 10, 10, -5, 50, 0, 3, 1);
        b.add(1, 10, 10, 50, 50, 7, 4, 1);
        List<String> p = Labels.problems(b, Path.of("x_bbox.npy"), 304, 240);
        assertEquals(3, p.size());
        assertTrue(
                p.get(0).contains("x_bbox.npy")
                        && p.get(0).contains("row 1")
                        && p.get(0).contains("outside"),
                p.get(0));
        assertTrue(p.get(1).contains("row 2") && p.get(1).contains("negative"), p.get(1));
        assertTrue(p.get(2).contains("row 3") && p.get(2).contains("class 7"), p.get(2));
    }
}
