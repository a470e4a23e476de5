package scn.model.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import scn.tensor.Shape;
import scn.tensor.Tensor;

/**
 * Reads and writes safetensors files: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code {"name": {"dtype", "shape", "data_offsets"}, ..., "__metadata__": {string: string}}}), then the
 * tensor bytes, little-endian and C-ordered, at the offsets the header gives.
 *
 * <p>Writing produces what the Rust/Python library writes for float32 tensors: tensors in name order
 * (byte-wise on UTF-8, as Rust orders strings), laid end to end from offset 0, compact JSON with
 * {@code __metadata__} first, the header padded with spaces to a multiple of 8. The library takes the
 * metadata from a hash map, so its order there is arbitrary; here metadata keys are sorted. Files are
 * written atomically: a temporary file in the same directory, flushed to disk, then renamed over the target.
 *
 * <p>Reading checks what the library checks (header size, UTF-8, JSON, offsets that tile the data exactly,
 * byte counts that match shape and dtype) and names the file and tensor in every error. F32 is read as
 * is; U8 and I64 (PyTorch's {@code num_batches_tracked}) are converted to float32, refusing I64 values a
 * float32 cannot hold exactly. Other dtypes are refused.
 */
public final class SafeTensors {
    /** The library's limit on the header: larger is taken as corruption. */
    static final long MAX_HEADER_BYTES = 100_000_000;

    static final String METADATA_KEY = "__metadata__";

    private SafeTensors() {}

    /** A malformed or unsupported safetensors file. */
    public static final class FormatException extends IOException {
        FormatException(Path file, String message) {
            super(file + ": " + message);
        }
    }

