package scn.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes {@code .npy} files: float32 and uint8 arrays, and (through {@link Boxes}) structured box arrays.
 * The header is laid out as numpy lays it out: the dict, padded with spaces and a newline so the data
 * starts at a multiple of 64 bytes. Version 1.0 unless the header needs more (or a caller asks).
 */
public final class NpyWriter {
    private NpyWriter() {}

    /** Writes a little-endian float32 array of the given shape. */
    public static void writeFloat32(Path path, float[] data, int... shape) throws IOException {
        checkCount(data.length, shape);
        ByteBuffer body = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(data);
        write(path, 1, "'<f4'", shape, body.array());
    }

    /** Writes a uint8 array of the given shape. */
    public static void writeUint8(Path path, byte[] data, int... shape) throws IOException {
        checkCount(data.length, shape);
        write(path, 1, "'|u1'", shape, data);
    }

    /**
     * Writes a file with the given {@code descr} (a Python literal, e.g. {@code "'<f4'"} or a list of field
     * tuples), shape and raw element bytes, in format version {@code major}.0 (1, 2 or 3).
     */
    public static void write(Path path, int major, String descr, int[] shape, byte[] body) throws IOException {
        try (OutputStream out = Files.newOutputStream(path)) {
            out.write(header(major, descr, shape));
            out.write(body);
        }
    }

    static byte[] header(int major, String descr, int[] shape) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) dims[i] = shape[i];
        return header(major, descr, dims, 0);
    }

    /** {@link #header(int, String, long[], int)} for an {@code int} shape. */
    static byte[] header(int major, String descr, int[] shape, int minBytes) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) dims[i] = shape[i];
        return header(major, descr, dims, minBytes);
    }

    /**
     * The header, padded to at least {@code minBytes} bytes: a streamed file writes it first with a
     * placeholder shape and rewrites it in place at the end, so both must have the same length (a writer
     * that appends rows reserves the length of the longest shape it may write, so the data never moves).
     */
    static byte[] header(int major, String descr, long[] shape, int minBytes) {
        if (major < 1 || major > 3) throw new IllegalArgumentException(".npy version " + major + ".0 does not exist");
        StringBuilder dims = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) dims.append(i == 0 ? "" : ", ").append(shape[i]);
        if (shape.length == 1) dims.append(',');
        dims.append(')');
        String dict = "{'descr': " + descr + ", 'fortran_order': False, 'shape': " + dims + ", }";
        byte[] text = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int prefix = major == 1 ? 10 : 12;
        int total = Math.max(minBytes, (prefix + text.length + 1 + 63) / 64 * 64);
        int headerLen = total - prefix;
        if (major == 1 && headerLen > 0xFFFF)
            throw new IllegalArgumentException("header too long for .npy version 1.0; use 2.0");
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(NpyArray.MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) b.putShort((short) headerLen);
        else b.putInt(headerLen);
        b.put(text);
        while (b.position() < total - 1) b.put((byte) ' ');
        b.put((byte) '\n');
        return b.array();
    }

    private static void checkCount(int n, int[] shape) {
        long size = 1;
        for (int d : shape) size *= d;
        if (size != n) throw new IllegalArgumentException(n + " values cannot have shape " + Arrays.toString(shape));
    }
}
