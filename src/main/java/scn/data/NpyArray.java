package scn.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import scn.data.events.DataFormatException;

/**
 * A {@code .npy} file (format versions 1.0, 2.0 and 3.0) read into memory: a plain array ({@code '<f4'},
 * {@code '|u1'}, ...) or a structured array whose fields, offsets, widths, padding and byte order all
 * come from the header's {@code descr}, never from an assumed layout.
 *
 * <p>Supported element kinds: {@code b1}, signed and unsigned integers of 1, 2, 4 and 8 bytes, {@code f4},
 * {@code f8}, and unnamed {@code V} padding. Other kinds, nested or sub-array fields and Fortran-order
 * arrays are refused with the file and header offset. {@link NpyWriter} writes the files this reads.
 */
public final class NpyArray {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** One field of a structured dtype (or the single element of a plain one, with an empty name). */
    public record Field(String name, char kind, int size, ByteOrder order, int offset) {
        boolean isPadding() {
            return kind == 'V';
        }
    }

    private final Path path;
    private final int majorVersion;
    private final long[] shape;
    private final boolean structured;
    private final List<Field> fields;
    private final int itemSize;
    // The element bytes [rows * itemSize] twice, as views with fixed byte orders, so reads never change
    // shared buffer state and an array can be read from several threads.
    private final ByteBuffer little;
    private final ByteBuffer big;
    private final long dataOffset;

    private NpyArray(
            Path path,
            int majorVersion,
            long[] shape,
            boolean structured,
            List<Field> fields,
            int itemSize,
            ByteBuffer data,
            long dataOffset) {
        this.path = path;
        this.majorVersion = majorVersion;
        this.shape = shape;
        this.structured = structured;
        this.fields = fields;
        this.itemSize = itemSize;
        this.little = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.big = data.duplicate().order(ByteOrder.BIG_ENDIAN);
        this.dataOffset = dataOffset;
    }

