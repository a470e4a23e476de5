package scn.model.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.tensor.Tensor;

class SafeTensorsTest {
    @TempDir
    Path dir;

    /** 8-byte little-endian length, then the header bytes as given, then the data. */
    private static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        return b.putLong(h.length).put(h).put(data).array();
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    private Path put(byte[] bytes) throws IOException {
        Path p = dir.resolve("t.safetensors");
        Files.write(p, bytes);
        return p;
    }

    private String readError(byte[] bytes) throws IOException {
        Path p = put(bytes);
        return assertThrows(SafeTensors.FormatException.class, () -> SafeTensors.read(p))
                .getMessage();
    }

    @Test
    void writesTheLibraryLayoutByteForByte() throws IOException {
        // "attn.0", F32, shape [1, 2, 3], values 0..5. The JSON below is 64 bytes: a multiple of 8, no
        // padding; its length 64 is the first byte. 1.0f = 0x3F800000 is 00 00 80 3F little-endian.
        Map<String, Tensor> one = Map.of("attn.0", Tensor.wrap(new float[] {0, 1, 2, 3, 4, 5}, 1, 2, 3));
        String json = "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}";
        assertEquals(64, json.length());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(new byte[] {64, 0, 0, 0, 0, 0, 0, 0});
        expected.write(json.getBytes(StandardCharsets.US_ASCII));
        expected.write(new byte[] {
            0,
            0,
            0,
            0,
            0,
            0,
            (byte) 0x80,
            0x3F,
            0,
            0,
            0,
            0x40,
            0,
            0,
            0x40,
            0x40,
            0,
            0,
            (byte) 0x80,
            0x40,
            0,
            0,
            (byte) 0xA0,
            0x40
        });
        Path p = dir.resolve("one.safetensors");
        SafeTensors.write(p, one, null);
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(p));

        // "attn0", shape [1, 1, 2, 3]: 65 bytes of JSON, padded with 7 spaces to 72.
        Map<String, Tensor> padded = Map.of("attn0", Tensor.wrap(new float[] {0, 1, 2, 3, 4, 5}, 1, 1, 2, 3));
        byte[] written = writeAndRead(padded, null);
        assertEquals(72, written[0]);
        assertEquals(
                "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ",
                new String(written, 8, 72, StandardCharsets.US_ASCII));

