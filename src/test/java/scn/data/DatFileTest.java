package scn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.data.events.DataFormatException;
import scn.data.events.Events;

/** The {@code .dat} reader against the real ATIS fixture and against files written here. */
class DatFileTest {
    static final Path NCARS = Path.of("../shared/data/ncars_sample_td.dat");

    @TempDir
    Path dir;

    @Test
    void ncarsFixtureFacts() throws IOException {
        assumeTrue(Files.exists(NCARS), "the ncars fixture is only present in the development checkout");
        try (DatFile f = DatFile.open(NCARS)) {
            assertEquals(
                    List.of(
                            "Data file containing N9Chronocam7Event2dE events.",
                            "Version 2",
                            "Date 2017-10-31 11:29:21"),
                    f.headerLines());
            assertEquals(93, f.dataOffset()); // header ends at 91, then type and size bytes
            assertEquals(DatFile.TYPE_EVENT2D, f.eventType());
            assertEquals(2009, f.eventCount());
            assertEquals(304, f.width()); // no Width/Height lines: the GEN1 default
            assertEquals(240, f.height());
            Events ev = new Events();
            f.read(0, f.eventCount(), ev);
            assertEvent(ev, 0, 0, 25, 8, 0);
            assertEvent(ev, 1, 35, 67, 35, 0);
            assertEvent(ev, 2, 152, 56, 27, 1);
            assertEvent(ev, 2008, 99952, 75, 28, 1);
            int maxX = 0;
            int maxY = 0;
            int on = 0;
            for (int i = 0; i < ev.size(); i++) {
                maxX = Math.max(maxX, ev.x()[i]);
                maxY = Math.max(maxY, ev.y()[i]);
                on += ev.p()[i];
                if (i > 0)
                    assertTrue(f.rawTime(i) >= f.rawTime(i - 1), "raw timestamps of the fixture are non-decreasing");
            }
            assertEquals(77, maxX);
            assertEquals(41, maxY);
            assertEquals(1350, on);
            assertEquals(659, ev.size() - on);
            assertEquals(99952, f.lastTime());
        }
    }

    private static void assertEvent(Events ev, int i, long t, int x, int y, int p) {
        assertEquals(t, ev.t()[i], "t of event " + i);
        assertEquals(x, ev.x()[i], "x of event " + i);
        assertEquals(y, ev.y()[i], "y of event " + i);
        assertEquals(p, ev.p()[i], "p of event " + i);
    }

    @Test
    void headerlessFileHasNoTypeBytesAndDefaultSize() throws IOException {
        Path p = dir.resolve("bare_td.dat");
        try (DatWriter w = DatWriter.createHeaderless(p)) {
            w.write(5, 303, 239, 1);
            w.write(9, 0, 0, 0);
        }
        assertEquals(16, Files.size(p));
        try (DatFile f = DatFile.open(p)) {
            assertFalse(f.hasHeader());
            assertEquals(-1, f.eventType());
            assertEquals(0, f.dataOffset());
            assertEquals(2, f.eventCount());
            Events ev = new Events();
            f.read(0, 2, ev);
            assertEvent(ev, 0, 5, 303, 239, 1);
            assertEvent(ev, 1, 9, 0, 0, 0);
        }
        try (DatFile f = DatFile.open(p, 640, 480)) {
            assertEquals(640, f.width());
            assertEquals(480, f.height());
        }
    }

    @Test
    void widthAndHeightLinesSetTheSensorAndCdTypeIsAccepted() throws IOException {
        Path p = dir.resolve("big_td.dat");
        try (DatWriter w = DatWriter.createWithHeader(
                p, "% Data file containing CD events.\n% Width 640\n% Height 480\n% end\n", DatFile.TYPE_CD)) {
            w.write(1, 639, 479, 1);
        }
        try (DatFile f = DatFile.open(p)) {
            assertEquals(640, f.width());
            assertEquals(480, f.height());
            assertEquals(DatFile.TYPE_CD, f.eventType());
            Events ev = new Events();
            f.read(0, 1, ev);
            assertEvent(ev, 0, 1, 639, 479, 1);
        }
    }

    @Test
    void unknownTypeOrSizeIsRefusedWithOffset() throws IOException {
        String header = "% Version 2\n";
        Path badType = dir.resolve("type_td.dat");
        try (DatWriter w = DatWriter.createWithHeader(badType, header, 5)) {
            w.write(1, 1, 1, 1);
        }
        DataFormatException e = assertThrows(DataFormatException.class, () -> DatFile.open(badType));
        assertTrue(
                e.getMessage().contains("type_td.dat")
                        && e.getMessage().contains("at byte 12")
                        && e.getMessage().contains("event type 5"),
                e.getMessage());

        Path badSize = dir.resolve("size_td.dat");
        Files.write(badSize, concat(header.getBytes(), new byte[] {0, 16}));
        e = assertThrows(DataFormatException.class, () -> DatFile.open(badSize));
        assertTrue(e.getMessage().contains("at byte 13") && e.getMessage().contains("event size 16"), e.getMessage());
    }

