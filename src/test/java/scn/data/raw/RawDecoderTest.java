package scn.data.raw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.data.events.DataFormatException;
import scn.data.events.Events;

/** Both decoders word type by word type, on streams the tests put together word by word (RawWords). */
class RawDecoderTest {
    @TempDir
    Path dir;

    /** All events of a file, as "t x y p" strings. */
    static List<String> events(RawFile f) throws IOException {
        List<String> out = new ArrayList<>();
        Events ev = new Events();
        while (f.next(ev)) {
            for (int i = 0; i < ev.size(); i++) {
                out.add(ev.t()[i] + " " + ev.x()[i] + " " + ev.y()[i] + " " + ev.p()[i]);
            }
        }
        return out;
    }

    @Test
    void evt2EveryWordType() throws IOException {
        RawWords w = RawWords.evt2()
                .cd(1, 5, 3, 4) // before the first time high: dropped
                .word(0xA, 1) // a trigger before it: skipped
                .timeHigh2(100)
                .cd(1, 3, 7, 9) // CD_ON at 100 * 64 + 3
                .cd(0, 63, 303, 239) // CD_OFF at the last low value and the sensor's far corner
                .word(0xA, 1 << 22 | 3 << 8 | 1) // EXT_TRIGGER
                .word(0xE, 0x14)
                .word(0xF, 42) // OTHERS + CONTINUED
                .word(0xD, 0) // IMU_EVT
                .word(0x7, 5) // not an EVT 2.0 type: reserved
                .timeHigh2(101)
                .cd(1, 0, 0, 0);
        try (RawFile f = RawFile.open(w.write(dir.resolve("a.raw"), 304, 240))) {
            assertEquals(RawFormat.EVT2, f.header().format());
            assertEquals(List.of("6403 7 9 1", "6463 303 239 0", "6464 0 0 1"), events(f));
            long[] skipped = f.decoder().skippedWords();
            assertEquals(2, skipped[0xA]);
            assertEquals(1, skipped[0xE]);
            assertEquals(1, skipped[0xF]);
            assertEquals(1, skipped[0xD]);
            assertEquals(1, skipped[0x7]);
            assertEquals("CONTINUED", f.decoder().typeName(0xF));
            assertEquals("reserved 0x7", f.decoder().typeName(0x7));
            assertEquals(1, f.decoder().droppedBeforeTimeHigh());
            assertTrue(
                    f.warnings().stream()
                            .anyMatch(
                                    m -> m.contains("a.raw") && m.contains("1 events before the first EVT_TIME_HIGH")),
                    f.warnings().toString());
        }
    }

    @Test
    void evt3EveryWordType() throws IOException {
        RawWords w = RawWords.evt3()
                .addrY(5)
                .addrX(1, 1) // before the first time high: ignored, the event dropped
                .timeHigh3(7)
                .addrX(2, 0) // no row since the time high: dropped
                .timeLow(0x123)
                .addrY(10)
                .addrX(20, 1) // one event at 7 * 4096 + 0x123
                .vectBaseX(100, 0)
                .vect12(0x801) // bits 0 and 11: x = 100 and 111
                .vect8(0x81) // base now 112: bits 0 and 7, x = 112 and 119
                .vect12(0) // an empty vector still moves the base by 12
                .vect12(0x002) // base 132: x = 133
                .word(0x7, 0xF) // CONTINUED_4
                .word(0xA, 1 << 8 | 1) // EXT_TRIGGER
                .word(0xE, 0x16)
                .word(0xF, 1)
                .word(0xF, 2)
                .word(0x7, 3) // OTHERS, CONTINUED_12 x2, CONTINUED_4
                .word(0xD, 0)
                .word(0x1, 0)
                .word(0xB, 0)
                .word(0xC, 0)
                .word(0x9, 0) // IMU and reserved types
                .timeHigh3(8) // a new time high resets the low bits
                .addrX(0, 1)
                .vectBaseX(296, 1)
                .vect8(0x80) // x = 303, the sensor's last column
                .addrY(239)
                .timeLow(5)
                .addrX(303, 0);
        try (RawFile f = RawFile.open(w.write(dir.resolve("b.raw"), 304, 240))) {
            assertEquals(RawFormat.EVT3, f.header().format());
            long t1 = 7 * 4096 + 0x123;
            assertEquals(
                    List.of(
                            t1 + " 20 10 1",
                            t1 + " 100 10 0",
                            t1 + " 111 10 0",
                            t1 + " 112 10 0",
                            t1 + " 119 10 0",
                            t1 + " 133 10 0",
                            "32768 0 10 1",
                            "32768 303 10 1",
                            "32773 303 239 0"),
                    events(f));
            long[] skipped = f.decoder().skippedWords();
            assertEquals(2, skipped[0x7]);
            assertEquals(1, skipped[0xA]);
            assertEquals(1, skipped[0xE]);
            assertEquals(2, skipped[0xF]);
            assertEquals(1, skipped[0xD]);
            assertEquals(4, skipped[0x1] + skipped[0xB] + skipped[0xC] + skipped[0x9]);
            assertEquals(1, skipped[0x0], "the row before the first time high is skipped, not used");
            Evt3Decoder d = (Evt3Decoder) f.decoder();
            assertEquals(1, d.droppedBeforeTimeHigh());
            assertEquals(1, d.droppedBeforeAddrY());
            assertEquals("CONTINUED_12", d.typeName(0xF));
        }
    }