        // No tensors: "{}" and 6 spaces; with metadata: 35 bytes of JSON and 5 spaces.
        assertArrayEquals(
                new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '},
                writeAndRead(Map.of(), null));
        byte[] meta = writeAndRead(Map.of(), Map.of("framework", "pt"));
        assertEquals(40, meta[0]);
        assertEquals(
                "{\"__metadata__\":{\"framework\":\"pt\"}}     ", new String(meta, 8, 40, StandardCharsets.US_ASCII));
    }

    private byte[] writeAndRead(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Path p = dir.resolve("x.safetensors");
        SafeTensors.write(p, tensors, metadata);
        return Files.readAllBytes(p);
    }

    @Test
    void namesAreSortedByteWiseAndMetadataComesFirst() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("b", Tensor.scalar(2));
        tensors.put("a", Tensor.wrap(new float[] {1, 1}, 2));
        tensors.put("B", Tensor.scalar(3));
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("z", "last");
        metadata.put("format", "pt\n\"q\"");
        byte[] bytes = writeAndRead(tensors, metadata);
        String header = new String(
                bytes,
                8,
                (int) ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0),
                StandardCharsets.UTF_8);
        assertEquals(
                "{\"__metadata__\":{\"format\":\"pt\\n\\\"q\\\"\",\"z\":\"last\"},"
                        + "\"B\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},"
                        + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[12,16]}}",
                header.stripTrailing());
        assertEquals(0, header.length() % 8); // padded with spaces
    }

    @Test
    void roundTripKeepsValuesShapesOrderAndMetadata() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        float[] big = new float[300_001]; // spans more than one write chunk
        for (int i = 0; i < big.length; i++) big[i] = (float) Math.sin(i) * 1e3f;
        tensors.put("encoder.stem.conv.weight", Tensor.wrap(big, 300_001));
        tensors.put("encoder.stem.plif.w", Tensor.scalar(-0.0f));
        tensors.put("heads.size.out.bias", Tensor.wrap(new float[] {Float.NaN, Float.MIN_VALUE}, 2));
        tensors.put("empty", Tensor.zeros(0, 3));
        Path p = dir.resolve("m.safetensors");
        SafeTensors.write(p, tensors, Map.of("epoch", "3"));
        SafeTensors.Contents c = SafeTensors.readAll(p);
        assertEquals(
                List.of("empty", "encoder.stem.conv.weight", "encoder.stem.plif.w", "heads.size.out.bias"),
                List.copyOf(c.tensors().keySet()));
        for (String name : tensors.keySet()) {
            assertArrayEquals(tensors.get(name).shape(), c.tensors().get(name).shape(), name);
            float[] want = tensors.get(name).data(), got = c.tensors().get(name).data();
            for (int i = 0; i < want.length; i++)
                assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), name + "[" + i + "]");
        }
        assertEquals(Map.of("epoch", "3"), c.metadata());
        assertEquals(Map.of("epoch", "3"), SafeTensors.metadata(p));
    }

    @Test
    void writeIsAtomicAndLeavesNoTemporaryFiles() throws IOException {
        Path p = dir.resolve("ckpt.safetensors");
        SafeTensors.write(p, Map.of("w", Tensor.scalar(1)), null);
        SafeTensors.write(p, Map.of("w", Tensor.scalar(2)), null); // replaces the old file
        assertEquals(2f, SafeTensors.read(p).get("w").item());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(p), files.toList());
        }
        assertThrows(
                IOException.class,
                () -> SafeTensors.write(dir.resolve("no/such/dir/x.safetensors"), Map.of("w", Tensor.scalar(1)), null));
        assertThrows(
                IllegalArgumentException.class,
                () -> SafeTensors.write(p, Map.of("__metadata__", Tensor.scalar(1)), null));
    }

    @Test
    void readsU8AndI64AsFloat() throws IOException {
        ByteBuffer data = ByteBuffer.allocate(2 + 16).order(ByteOrder.LITTLE_ENDIAN);
        data.put((byte) 7).put((byte) 200).putLong(-5).putLong(1L << 24);
        String header =
                "{\"n\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[2,18]},\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}";
        Map<String, Tensor> t = SafeTensors.read(put(file(header, data.array())));
        assertEquals(List.of("b", "n"), List.copyOf(t.keySet())); // data order, not header order
        assertArrayEquals(new float[] {7, 200}, t.get("b").data());
        assertArrayEquals(new float[] {-5, 1 << 24}, t.get("n").data());

        ByteBuffer inexact =
                ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong((1L << 24) + 1);
        String msg =
                readError(file("{\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}", inexact.array()));
        assertTrue(msg.contains("'n'") && msg.contains("16777217"), msg);
    }

    @Test
    void reportsEveryKindOfCorruption() throws IOException {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertTrue(readError(new byte[] {1, 0, 0}).contains("truncated"));
        assertTrue(readError(file(ok, new byte[0])).contains("run past"));
        byte[] longHeader = file(ok, floats(1, 2));
        longHeader[0] = (byte) 0xF0; // header length 240 + ... > file size
        assertTrue(readError(longHeader).contains("past the end of the file"));
        byte[] hugeHeader = file(ok, floats(1, 2));
        hugeHeader[5] = 1; // 2^40 + ...
        assertTrue(readError(hugeHeader).contains("100 MB"));
        assertTrue(readError(file("{\"a\":{\"dtype\":\"F32\",", floats(1, 2))).contains("corrupt header JSON"));
        assertTrue(readError(file("[1, 2]", new byte[0])).contains("not an object"));
        byte[] badUtf8 = file("{\"\u00e9\":1}", new byte[0]);
        badUtf8[10] = (byte) 0xFF;
        assertTrue(readError(badUtf8).contains("UTF-8"));

        String overlap =
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        String msg = readError(file(overlap, new byte[12]));
        assertTrue(msg.contains("'b' overlaps tensor 'a'"), msg);
        String gap =
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}";
        assertTrue(readError(file(gap, new byte[20])).contains("gap of 4 bytes before tensor 'b'"));
        assertTrue(readError(file(ok, new byte[12])).contains("4 bytes after the last tensor"));

        msg = readError(file("{\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]));
        assertTrue(msg.contains("t.safetensors") && msg.contains("'w'") && msg.contains("BF16"), msg);
        msg = readError(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]));
        assertTrue(msg.contains("'w'") && msg.contains("needs 12 bytes") && msg.contains("hold 8"), msg);
        assertTrue(readError(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", new byte[8]))
                .contains("non-negative"));
        assertTrue(readError(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", new byte[8]))
                .contains("end before"));
        assertTrue(readError(file("{\"__metadata__\":{\"k\":1}}", new byte[0])).contains("not a string"));
        assertTrue(
                readError(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\"a\":{}}", new byte[4]))
                        .contains("duplicate key"));
    }

    @Test
    void checkAgainstNamesMissingUnexpectedAndMisShapedTensors() {
        Map<String, Tensor> found = new LinkedHashMap<>();
        found.put("conv.weight", Tensor.zeros(8, 4, 3, 3));
        found.put("bn.weight", Tensor.zeros(8));
        found.put("extra", Tensor.zeros(2));
        Map<String, int[]> expected = new LinkedHashMap<>();
        expected.put("conv.weight", new int[] {8, 4, 7, 7});
        expected.put("bn.weight", new int[] {8});
        expected.put("plif.w", new int[0]);
        String msg = assertThrows(IllegalArgumentException.class, () -> SafeTensors.checkAgainst(found, expected))
                .getMessage();
        assertTrue(msg.contains("3 problems"), msg);
        assertTrue(msg.contains("missing: plif.w []"), msg);
        assertTrue(msg.contains("unexpected: extra [2]"), msg);
        assertTrue(msg.contains("shape: conv.weight expected [8, 4, 7, 7] found [8, 4, 3, 3]"), msg);
        found.remove("extra");
        found.put("conv.weight", Tensor.zeros(8, 4, 7, 7));
        found.put("plif.w", Tensor.scalar(0));
        SafeTensors.checkAgainst(found, expected);
        assertEquals(List.of(), SafeTensors.problems(found, expected));
    }

    @Test
    void aScalarStoredAsOneElementFitsAndNoOtherShapeDoes() {
        Map<String, int[]> expected = Map.of("plif.w", new int[0], "bn.weight", new int[] {1});
        Map<String, Tensor> found = new LinkedHashMap<>();
        found.put("plif.w", Tensor.wrap(new float[] {0.5f}, 1));
        found.put("bn.weight", Tensor.zeros(1));
        assertEquals(List.of(), SafeTensors.problems(found, expected));
        found.put("plif.w", Tensor.zeros(2));
        found.put("bn.weight", Tensor.scalar(0)); // only a scalar may be stored as [1], not the other way round
        var e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.checkAgainst(found, expected));
        String msg = e.getMessage();
        assertTrue(msg.contains("shape: plif.w expected [] found [2]"), msg);
        assertTrue(msg.contains("shape: bn.weight expected [1] found []"), msg);
        found.put("plif.w", Tensor.zeros(1, 1));
        found.put("bn.weight", Tensor.zeros(1));
        assertEquals(List.of("shape: plif.w expected [] found [1, 1]"), SafeTensors.problems(found, expected));
    }

    @Test
    void nonFiniteNamesEachTensorWithItsCountAndFirstBadValue() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("finite", Tensor.full(Float.MAX_VALUE, 3));
        tensors.put("conv.weight", Tensor.zeros(2, 3, 2, 2));
        SafeTensors.checkFinite(tensors);
        assertEquals(List.of(), SafeTensors.nonFinite(tensors));
        float[] w = tensors.get("conv.weight").data();
        w[17] = Float.NaN; // [1, 1, 0, 1]
        w[20] = Float.POSITIVE_INFINITY;
        tensors.put("plif.w", Tensor.scalar(Float.NEGATIVE_INFINITY));
        assertEquals(
                List.of(
                        "conv.weight [2, 3, 2, 2]: 2 of 24 values are NaN or infinite; the first, at index [1, 1, 0, 1]"
                                + " (flat 17), is NaN",
                        "plif.w []: 1 of 1 values are NaN or infinite; the first, at index [] (flat 0), is -Infinity"),
                SafeTensors.nonFinite(tensors));
        String msg = assertThrows(IllegalArgumentException.class, () -> SafeTensors.checkFinite(tensors))
                .getMessage();
        assertTrue(msg.contains("(2 tensors)") && msg.contains("conv.weight") && msg.contains("plif.w"), msg);
    }
}
