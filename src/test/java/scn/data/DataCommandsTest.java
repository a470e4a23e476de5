package scn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.cli.Main;
import scn.data.events.Events;

/** The data commands end to end: encode, inspect, render, and how they report bad input. */
public class DataCommandsTest {
    @TempDir
    Path dir;

    public record Result(int code, String out, String err) {}

    /** Runs the command line in this JVM, capturing what it prints. */
    public static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private Path recording() throws IOException {
        Path train = Files.createDirectories(dir.resolve("data/train"));
        Boxes b = new Boxes();
        b.add(200_000, 20, 30, 60, 40, 0, 1, 1);
        b.add(200_000, 150, 60, 20, 50, 1, 2, 1);
        DatasetTest.recording(train, "r", 300_000, b, 4);
        return train.resolve("r_td.dat");
    }

    @Test
    void encodeWritesTheSpecTensor() throws IOException {
        Path dat = recording();
        Path npy = dir.resolve("x.npy");
        Result r = run("encode", "--events", dat.toString(), "--at", "200000", "--out", npy.toString());
        assertEquals(0, r.code(), r.err());
        NpyArray a = NpyArray.read(npy);
        assertArrayEquals(new long[] {5, 4, 240, 304}, a.shape());
        assertEquals('u', a.fields().get(0).kind());
        assertEquals(1, a.fields().get(0).size());
        try (DatFile f = DatFile.open(dat)) {
            Events ev = new Events();
            f.read(0, f.eventCount(), ev);
            assertArrayEquals(EncoderTest.reference(ev, 200_000), a.toByteArray());
        }
    }

    @Test
    void badInputIsOneMessageWithoutAStackTrace() throws IOException {
        Path dat = recording();
        Result empty = run(
                "encode",
                "--events",
                dat.toString(),
                "--at",
                "900000",
                "--out",
                dir.resolve("y.npy").toString());
        assertEquals(1, empty.code());
        assertTrue(empty.err().contains("r_td.dat") && empty.err().contains("no events"), empty.err());
        assertFalse(empty.err().contains("Exception") || empty.err().contains("\tat "), empty.err());

        Path cut = dir.resolve("cut_td.dat");
        byte[] bytes = Files.readAllBytes(dat);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 1));
        Result truncated = run("inspect", cut.toString());
        assertEquals(1, truncated.code());
        assertTrue(
                truncated.err().contains("cut_td.dat") && truncated.err().contains("at byte " + (bytes.length - 8)),
                truncated.err());

        Path fortran = dir.resolve("f.npy");
        NpyWriter.write(fortran, 1, "'<f4'", new int[] {2, 2}, new byte[16]);
        Files.writeString(
                fortran,
                Files.readString(fortran, StandardCharsets.ISO_8859_1).replace("False", "True "),
                StandardCharsets.ISO_8859_1);
        Result f = run("inspect", fortran.toString());
        assertEquals(1, f.code());
        assertTrue(f.err().contains("f.npy") && f.err().contains("Fortran"), f.err());
    }

    @Test
    void inspectSummarisesFilesAndFolders() throws IOException {
        Path dat = recording();
        Result d = run("inspect", dat.toString());
        assertEquals(0, d.code(), d.err());
        assertTrue(d.out().contains("events: 6000") && d.out().contains("304x240"), d.out());
        Result n = run("inspect", dat.resolveSibling("r_bbox.npy").toString());
        assertTrue(n.out().contains("car: 1 boxes") && n.out().contains("pedestrian: 1 boxes"), n.out());
        Result folder = run("inspect", dir.resolve("data").toString());
        assertEquals(0, folder.code(), folder.err());
        assertTrue(folder.out().contains("1 recordings usable of 1, 1 samples"), folder.out());
        if (Files.exists(DatFileTest.NCARS)) {
            Result ncars = run("inspect", DatFileTest.NCARS.toString());
            assertTrue(ncars.out().contains("events: 2009 (ON 1350, OFF 659), x <= 77, y <= 41"), ncars.out());
        }
    }

    @Test
    void renderWritesAPicture() throws IOException {
        Path dat = recording();
        Path png = dir.resolve("w.png");
        Result r = run("render", "--events", dat.toString(), "--at", "200000", "--scale", "1", "--out", png.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 boxes"), r.out());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(5 * 304 + 4 * 4, img.getWidth());
        assertEquals(240, img.getHeight());
        assertEquals(0x30E030, img.getRGB(20, 30) & 0xFFFFFF, "the car's box corner is drawn in the car colour");
    }
}