    /** Everything in a file: tensors in data-offset order, and the metadata (empty if none). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    private enum Dtype {
        F32(4),
        U8(1),
        I64(8);

        final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }
    }

    private record Entry(String name, Dtype dtype, int[] shape, long begin, long end) {}

    /** The tensors of {@code file}, in the order of their data in the file. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        return readAll(file).tensors();
    }

    /** The {@code __metadata__} map of {@code file} (empty if it has none); reads only the header. */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return header(file, ch).metadata;
        }
    }

    /** Tensors and metadata of {@code file}. */
    public static Contents readAll(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = header(file, ch);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : h.entries) {
                ByteBuffer bytes = ByteBuffer.allocate((int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
                long at = h.dataStart + e.begin;
                while (bytes.hasRemaining()) {
                    int n = ch.read(bytes, at + bytes.position());
                    if (n < 0) throw new FormatException(file, "file ended inside tensor '" + e.name + "'");
                }
                bytes.flip();
                tensors.put(e.name, decode(file, e, bytes));
            }
            return new Contents(tensors, h.metadata);
        }
    }

    private record Header(List<Entry> entries, Map<String, String> metadata, long dataStart) {}

    private static Header header(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8)
            throw new FormatException(file, "truncated: " + size + " bytes, too short for the 8-byte header length");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(file, ch, lenBuf, 0);
        long n = lenBuf.getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES)
            throw new FormatException(
                    file, "header length " + Long.toUnsignedString(n) + " is beyond the 100 MB limit");
        if (8 + n > size)
            throw new FormatException(
                    file, "header length " + n + " runs past the end of the file (" + size + " bytes)");
        ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
        readFully(file, ch, headerBuf, 8);
        String json;
        try {
            json = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBuf.flip())
                    .toString();
        } catch (CharacterCodingException ex) {
            throw new FormatException(file, "header is not valid UTF-8");
        }
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (Json.ParseException ex) {
            throw new FormatException(file, "corrupt header JSON: " + ex.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> top)) throw new FormatException(file, "header JSON is not an object");

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> kv : top.entrySet()) {
            String name = (String) kv.getKey();
            if (name.equals(METADATA_KEY)) {
                if (!(kv.getValue() instanceof Map<?, ?> meta))
                    throw new FormatException(file, METADATA_KEY + " is not an object");
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String value))
                        throw new FormatException(
                                file, METADATA_KEY + " value of '" + m.getKey() + "' is not a string");
                    metadata.put((String) m.getKey(), value);
                }
            } else {
                entries.add(entry(file, name, kv.getValue()));
            }
        }
        validateLayout(file, entries, size - 8 - n);
        return new Header(entries, metadata, 8 + n);
    }

    private static Entry entry(Path file, String name, Object value) throws FormatException {
        if (!(value instanceof Map<?, ?> info))
            throw new FormatException(file, "tensor '" + name + "': header entry is not an object");
        if (!(info.get("dtype") instanceof String dtypeName))
            throw new FormatException(file, "tensor '" + name + "': missing dtype");
        Dtype dtype;
        try {
            dtype = Dtype.valueOf(dtypeName);
        } catch (IllegalArgumentException ex) {
            throw new FormatException(
                    file, "tensor '" + name + "' has dtype " + dtypeName + "; only F32, U8 and I64 can be read");
        }
        long[] shape = naturals(file, name, "shape", info.get("shape"), -1);
        long[] offsets = naturals(file, name, "data_offsets", info.get("data_offsets"), 2);
        int[] intShape = new int[shape.length];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE)
                throw new FormatException(file, "tensor '" + name + "': dimension " + shape[i] + " is too large");
            intShape[i] = (int) shape[i];
            elements *= shape[i]; // both factors are below 2^31: no long overflow
            if (elements > Integer.MAX_VALUE)
                throw new FormatException(
                        file, "tensor '" + name + "': shape " + Arrays.toString(shape) + " has too many elements");
        }
        if (offsets[1] < offsets[0])
            throw new FormatException(
                    file, "tensor '" + name + "': data_offsets " + Arrays.toString(offsets) + " end before they begin");
        if (offsets[1] - offsets[0] != elements * dtype.bytes) {
            throw new FormatException(
                    file,
                    "tensor '" + name + "': shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                            + elements * dtype.bytes + " bytes but data_offsets " + Arrays.toString(offsets) + " hold "
                            + (offsets[1] - offsets[0]));
        }
        return new Entry(name, dtype, intShape, offsets[0], offsets[1]);
    }

    private static long[] naturals(Path file, String name, String field, Object value, int length)
            throws FormatException {
        if (!(value instanceof List<?> list) || (length >= 0 && list.size() != length)) {
            throw new FormatException(
                    file,
                    "tensor '" + name + "': " + field + " must be a list" + (length >= 0 ? " of " + length : "")
                            + " of non-negative integers");
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long v) || v < 0) {
                throw new FormatException(
                        file,
                        "tensor '" + name + "': " + field + " must hold non-negative integers, found " + list.get(i));
            }
            out[i] = v;
        }
        return out;
    }

    /** Sorts entries by offset and checks that they tile {@code [0, dataBytes)} exactly, as the library does. */
    private static void validateLayout(Path file, List<Entry> entries, long dataBytes) throws FormatException {
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        String previous = null;
        for (Entry e : entries) {
            if (e.end > dataBytes) {
                throw new FormatException(
                        file,
                        "tensor '" + e.name + "': data_offsets [" + e.begin + ", " + e.end + "] run past the "
                                + dataBytes + " data bytes (truncated file?)");
            }
            if (e.begin < expected)
                throw new FormatException(file, "tensor '" + e.name + "' overlaps tensor '" + previous + "'");
            if (e.begin > expected)
                throw new FormatException(
                        file, "gap of " + (e.begin - expected) + " bytes before tensor '" + e.name + "'");
            expected = e.end;
            previous = e.name;
        }
        if (expected != dataBytes)
            throw new FormatException(
                    file, (dataBytes - expected) + " bytes after the last tensor are not described by the header");
    }

    private static Tensor decode(Path file, Entry e, ByteBuffer bytes) throws FormatException {
        float[] values = new float[Shape.size(e.shape)];
        switch (e.dtype) {
            case F32 -> bytes.asFloatBuffer().get(values);
            case U8 -> {
                for (int i = 0; i < values.length; i++) values[i] = bytes.get(i) & 0xFF;
            }
            case I64 -> {
                for (int i = 0; i < values.length; i++) {
                    long v = bytes.getLong(8 * i);
                    values[i] = v;
                    if ((long) values[i] != v)
                        throw new FormatException(
                                file, "tensor '" + e.name + "': I64 value " + v + " has no exact float32");
                }
            }
        }
        return Tensor.wrap(values, e.shape);
    }

    private static void readFully(Path file, FileChannel ch, ByteBuffer buf, long at) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, at + buf.position()) < 0) throw new FormatException(file, "unexpected end of file");
        }
    }

    /** The header bytes (JSON plus padding) the library writes for these float32 tensors. */
    static byte[] headerBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        StringBuilder json = new StringBuilder("{");
        if (metadata != null) {
            json.append('"').append(METADATA_KEY).append("\":{");
            boolean first = true;
            for (Map.Entry<String, String> m : new TreeMap<>(metadata).entrySet()) {
                if (!first) json.append(',');
                first = false;
                Json.writeString(json, m.getKey());
                json.append(':');
                Json.writeString(json, m.getValue());
            }
            json.append('}');
        }
        long offset = 0;
        for (String name : sortedNames(tensors)) {
            Tensor t = tensors.get(name);
            if (json.length() > 1) json.append(',');
            Json.writeString(json, name);
            json.append(":{\"dtype\":\"F32\",\"shape\":[");
            int[] shape = t.shapeRef();
            for (int i = 0; i < shape.length; i++)
                json.append(i == 0 ? "" : ",").append(shape[i]);
            long bytes = 4L * t.size();
            json.append("],\"data_offsets\":[")
                    .append(offset)
                    .append(',')
                    .append(offset + bytes)
                    .append("]}");
            offset += bytes;
        }
        json.append('}');
        byte[] raw = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (raw.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(raw, padded);
        Arrays.fill(out, raw.length, padded, (byte) ' ');
        return out;
    }

    /** Names in Rust's {@code String} order: byte-wise on UTF-8. */
    private static List<String> sortedNames(Map<String, Tensor> tensors) {
        List<String> names = new ArrayList<>(tensors.keySet());
        names.sort((a, b) ->
                Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        return names;
    }

    /**
     * Writes {@code tensors} (float32) and {@code metadata} (may be null: no {@code __metadata__} entry)
     * to {@code file} atomically: a reader sees the old file or the complete new one, never a part.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        if (tensors.containsKey(METADATA_KEY))
            throw new IllegalArgumentException(
                    "SafeTensors.write: '" + METADATA_KEY + "' is reserved and cannot name a tensor");
        byte[] header = headerBytes(tensors, metadata);
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(header.length).put(header).flip();
                writeFully(ch, head);
                ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (String name : sortedNames(tensors)) {
                    float[] data = tensors.get(name).data();
                    for (int i = 0; i < data.length; ) {
                        int n = Math.min(data.length - i, chunk.capacity() / 4);
                        chunk.clear();
                        chunk.asFloatBuffer().put(data, i, n);
                        chunk.limit(4 * n);
                        writeFully(ch, chunk);
                        i += n;
                    }
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException ex) {
            Files.deleteIfExists(tmp);
            throw ex;
        }
        syncDirectory(dir);
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    /**
     * Flushes the directory entry of the rename to disk. Linux allows opening a directory for reading and
     * forcing it; where the platform refuses, the rename itself is still atomic, only not yet durable.
     */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ex) {
            // Durability of the rename is best effort: the data itself was forced before the rename.
        }
    }

    /**
     * Whether a tensor stored with shape {@code stored} loads where {@code expected} is held: the same
     * shape, or a scalar {@code []} stored as one element {@code [1]}, as numpy's {@code ascontiguousarray}
     * and some PyTorch code write scalars.
     */
    static boolean fits(int[] stored, int[] expected) {
        return Shape.same(stored, expected) || (expected.length == 0 && Shape.same(stored, new int[] {1}));
    }

    /**
     * Problems found comparing loaded tensors with the expected shapes by name (see {@link #fits}); empty if
     * none. Missing and mis-shaped tensors come in {@code expectedShapes}' order (a model's: the stem first,
     * whose channels tell the width at a glance), unexpected ones in the file's.
     */
    public static List<String> problems(Map<String, Tensor> found, Map<String, int[]> expectedShapes) {
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
        for (Map.Entry<String, int[]> e : expectedShapes.entrySet()) {
            Tensor t = found.get(e.getKey());
            if (t == null) missing.add("missing: " + e.getKey() + " " + Shape.str(e.getValue()));
            else if (!fits(t.shapeRef(), e.getValue())) {
                mismatched.add("shape: " + e.getKey() + " expected " + Shape.str(e.getValue()) + " found "
                        + Shape.str(t.shapeRef()));
            }
        }
        for (String name : found.keySet()) {
            if (!expectedShapes.containsKey(name))
                unexpected.add(
                        "unexpected: " + name + " " + Shape.str(found.get(name).shapeRef()));
        }
        List<String> all = new ArrayList<>(missing);
        all.addAll(unexpected);
        all.addAll(mismatched);
        return all;
    }

    /** At most this many problems are listed in a message; a wrong width or class count breaks every layer. */
    private static final int LISTED = 12;

    /**
     * Throws one message listing the missing, unexpected and mis-shaped tensors (the first {@value #LISTED}), or
     * returns quietly.
     */
    public static void checkAgainst(Map<String, Tensor> found, Map<String, int[]> expectedShapes) {
        List<String> p = problems(found, expectedShapes);
        if (p.isEmpty()) return;
        String more = p.size() > LISTED ? "\n  … and " + (p.size() - LISTED) + " more" : "";
        throw new IllegalArgumentException("tensors do not match the expected names and shapes (" + p.size()
                + " problems):\n  " + String.join("\n  ", p.subList(0, Math.min(LISTED, p.size()))) + more);
    }

    /**
     * Every tensor holding a NaN or an infinity, by name, with how many and the first of them (its index
     * and value); empty when all values are finite.
     */
    public static List<String> nonFinite(Map<String, Tensor> tensors) {
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : new TreeMap<>(tensors).entrySet()) {
            float[] d = e.getValue().data();
            int first = -1, count = 0;
            for (int i = 0; i < d.length; i++) {
                if (Float.isFinite(d[i])) continue;
                if (first < 0) first = i;
                count++;
            }
            if (first < 0) continue;
            int[] shape = e.getValue().shapeRef();
            bad.add(e.getKey() + " " + Shape.str(shape) + ": " + count + " of " + d.length + " values are NaN or"
                    + " infinite; the first, at index " + Shape.str(unravel(first, shape)) + " (flat " + first + "),"
                    + " is " + d[first]);
        }
        return bad;
    }

    /** Throws one message naming every tensor that holds a NaN or an infinity, or returns quietly. */
    public static void checkFinite(Map<String, Tensor> tensors) {
        List<String> bad = nonFinite(tensors);
        if (bad.isEmpty()) return;
        throw new IllegalArgumentException(
                "tensors hold NaN or infinite values (" + bad.size() + " tensors):\n  " + String.join("\n  ", bad));
    }

    /** The C-order index of flat position {@code at} in {@code shape}. */
    private static int[] unravel(int at, int[] shape) {
        int[] index = new int[shape.length];
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            index[axis] = at % shape[axis];
            at /= shape[axis];
        }
        return index;
    }
}
