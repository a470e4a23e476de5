package scn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scn.data.events.DataFormatException;

/** The {@code .npy} reader and writer: versions, both GEN1 box dtypes, byte order, padding, refusals. */
class NpyTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void float32RoundTripInEachVersion(int version) throws IOException {
        Path p = dir.resolve("a.npy");
        float[] values = {1.5f, -2f, 0f, 3.25f, 1e-7f, Float.MAX_VALUE}; // [2, 3]
        ByteBuffer body = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) body.putFloat(v);
        NpyWriter.write(p, version, "'<f4'", new int[] {2, 3}, body.array());
        NpyArray a = NpyArray.read(p);
        assertEquals(version, a.majorVersion());
        assertArrayEquals(new long[] {2, 3}, a.shape());
        assertArrayEquals(values, a.toFloatArray());
        assertEquals(0, a.dataOffset() % 64, "data starts at a multiple of 64 bytes, as numpy writes it");
    }

    @Test
    void headerMatchesNumpysLayout() {
        // np.save of np.zeros((2, 3), '<f4') begins with exactly these bytes, padded with spaces to 128.
        byte[] h = NpyWriter.header(1, "'<f4'", new int[] {2, 3});
        String expect = "\u0093NUMPY\u0001\u0000v\u0000{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        assertEquals(128, h.length);
        assertEquals(expect, new String(h, 0, expect.length(), StandardCharsets.ISO_8859_1));
        assertEquals('\n', h[127]);
        assertTrue(new String(NpyWriter.header(1, "'|u1'", new int[] {5}), StandardCharsets.ISO_8859_1)
                .contains("'shape': (5,), }"));
    }

    @Test
    void uint8RoundTrip() throws IOException {
        Path p = dir.resolve("u.npy");
        byte[] v = {0, 1, (byte) 255, 7};
        NpyWriter.writeUint8(p, v, 4);
        NpyArray a = NpyArray.read(p);
        assertArrayEquals(v, a.toByteArray());
        assertEquals(255, a.getLong(2, a.fields().get(0)));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void bothBoxDtypesRoundTrip(int version) throws IOException {
        Boxes b = new Boxes();
        b.add(500_000L, 10.5f, 20f, 40f, 30f, 0, 7, 0.9f);
        b.add(3_000_000_000L, -3f, 200f, 15f, 44f, 1, 4_000_000_000L, 1f);
        for (Boxes.Dtype dtype : Boxes.Dtype.values()) {
            Path p = dir.resolve(dtype + "_bbox.npy");
            b.write(p, dtype, version);
            NpyArray a = NpyArray.read(p);
            assertEquals(dtype.itemSize, a.itemSize());
            if (dtype == Boxes.Dtype.GEN1) {
                assertEquals(24, a.field("class_id").offset());
                assertEquals(1, a.field("class_id").size());
                assertEquals(29, a.field("track_id").offset());
            } else {
                assertEquals(24, a.field("class_id").offset());
                assertEquals(4, a.field("class_id").size());
                assertEquals(32, a.field("class_confidence").offset());
            }
            Boxes r = Boxes.read(p);
            assertEquals(2, r.size());
            for (int i = 0; i < 2; i++) {
                assertEquals(b.t(i), r.t(i));
                assertEquals(b.x(i), r.x(i));
                assertEquals(b.y(i), r.y(i));
                assertEquals(b.w(i), r.w(i));
                assertEquals(b.h(i), r.h(i));
                assertEquals(b.classId(i), r.classId(i));
                assertEquals(b.trackId(i), r.trackId(i), dtype + " track id " + i);
                assertEquals(b.confidence(i), r.confidence(i));
            }
        }
    }

    @Test
    void bigEndianFieldsAndMiddlePaddingComeFromTheDescr() throws IOException {
        Path p = dir.resolve("be_bbox.npy");
        String descr =
                "[('x', '>f4'), ('', '|V3'), ('y', '<f4'), ('w', '<f4'), ('h', '<f4'), ('ts', '>u8'), ('class_id', '>u2'), ('track_id', '<i4')]";
        ByteBuffer body = ByteBuffer.allocate(33);
        body.order(ByteOrder.BIG_ENDIAN).putFloat(12.5f).put(new byte[3]);
        body.order(ByteOrder.LITTLE_ENDIAN).putFloat(7f).putFloat(30f).putFloat(20f);
        body.order(ByteOrder.BIG_ENDIAN).putLong(123_456L).putShort((short) 1);
        body.order(ByteOrder.LITTLE_ENDIAN).putInt(42);
        NpyWriter.write(p, 1, descr, new int[] {1}, body.array());
        NpyArray a = NpyArray.read(p);
        assertEquals(7, a.field("y").offset());
        assertEquals(ByteOrder.BIG_ENDIAN, a.field("ts").order());
        Boxes b = Boxes.read(p);
        assertEquals(12.5f, b.x(0));
        assertEquals(7f, b.y(0));
        assertEquals(123_456L, b.t(0));
        assertEquals(1, b.classId(0));
        assertEquals(42, b.trackId(0));
    }

    @Test
    void unknownDtypeIsRefusedNamingFileAndField() throws IOException {
        Path p = dir.resolve("c_bbox.npy");
        NpyWriter.write(p, 1, "[('ts', '<u8'), ('x', '<c8')]", new int[] {0}, new byte[0]);
        DataFormatException e = assertThrows(DataFormatException.class, () -> NpyArray.read(p));
        assertTrue(
                e.getMessage().contains("c_bbox.npy")
                        && e.getMessage().contains("at byte 10")
                        && e.getMessage().contains("'x'")
                        && e.getMessage().contains("<c8"),
                e.getMessage());
        Path q = dir.resolve("s.npy");
        NpyWriter.write(q, 2, "'<U10'", new int[] {0}, new byte[0]);
        e = assertThrows(DataFormatException.class, () -> NpyArray.read(q));
        assertTrue(e.getMessage().contains("at byte 12") && e.getMessage().contains("<U10"), e.getMessage());
    }

    @Test
    void fortranOrderIsRefused() throws IOException {
        Path p = dir.resolve("f.npy");
        NpyWriter.write(p, 1, "'<f4'", new int[] {2, 2}, new byte[16]);
        byte[] bytes = Files.readAllBytes(p);
        String s = new String(bytes, StandardCharsets.ISO_8859_1)
                .replace("'fortran_order': False", "'fortran_order': True ");
        Files.write(p, s.getBytes(StandardCharsets.ISO_8859_1));
        DataFormatException e = assertThrows(DataFormatException.class, () -> NpyArray.read(p));
        assertTrue(e.getMessage().contains("f.npy") && e.getMessage().contains("Fortran"), e.getMessage());
    }

    @Test
    void truncatedDataAndBadMagicAreRefused() throws IOException {
        Path p = dir.resolve("t.npy");
        NpyWriter.write(p, 1, "'<f4'", new int[] {4}, new byte[12]);
        DataFormatException e = assertThrows(DataFormatException.class, () -> NpyArray.read(p));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("16 bytes"), e.getMessage());
        Path q = dir.resolve("q.npy");
        Files.writeString(q, "PK not a numpy file");
        e = assertThrows(DataFormatException.class, () -> NpyArray.read(q));
        assertTrue(e.getMessage().contains("at byte 0"), e.getMessage());
    }

    @Test
    void missingBoxFieldIsNamed() throws IOException {
        Path p = dir.resolve("m_bbox.npy");
        NpyWriter.write(p, 1, "[('ts', '<u8'), ('x', '<f4')]", new int[] {0}, new byte[0]);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Boxes.read(p));
        assertTrue(e.getMessage().contains("no field named y"), e.getMessage());
    }
}
