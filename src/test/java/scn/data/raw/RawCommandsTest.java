package scn.data.raw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.data.Boxes;
import scn.data.DatFile;
import scn.data.DataCommandsTest;
import scn.data.DataCommandsTest.Result;
import scn.data.NpyArray;
import scn.data.events.Events;

/** RAW files through the commands: convert (to .dat and .npy), inspect and its JSON, encode, render, and errors. */
class RawCommandsTest {
    @TempDir
    Path dir;

    private static Result run(String... args) {
        return DataCommandsTest.run(args);
    }

    private static void noStackTrace(Result r) {
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
    }

    /** A random EVT 3.0 recording of 640x480 and the events it holds, in order. */
    private RawEventEncoder.Encoded recording(Path file, int n, long t0) throws IOException {
        SplittableRandom rnd = new SplittableRandom(7);
        RawEventEncoder.Encoded enc = RawEventEncoder.evt3(RawRoundTripTest.events(n, t0, rnd), rnd);
        enc.words().write(file, 640, 480);
        return enc;
    }

    private static void assertSame(List<RawEventEncoder.Ev> expected, Events got) {
        assertEquals(expected.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            RawEventEncoder.Ev e = expected.get(i);
            assertEquals(
                    e.t() + " " + e.x() + " " + e.y() + " " + e.p(),
                    got.t()[i] + " " + got.x()[i] + " " + got.y()[i] + " " + got.p()[i],
                    "event " + i);
        }
    }

    @Test
    void convertIsExactToDatAndToNpy() throws IOException {
        Path raw = dir.resolve("rec.raw");
        RawEventEncoder.Encoded enc = recording(raw, 30_000, 1_000);
        Path dat = dir.resolve("rec_td.dat");
        Result r = run("convert", "--events", raw.toString(), "--out", dat.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("30000 events"), r.out());
        try (DatFile f = DatFile.open(dat)) {
            assertEquals(640, f.width());
            assertEquals(480, f.height());
            Events ev = new Events();
            f.read(0, f.eventCount(), ev);
            assertSame(enc.order(), ev);
        }
        Path npy = dir.resolve("rec.npy");
        assertEquals(
                0,
                run("convert", "--events", raw.toString(), "--out", npy.toString())
                        .code());
        NpyArray a = NpyArray.read(npy);
        assertArrayEquals(new long[] {30_000}, a.shape());
        assertEquals(13, a.itemSize());
        assertEquals(
                List.of("t i8", "x i2", "y i2", "p u1"),
                a.fields().stream()
                        .map(f -> f.name() + " " + f.kind() + f.size())
                        .toList());
        Events ev = new Events();
        for (int i = 0; i < a.rows(); i++) {
            ev.add(a.getLong(i, a.field("t")), (int) a.getLong(i, a.field("x")), (int) a.getLong(i, a.field("y")), (int)
                    a.getLong(i, a.field("p")));
        }
        assertSame(enc.order(), ev);
        // And back from the .dat to a .npy: the same array.
        Path again = dir.resolve("again.npy");
        assertEquals(
                0,
                run("convert", "--events", dat.toString(), "--out", again.toString())
                        .code());
        assertArrayEquals(Files.readAllBytes(npy), Files.readAllBytes(again));
    }

    @Test
    void inspectReportsRawFilesAndWritesJson() throws IOException {
        Path raw = dir.resolve("rec.raw");
        RawEventEncoder.Encoded enc = recording(raw, 5_000, 2_000);
        byte[] words = enc.words().bytes();
        long triggers = 0;
        for (int k = 1; k < words.length; k += 2) {
            if ((words[k] & 0xF0) == 0xA0) triggers++; // the high byte of a little-endian word holds the type
        }
        Path json = dir.resolve("rec.json");
        Result r = run("inspect", raw.toString(), "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.out().contains("format: EVT 3.0")
                        && r.out().contains("640x480")
                        && r.out().contains("events: 5000")
                        && r.out().contains("EXT_TRIGGER " + triggers),
                r.out());
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals("evt3", o.get("format").getAsString());
        assertEquals(640, o.get("width").getAsInt());
        assertEquals(480, o.get("height").getAsInt());
        assertEquals(5_000, o.get("events").getAsLong());
        assertEquals(enc.order().get(0).t(), o.get("t_first_us").getAsLong());
        assertEquals(enc.order().get(4_999).t(), o.get("t_last_us").getAsLong());
        assertEquals(
                triggers, o.getAsJsonObject("skipped_words").get("EXT_TRIGGER").getAsLong());
        long on = enc.order().stream().filter(e -> e.p() == 1).count();
        assertEquals(on, o.get("on").getAsLong());

        Path dat = dir.resolve("rec_td.dat");
        run("convert", "--events", raw.toString(), "--out", dat.toString());
        assertEquals(
                0, run("inspect", dat.toString(), "--json", json.toString()).code());
        JsonObject d = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        for (String key : List.of("width", "height", "events", "t_first_us", "t_last_us", "on")) {
            assertEquals(o.get(key), d.get(key), key);
        }
        assertEquals("dat", d.get("format").getAsString());

        Path npy = dir.resolve("rec.npy");
        run("convert", "--events", raw.toString(), "--out", npy.toString());
        assertEquals(
                0, run("inspect", npy.toString(), "--json", json.toString()).code());
        JsonObject n = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals("npy", n.get("format").getAsString());
        assertTrue(n.get("width").isJsonNull(), "a .npy holds no sensor size");
        for (String key : List.of("events", "t_first_us", "t_last_us", "on")) assertEquals(o.get(key), n.get(key), key);
    }