    @Test
    void truncatedFileIsReportedWithTheOffsetOfThePartialRecord() throws IOException {
        Path p = dir.resolve("cut_td.dat");
        try (DatWriter w = DatWriter.create(p, 304, 240)) {
            for (int i = 0; i < 3; i++) w.write(i, i, i, 0);
        }
        long full = Files.size(p);
        Files.write(p, Arrays.copyOf(Files.readAllBytes(p), (int) full - 3));
        DataFormatException e = assertThrows(DataFormatException.class, () -> DatFile.open(p));
        assertTrue(
                e.getMessage().contains("cut_td.dat") && e.getMessage().contains("at byte " + (full - 8)),
                e.getMessage());
        assertTrue(e.getMessage().contains("5 bytes left after 2 complete"), e.getMessage());
    }

    @Test
    void eventOutsideTheSensorIsReportedWithOffset() throws IOException {
        Path p = dir.resolve("wide_td.dat");
        try (DatWriter w = DatWriter.createHeaderless(p)) {
            w.write(1, 10, 10, 0);
            w.write(2, 304, 10, 0);
        }
        try (DatFile f = DatFile.open(p)) {
            DataFormatException e = assertThrows(DataFormatException.class, () -> f.read(0, 2, new Events()));
            assertTrue(e.getMessage().contains("at byte 8") && e.getMessage().contains("x=304"), e.getMessage());
        }
    }

    @Test
    void headerWithoutEndOfLineIsTruncated() throws IOException {
        Path p = dir.resolve("head_td.dat");
        Files.writeString(p, "% Version 2\n% Width 30");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DatFile.open(p));
        assertTrue(e.getMessage().contains("at byte 12"), e.getMessage());
    }

    @Test
    void backwardTimestampsAreClampedToTheRunningMaximum() throws IOException {
        Path p = dir.resolve("back_td.dat");
        long[] raw = {10, 20, 15, 30, 25, 24, 40};
        long[] clamped = {10, 20, 20, 30, 30, 30, 40};
        try (DatWriter w = DatWriter.create(p, 304, 240)) {
            for (long t : raw) w.write(t, 1, 2, 1);
        }
        try (DatFile f = DatFile.open(p)) {
            Events ev = new Events();
            f.read(0, raw.length, ev);
            assertTrue(
                    Arrays.equals(clamped, Arrays.copyOf(ev.t(), ev.size())),
                    Arrays.toString(Arrays.copyOf(ev.t(), ev.size())));
            f.read(4, 6, ev); // a read from the middle starts from the running maximum before it
            assertEquals(30, ev.t()[0]);
            assertEquals(30, ev.t()[1]);
            assertEquals(3, f.lowerBound(26)); // clamped: 10 20 20 30 ..., first >= 26 is index 3
            assertEquals(6, f.lowerBound(31));
            assertEquals(40, f.lastTime());
        }
    }

    @Test
    void lowerBoundMatchesALinearScanAcrossBlocks() throws IOException {
        Path p = dir.resolve("many_td.dat");
        Random rnd = new Random(7);
        int n = 5 * DatFile.BLOCK + 123;
        long[] raw = new long[n];
        long t = 1000;
        for (int i = 0; i < n; i++) {
            t += rnd.nextInt(30);
            raw[i] = rnd.nextInt(20) == 0 ? Math.max(0, t - rnd.nextInt(200)) : t; // some steps backwards
        }
        try (DatWriter w = DatWriter.createHeaderless(p)) {
            for (long v : raw) w.write(v, 0, 0, 0);
        }
        long[] clamped = new long[n];
        long run = 0;
        for (int i = 0; i < n; i++) clamped[i] = run = Math.max(run, raw[i]);
        try (DatFile f = DatFile.open(p)) {
            for (int q = 0; q < 500; q++) {
                long time = rnd.nextLong(t + 100);
                int expect = 0;
                while (expect < n && clamped[expect] < time) expect++;
                assertEquals(expect, f.lowerBound(time), "first event at or after " + time);
            }
            Events ev = new Events();
            f.readTime(20_000, 40_000, ev);
            long a = f.lowerBound(20_000);
            for (int i = 0; i < ev.size(); i++) assertEquals(clamped[(int) a + i], ev.t()[i]);
            assertTrue(ev.size() == 0 || ev.t()[ev.size() - 1] < 40_000);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