    public static NpyArray read(Path path) throws IOException {
        byte[] bytes = Files.readAllBytes(path);
        if (bytes.length < 10 || !Arrays.equals(bytes, 0, 6, MAGIC, 0, 6)) {
            throw DataFormatException.atOffset(path, 0, "not a .npy file (no \\x93NUMPY magic)");
        }
        int major = bytes[6] & 0xFF;
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = bb.getShort(8) & 0xFFFF;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) throw DataFormatException.atOffset(path, 8, "file ends inside the header length");
            headerLen = bb.getInt(8) & 0xFFFFFFFFL;
            headerStart = 12;
        } else {
            throw DataFormatException.atOffset(
                    path, 6, "unsupported .npy format version " + major + "." + (bytes[7] & 0xFF));
        }
        if (headerStart + headerLen > bytes.length)
            throw DataFormatException.atOffset(path, headerStart, "file ends inside the header");
        // Version 3.0 allows UTF-8 field names; 1.0 and 2.0 are Latin-1.
        String header = new String(
                bytes, headerStart, (int) headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<?, ?> dict;
        try {
            if (!(PyLiteral.parse(header) instanceof Map<?, ?> m))
                throw new IllegalArgumentException("header is not a dictionary");
            dict = m;
        } catch (IllegalArgumentException e) {
            throw DataFormatException.atOffset(path, headerStart, "bad header: " + e.getMessage());
        }
        if (!(dict.get("shape") instanceof List<?> shapeList))
            throw DataFormatException.atOffset(path, headerStart, "header has no 'shape' tuple");
        long[] shape = new long[shapeList.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long d) || d < 0)
                throw DataFormatException.atOffset(path, headerStart, "bad shape " + shapeList);
            shape[i] = d;
        }
        if (Boolean.TRUE.equals(dict.get("fortran_order")) && shape.length >= 2) {
            throw DataFormatException.atOffset(
                    path,
                    headerStart,
                    "Fortran-order (column-major) arrays are not supported; save with np.ascontiguousarray");
        }
        Object descr = dict.get("descr");
        List<Field> fields = new ArrayList<>();
        int itemSize;
        boolean structured = descr instanceof List<?>;
        if (descr instanceof String type) {
            Field f = parseType(path, headerStart, "", type, 0);
            if (f.isPadding())
                throw DataFormatException.atOffset(path, headerStart, "unsupported dtype '" + type + "'");
            fields.add(f);
            itemSize = f.size();
        } else if (descr instanceof List<?> list) {
            int offset = 0;
            for (Object item : list) {
                if (!(item instanceof List<?> tuple) || tuple.size() < 2 || !(tuple.get(1) instanceof String type)) {
                    throw DataFormatException.atOffset(
                            path,
                            headerStart,
                            "unsupported field description " + item
                                    + " (nested or sub-array fields are not supported)");
                }
                if (tuple.size() > 2)
                    throw DataFormatException.atOffset(
                            path, headerStart, "sub-array field " + item + " is not supported");
                Object n = tuple.get(0);
                String name = n instanceof List<?> titled && titled.size() == 2
                        ? String.valueOf(titled.get(1))
                        : String.valueOf(n);
                Field f = parseType(path, headerStart, name, type, offset);
                if (!f.isPadding() || !name.isEmpty()) {
                    if (f.isPadding())
                        throw DataFormatException.atOffset(
                                path, headerStart, "field '" + name + "' has unsupported dtype '" + type + "'");
                    fields.add(f);
                }
                offset += f.size();
            }
            itemSize = offset;
        } else {
            throw DataFormatException.atOffset(path, headerStart, "unsupported descr " + descr);
        }
        long rows = 1;
        for (long d : shape) rows = Math.multiplyExact(rows, d);
        long start = headerStart + headerLen;
        long need = rows * itemSize;
        if (bytes.length - start < need) {
            throw DataFormatException.atOffset(
                    path,
                    bytes.length,
                    "file is truncated: the header promises " + rows + " elements of " + itemSize + " bytes (" + need
                            + " bytes) but only " + (bytes.length - start) + " follow");
        }
        ByteBuffer body = ByteBuffer.wrap(bytes, (int) start, (int) need).slice();
        return new NpyArray(path, major, shape, structured, List.copyOf(fields), itemSize, body, start);
    }

    private static Field parseType(Path path, long at, String name, String type, int offset)
            throws DataFormatException {
        String what = name.isEmpty() ? "dtype '" + type + "'" : "field '" + name + "' has dtype '" + type + "'";
        if (type.length() < 3) throw DataFormatException.atOffset(path, at, "unsupported " + what);
        char orderChar = type.charAt(0);
        ByteOrder order = switch (orderChar) {
            case '<' -> ByteOrder.LITTLE_ENDIAN;
            case '>' -> ByteOrder.BIG_ENDIAN;
            case '|', '=' -> ByteOrder.nativeOrder();
            default -> throw DataFormatException.atOffset(path, at, "unsupported " + what + " (unknown byte order)");
        };
        char kind = type.charAt(1);
        int size;
        try {
            size = Integer.parseInt(type.substring(2));
        } catch (NumberFormatException e) {
            throw DataFormatException.atOffset(path, at, "unsupported " + what);
        }
        boolean ok = switch (kind) {
            case 'b' -> size == 1;
            case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
            case 'f' -> size == 4 || size == 8;
            case 'V' -> size > 0;
            default -> false;
        };
        if (!ok) throw DataFormatException.atOffset(path, at, "unsupported " + what);
        return new Field(name, kind, size, order, offset);
    }

    public Path path() {
        return path;
    }

    public int majorVersion() {
        return majorVersion;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (rows of a structured array). */
    public int rows() {
        long n = 1;
        for (long d : shape) n *= d;
        return Math.toIntExact(n);
    }

    public boolean isStructured() {
        return structured;
    }

    /** The named fields in offset order (padding excluded); one unnamed field for a plain array. */
    public List<Field> fields() {
        return fields;
    }

    public int itemSize() {
        return itemSize;
    }

    /** Byte offset of the first element in the file. */
    public long dataOffset() {
        return dataOffset;
    }

    /** The field with this name, or {@code null}. */
    public Field field(String name) {
        for (Field f : fields) if (f.name().equals(name)) return f;
        return null;
    }

    /** The first field present among {@code names}; throws naming the file when none is. */
    public Field requireField(String... names) throws DataFormatException {
        for (String n : names) {
            Field f = field(n);
            if (f != null) return f;
        }
        throw new DataFormatException(
                path,
                "no field named " + String.join(" or ", names) + " among "
                        + fields.stream().map(Field::name).toList());
    }

    /** Element {@code row}'s field as a double (integers convert exactly up to 2^53). */
    public double getDouble(int row, Field f) {
        int at = row * itemSize + f.offset();
        return switch (f.kind()) {
            case 'f' -> f.size() == 4 ? bytes(f).getFloat(at) : bytes(f).getDouble(at);
            case 'u' -> f.size() == 8 ? unsignedToDouble(getLong(row, f)) : getLong(row, f);
            default -> getLong(row, f);
        };
    }

    /** Element {@code row}'s field as a long (unsigned 64-bit values above 2^63 wrap; floats truncate). */
    public long getLong(int row, Field f) {
        int at = row * itemSize + f.offset();
        ByteBuffer b = bytes(f);
        return switch (f.kind()) {
            case 'b' -> b.get(at) != 0 ? 1 : 0;
            case 'i' ->
                switch (f.size()) {
                    case 1 -> b.get(at);
                    case 2 -> b.getShort(at);
                    case 4 -> b.getInt(at);
                    default -> b.getLong(at);
                };
            case 'u' ->
                switch (f.size()) {
                    case 1 -> b.get(at) & 0xFFL;
                    case 2 -> b.getShort(at) & 0xFFFFL;
                    case 4 -> b.getInt(at) & 0xFFFFFFFFL;
                    default -> b.getLong(at);
                };
            case 'f' -> (long) getDouble(row, f);
            default -> throw new IllegalStateException("padding field " + f + " has no value");
        };
    }

    /** A plain array's elements as floats, in row-major order. */
    public float[] toFloatArray() {
        Field f = plainField();
        float[] out = new float[rows()]; // [prod(shape)]
        for (int i = 0; i < out.length; i++) out[i] = (float) getDouble(i, f);
        return out;
    }

    /** A plain integer array's elements as bytes (each value must fit 0..255), in row-major order. */
    public byte[] toByteArray() {
        Field f = plainField();
        byte[] out = new byte[rows()]; // [prod(shape)]
        for (int i = 0; i < out.length; i++) out[i] = (byte) getLong(i, f);
        return out;
    }

    private ByteBuffer bytes(Field f) {
        return f.order() == ByteOrder.BIG_ENDIAN ? big : little;
    }

    private Field plainField() {
        if (structured) throw new IllegalStateException(path + " holds a structured array, not plain numbers");
        return fields.get(0);
    }

    private static double unsignedToDouble(long v) {
        return v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
    }
}