    @Test
    void encodeAndRenderReadARawWindowAsTheyReadTheDat() throws IOException {
        Path raw = dir.resolve("rec.raw");
        recording(raw, 60_000, 0);
        Path dat = dir.resolve("rec_td.dat");
        run("convert", "--events", raw.toString(), "--out", dat.toString());
        long at;
        try (DatFile f = DatFile.open(dat)) {
            at = f.lastTime() / 2;
        }
        Path a = dir.resolve("a.npy");
        Path b = dir.resolve("b.npy");
        Result r = run("encode", "--events", raw.toString(), "--at", "" + at, "--out", a.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(
                0,
                run("encode", "--events", dat.toString(), "--at", "" + at, "--out", b.toString())
                        .code());
        assertArrayEquals(NpyArray.read(b).toByteArray(), NpyArray.read(a).toByteArray());
        assertArrayEquals(new long[] {5, 4, 480, 640}, NpyArray.read(a).shape());
        Boxes boxes = new Boxes();
        boxes.add(at, 30, 40, 50, 60, 0, 1, 1);
        boxes.write(dir.resolve("rec_bbox.npy"));
        Path image = dir.resolve("w.png");
        Result png = run("render", "--events", raw.toString(), "--at", "" + at, "--out", image.toString());
        assertEquals(0, png.code(), png.err());
        assertTrue(png.out().contains("1 boxes"), "render finds rec_bbox.npy beside rec.raw: " + png.out());
        Result empty = run("encode", "--events", raw.toString(), "--at", "99000000000", "--out", a.toString());
        assertEquals(1, empty.code());
        assertTrue(empty.err().contains("rec.raw") && empty.err().contains("no events in the window"), empty.err());
        noStackTrace(empty);
    }

    @Test
    void badRawFilesAreOneMessageEach() throws IOException {
        Path bare = dir.resolve("bare.raw");
        Files.write(bare, RawWords.evt3().timeHigh3(1).bytes());
        Result r = run("inspect", bare.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("bare.raw") && r.err().contains("no RAW header"), r.err());
        noStackTrace(r);

        Path v21 = RawWords.evt3().timeHigh3(1).write(dir.resolve("v21.raw"), "evt 2.1", "geometry 640x480");
        r = run(
                "convert",
                "--events",
                v21.toString(),
                "--out",
                dir.resolve("v21.dat").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("v21.raw") && r.err().contains("unknown event format version '2.1'"), r.err());
        assertFalse(
                Files.exists(dir.resolve("v21.dat")) || Files.exists(dir.resolve("v21.dat.part")),
                "no half-written output");
        noStackTrace(r);

        Path cut = RawWords.evt2().timeHigh2(1).cd(1, 0, 1, 1).write(dir.resolve("cut.raw"), 304, 240);
        byte[] bytes = Files.readAllBytes(cut);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 1));
        r = run(
                "convert",
                "--events",
                cut.toString(),
                "--out",
                dir.resolve("cut.npy").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("warning") && r.err().contains("1 truncated final word"), r.err());
        assertTrue(r.out().contains("0 events"), r.out());

        // An EVT 3.0 recording past 2^32 µs (71.6 minutes): fine as .npy, refused as .dat.
        Path late = RawWords.evt3().timeHigh3(0).addrY(3).addrX(4, 1).write(dir.resolve("late.raw"), 304, 240);
        byte[] lb = Files.readAllBytes(late);
        byte[] longer = new byte[lb.length + 2 * 2 * 257 * 4096];
        System.arraycopy(lb, 0, longer, 0, lb.length);
        int at = lb.length;
        for (int loop = 0; loop < 257; loop++) { // every time high of 257 loops, then the first of the next
            for (int high = loop == 0 ? 1 : 0; high < 4096; high++) {
                longer[at++] = (byte) high;
                longer[at++] = (byte) (0x80 | high >>> 8);
            }
        }
        longer[at++] = 0;
        longer[at++] = (byte) 0x80;
        longer[at++] = 5; // EVT_ADDR_X x=5, polarity 0
        longer[at++] = 0x20;
        Files.write(late, Arrays.copyOf(longer, at));
        r = run(
                "convert",
                "--events",
                late.toString(),
                "--out",
                dir.resolve("late.dat").toString());
        assertEquals(1, r.code());
        assertTrue(
                r.err().contains("late.raw")
                        && r.err().contains("event 1 at " + (257L << 24) + " µs")
                        && r.err().contains(".npy instead"),
                r.err());
        Path lateNpy = dir.resolve("late.npy");
        assertEquals(
                0,
                run("convert", "--events", late.toString(), "--out", lateNpy.toString())
                        .code());
        NpyArray a = NpyArray.read(lateNpy);
        assertEquals(257L << 24, a.getLong(1, a.field("t")));
    }
}