    @Test
    void timeHighLoopsKeepTimesIncreasing() throws IOException {
        long top2 = (1L << 28) - 1; // the EVT 2.0 counter's last value
        RawWords w2 = RawWords.evt2()
                .timeHigh2(top2)
                .cd(1, 63, 1, 1)
                .timeHigh2(0)
                .cd(0, 1, 2, 2)
                .timeHigh2(1)
                .cd(1, 0, 3, 3)
                .timeHigh2(top2)
                .timeHigh2(0)
                .cd(1, 0, 4, 4); // and once more round
        try (RawFile f = RawFile.open(w2.write(dir.resolve("loop2.raw"), 304, 240))) {
            long loop = 1L << 34;
            assertEquals(
                    List.of(
                            (loop - 1) + " 1 1 1",
                            (loop + 1) + " 2 2 0",
                            (loop + 64) + " 3 3 1",
                            (2 * loop) + " 4 4 1"),
                    events(f));
            assertEquals(2, f.decoder().loops(), "the second step to the top is forward, its fall back a second loop");
        }
        RawWords w3 = RawWords.evt3()
                .timeHigh3(4095)
                .addrY(1)
                .timeLow(4095)
                .addrX(1, 1)
                .timeHigh3(0)
                .addrX(2, 0)
                .timeHigh3(1)
                .timeLow(7)
                .addrX(3, 1);
        try (RawFile f = RawFile.open(w3.write(dir.resolve("loop3.raw"), 304, 240))) {
            long loop = 1L << 24;
            assertEquals(List.of((loop - 1) + " 1 1 1", loop + " 2 1 0", (loop + 4096 + 7) + " 3 1 1"), events(f));
            assertEquals(1, f.decoder().loops());
        }
    }

    @Test
    void aShortStepBackIsToleratedAndALongOneRefused() throws IOException {
        // EVT 3.0: one time-high step is 4096 µs, two are 8192, within the 10 ms tolerated; three are not.
        RawWords ok = RawWords.evt3()
                .timeHigh3(10)
                .addrY(1)
                .addrX(1, 1)
                .timeHigh3(8)
                .addrX(2, 1)
                .timeHigh3(11)
                .addrX(3, 1);
        try (RawFile f = RawFile.open(ok.write(dir.resolve("back.raw"), 304, 240))) {
            assertEquals(
                    List.of("40960 1 1 1", "40960 2 1 1", "45056 3 1 1"),
                    events(f),
                    "the event after the step back is clamped");
            assertEquals(1, f.decoder().backwardSteps());
            assertEquals(1, f.decoder().clamped());
            assertTrue(
                    f.warnings().stream().anyMatch(m -> m.contains("stepped back 1 times") && m.contains("word 3")),
                    f.warnings().toString());
        }
        RawWords bad =
                RawWords.evt3().timeHigh3(10).addrY(1).addrX(1, 1).timeHigh3(7).addrX(2, 1);
        try (RawFile f = RawFile.open(bad.write(dir.resolve("jump.raw"), 304, 240))) {
            DataFormatException e = assertThrows(DataFormatException.class, () -> events(f));
            assertTrue(
                    e.getMessage().contains("jump.raw")
                            && e.getMessage().contains("word 3")
                            && e.getMessage().contains("steps back"),
                    e.getMessage());
        }
        // EVT 2.0: a step back of 200 time highs (12.8 ms).
        RawWords bad2 =
                RawWords.evt2().timeHigh2(1000).cd(1, 0, 1, 1).timeHigh2(800).cd(1, 0, 1, 1);
        try (RawFile f = RawFile.open(bad2.write(dir.resolve("jump2.raw"), 304, 240))) {
            DataFormatException e = assertThrows(DataFormatException.class, () -> events(f));
            assertTrue(
                    e.getMessage().contains("word 2") && e.getMessage().contains("64000 to 51200 µs"), e.getMessage());
        }
    }

    @Test
    void eventsOutsideTheSensorAreErrorsNamingTheWord() throws IOException {
        RawWords w3 = RawWords.evt3()
                .timeHigh3(1)
                .addrY(2)
                .vectBaseX(300, 0)
                .vect12(0x001)
                .vect12(0x010); // x = 300, 316
        try (RawFile f = RawFile.open(w3.write(dir.resolve("wide.raw"), 304, 240))) {
            DataFormatException e = assertThrows(DataFormatException.class, () -> events(f));
            String header = "% camera_integrator_name Prophesee\n% format EVT3;height=240;width=304\n% end\n";
            long byteOffset = header.length() + 4 * 2;
            assertTrue(
                    e.getMessage()
                            .contains("wide.raw: at byte " + byteOffset + ": (EVT 3.0 word 4) event (x=316, y=2)"),
                    e.getMessage());
        }
        RawWords w2 = RawWords.evt2().timeHigh2(1).cd(1, 0, 5, 240);
        try (RawFile f = RawFile.open(w2.write(dir.resolve("tall.raw"), 304, 240))) {
            DataFormatException e = assertThrows(DataFormatException.class, () -> events(f));
            assertTrue(
                    e.getMessage().contains("tall.raw")
                            && e.getMessage().contains("word 1")
                            && e.getMessage().contains("y=240"),
                    e.getMessage());
        }
    }
}
