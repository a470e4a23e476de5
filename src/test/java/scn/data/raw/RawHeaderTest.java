package scn.data.raw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.data.events.DataFormatException;

/** What a RAW header says, where it is silent, where it contradicts itself, and files cut short. */
class RawHeaderTest {
    @TempDir
    Path dir;

    private RawHeader header(String... lines) throws IOException {
        return RawHeader.read(RawWords.evt3().timeHigh3(1).write(dir.resolve("h.raw"), lines));
    }

    private String refused(String... lines) {
        return assertThrows(DataFormatException.class, () -> header(lines)).getMessage();
    }

    @Test
    void theFormatLineGivesFormatAndSize() throws IOException {
        RawHeader h = header(
                "date 2024-01-01 10:00:00",
                "format EVT3;height=720;width=1280",
                "geometry 1280x720",
                "sensor_generation 4.2",
                "serial_number 00ca0009");
        assertEquals(RawFormat.EVT3, h.format());
        assertEquals(1280, h.width());
        assertEquals(720, h.height());
        assertEquals("'% format EVT3;height=720;width=1280'", h.sizeFrom());
        assertEquals(5, h.lines().size());
        assertEquals(Files.size(dir.resolve("h.raw")) - 2, h.dataOffset());
    }

    @Test
    void olderHeadersGiveTheVersionAndTheGeometry() throws IOException {
        RawHeader h = header("evt 2.0", "geometry 640 x 480");
        assertEquals(RawFormat.EVT2, h.format());
        assertEquals(640, h.width());
        assertEquals(480, h.height());
    }

    @Test
    void withoutGeometryThePluginNameImpliesTheSensor() throws IOException {
        RawHeader gen31 = header(
                "Date 2019-05-03 11:20:27",
                "evt 2.0",
                "integrator_name Prophesee",
                "plugin_name hal_plugin_gen31_fx3",
                "serial_number 00001337",
                "system_ID 28");
        assertEquals(RawFormat.EVT2, gen31.format());
        assertEquals(640, gen31.width());
        assertEquals(480, gen31.height());
        assertTrue(
                gen31.sizeFrom().contains("hal_plugin_gen31_fx3")
                        && gen31.sizeFrom().contains("Gen3.1"),
                gen31.sizeFrom());
        RawHeader imx636 = header("plugin_name hal_plugin_imx636_evk3", "serial_number 1"); // no evt line either
        assertEquals(RawFormat.EVT3, imx636.format());
        assertEquals(1280, imx636.width());
        assertEquals(720, imx636.height());
        RawHeader gen41 = header("evt 3.0", "plugin_name hal_plugin_gen41_evk2"); // the evt line wins over the table
        assertEquals(RawFormat.EVT3, gen41.format());
        assertEquals(720, gen41.height());
    }

    @Test
    void aHeaderThatLeavesSomethingOpenIsRefused() {
        String board = refused("evt 3.0", "plugin_name hal_plugin_imx8_foo");
        assertTrue(
                board.contains("h.raw") && board.contains("no sensor size") && board.contains("hal_plugin_imx8_foo"),
                board);
        String none = refused("date 2024-01-01", "serial_number 1");
        assertTrue(none.contains("h.raw") && none.contains("names no event format"), none);
        String version = refused("evt 2.1", "geometry 640x480");
        assertTrue(
                version.contains("h.raw: at byte 0") && version.contains("unknown event format version '2.1'"),
                version);
        String format = refused("format EVT21;height=720;width=1280");
        assertTrue(format.contains("names format 'EVT21'"), format);
        String clash = refused("format EVT3;height=720;width=1280", "evt 2.0");
        assertTrue(clash.contains("'% evt 2.0' contradicts '% format EVT3;height=720;width=1280'"), clash);
        String size = refused("format EVT3;height=720;width=1280", "geometry 640x480");
        assertTrue(size.contains("contradicts"), size);
        String big = refused("format EVT3;height=720;width=4096");
        assertTrue(big.contains("impossible sensor size '4096'"), big);
    }

    @Test
    void aFileWithoutHeaderIsRefused() throws IOException {
        Path bare = dir.resolve("bare.raw");
        Files.write(bare, RawWords.evt3().timeHigh3(1).addrY(1).addrX(1, 1).bytes());
        String m = assertThrows(DataFormatException.class, () -> RawFile.open(bare))
                .getMessage();
        assertTrue(m.contains("bare.raw") && m.contains("no RAW header"), m);
        Path cut = dir.resolve("cut.raw");
        Files.writeString(cut, "% evt 3.0\n% geometry 3");
        m = assertThrows(DataFormatException.class, () -> RawFile.open(cut)).getMessage();
        assertTrue(m.contains("cut.raw: at byte 10") && m.contains("truncated header"), m);
    }

    @Test
    void aTruncatedFinalWordIsDroppedWithAWarning() throws IOException {
        Path file = RawWords.evt2().timeHigh2(1).cd(1, 0, 1, 1).cd(1, 1, 2, 2).write(dir.resolve("t.raw"), 304, 240);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 3)); // 1 byte of the last word left
        try (RawFile f = RawFile.open(file)) {
            assertEquals(List.of("64 1 1 1"), RawDecoderTest.events(f));
            assertEquals(2, f.wordCount());
            String w = String.join("\n", f.warnings());
            assertTrue(
                    w.contains("t.raw: at byte " + (bytes.length - 4))
                            && w.contains("1 truncated final word (1 of 4 bytes)"),
                    w);
        }
    }
}
