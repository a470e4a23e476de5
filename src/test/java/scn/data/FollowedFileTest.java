package scn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.data.events.DataFormatException;
import scn.data.events.EventStream;
import scn.data.events.Events;

/** Following a {@code .dat} while it is written: every event once, in order, clamped as in the finished file. */
public class FollowedFileTest {
    static final FollowedFile.Options QUICK = new FollowedFile.Options(Duration.ofMillis(300), Duration.ofMillis(5));

    @TempDir
    Path dir;

    /** All events of a stream, concatenated. */
    public static Events readAll(EventStream s) throws IOException {
        Events all = new Events();
        Events batch = new Events();
        while (s.next(batch)) {
            for (int i = 0; i < batch.size(); i++) all.add(batch.t()[i], batch.x()[i], batch.y()[i], batch.p()[i]);
        }
        return all;
    }

    public static void assertSameEvents(Events expected, Events got) {
        assertEquals(expected.size(), got.size());
        int n = expected.size();
        assertArrayEquals(Arrays.copyOf(expected.t(), n), Arrays.copyOf(got.t(), n));
        assertArrayEquals(Arrays.copyOf(expected.x(), n), Arrays.copyOf(got.x(), n));
        assertArrayEquals(Arrays.copyOf(expected.y(), n), Arrays.copyOf(got.y(), n));
        assertArrayEquals(Arrays.copyOf(expected.p(), n), Arrays.copyOf(got.p(), n));
    }

    @Test
    void aGrowingDatIsReadWholeWithItsClampAcrossOpenings() throws Exception {
        Path whole = dir.resolve("whole.dat");
        try (DatWriter w = DatWriter.create(whole, 640, 480)) {
            for (int i = 0; i < 30_000; i++) {
                long t = 50L * i - (i % 97 == 0 ? 70 : 0); // steps back, to be clamped to the running maximum
                w.write(Math.max(0, t), (i * 7) % 640, (i * 13) % 480, i & 1);
            }
        }
        Events expected;
        try (EventStream s = EventFiles.open(whole)) {
            expected = readAll(s);
        }
        Path growing = dir.resolve("growing.dat");
        GrowingFile writer = GrowingFile.start(whole, growing, 20, 1001, 2); // cuts the header, then records
        Events got;
        int openings;
        try (FollowedFile f = FollowedFile.open(growing, QUICK)) {
            assertEquals(640, f.width(), "the header's size, read once the header was whole");
            got = readAll(f);
            openings = f.openings();
            assertTrue(f.warnings().isEmpty(), f.warnings().toString());
        }
        writer.finish();
        assertSameEvents(expected, got);
        assertTrue(openings > 10, "opened again as it grew: " + openings);
    }

    @Test
    void aFileThatNeverGetsDataOrShrinksIsAnError() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.dat"));
        DataFormatException e = assertThrows(DataFormatException.class, () -> FollowedFile.open(empty, QUICK));
        assertTrue(e.getMessage().contains("empty.dat: no event data after the header yet"), e.getMessage());

        Path cut = Files.writeString(dir.resolve("cut.dat"), "% Data file containing Event2D");
        e = assertThrows(DataFormatException.class, () -> FollowedFile.open(cut, QUICK));
        assertTrue(e.getMessage().contains("header line has no end of line"), "the last try's: " + e.getMessage());

        Path txt = Files.writeString(dir.resolve("events.txt"), "x");
        e = assertThrows(DataFormatException.class, () -> FollowedFile.open(txt, QUICK));
        assertTrue(e.getMessage().contains("not an event file (.dat or .raw)"), e.getMessage());

        Path shrinking = dir.resolve("shrinking.dat");
        try (DatWriter w = DatWriter.create(shrinking, 304, 240)) {
            for (int i = 0; i < 100; i++) w.write(i, 1, 1, 1);
        }
        try (FollowedFile f = FollowedFile.open(shrinking, QUICK)) {
            Events batch = new Events();
            assertTrue(f.next(batch));
            try (FileChannel ch = FileChannel.open(shrinking, StandardOpenOption.WRITE)) {
                ch.truncate(Files.size(shrinking) - 80);
            }
            e = assertThrows(DataFormatException.class, () -> f.next(batch));
            assertTrue(e.getMessage().contains("shrank"), e.getMessage());
        }
    }

    @Test
    void endsAfterTheIdleTime() throws Exception {
        Path dat = dir.resolve("still.dat");
        try (DatWriter w = DatWriter.create(dat, 304, 240)) {
            w.write(5, 1, 1, 1);
        }
        long start = System.nanoTime();
        try (FollowedFile f = FollowedFile.open(dat, QUICK)) {
            Events batch = new Events();
            assertTrue(f.next(batch));
            assertFalse(f.next(batch));
        }
        assertTrue(System.nanoTime() - start >= 300_000_000L, "waited for the idle time");
    }
}
