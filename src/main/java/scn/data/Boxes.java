package scn.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import scn.data.events.DataFormatException;

/**
 * The rows of a GEN1 {@code *_bbox.npy}: one box per row with its timestamp, class and track id, held as
 * columns. Reads both GEN1 dtypes (SPEC section 7) by field name: the packed 33-byte
 * {@code ts, x, y, w, h, class_id, confidence, track_id} and Prophesee's padded 40-byte
 * {@code t, x, y, w, h, class_id, track_id, class_confidence}; writes either.
 *
 * <p>Rows keep file order; {@link Labels} relies on it ("the last box per track id").
 */
public final class Boxes {
    /** The two dtypes of GEN1 box files. */
    public enum Dtype {
        /** {@code ts <u8, x y w h <f4, class_id u1, confidence <f4, track_id <u4}, 33 bytes, packed. */
        GEN1(
                "[('ts', '<u8'), ('x', '<f4'), ('y', '<f4'), ('w', '<f4'), ('h', '<f4'), ('class_id', '|u1'), ('confidence', '<f4'), ('track_id', '<u4')]",
                33),
        /** {@code t <i8, x y w h <f4, class_id <u4, track_id <u4, class_confidence <f4} and 4 pad bytes, 40 bytes. */
        PROPHESEE(
                "[('t', '<i8'), ('x', '<f4'), ('y', '<f4'), ('w', '<f4'), ('h', '<f4'), ('class_id', '<u4'), ('track_id', '<u4'), ('class_confidence', '<f4'), ('', '|V4')]",
                40);

        final String descr;
        final int itemSize;

        Dtype(String descr, int itemSize) {
            this.descr = descr;
            this.itemSize = itemSize;
        }
    }

    private long[] ts = new long[16]; // [n] µs
    private float[] x = new float[16]; // [n]
    private float[] y = new float[16]; // [n]
    private float[] w = new float[16]; // [n]
    private float[] h = new float[16]; // [n]
    private int[] classId = new int[16]; // [n]
    private long[] trackId = new long[16]; // [n]
    private float[] confidence = new float[16]; // [n]
    private int n;

    public void add(long t, float bx, float by, float bw, float bh, int cls, long track, float conf) {
        if (n == ts.length) {
            int c = n * 2;
            ts = Arrays.copyOf(ts, c);
            x = Arrays.copyOf(x, c);
            y = Arrays.copyOf(y, c);
            w = Arrays.copyOf(w, c);
            h = Arrays.copyOf(h, c);
            classId = Arrays.copyOf(classId, c);
            trackId = Arrays.copyOf(trackId, c);
            confidence = Arrays.copyOf(confidence, c);
        }
        ts[n] = t;
        x[n] = bx;
        y[n] = by;
        w[n] = bw;
        h[n] = bh;
        classId[n] = cls;
        trackId[n] = track;
        confidence[n] = conf;
        n++;
    }

    /** Reads a box file of either dtype; field layout is taken from the file's header. */
    public static Boxes read(Path path) throws IOException {
        NpyArray a = NpyArray.read(path);
        if (!a.isStructured())
            throw new DataFormatException(
                    path,
                    "a box file must hold a structured array, not plain '"
                            + a.fields().get(0) + "' values");
        NpyArray.Field ft = a.requireField("ts", "t");
        NpyArray.Field fx = a.requireField("x");
        NpyArray.Field fy = a.requireField("y");
        NpyArray.Field fw = a.requireField("w");
        NpyArray.Field fh = a.requireField("h");
        NpyArray.Field fc = a.requireField("class_id");
        NpyArray.Field fk = a.field("track_id");
        NpyArray.Field fp = a.field("confidence") != null ? a.field("confidence") : a.field("class_confidence");
        Boxes b = new Boxes();
        int rows = a.rows();
        for (int r = 0; r < rows; r++) {
            long t = a.getLong(r, ft);
            if (t < 0) throw DataFormatException.atRow(path, r, "negative timestamp " + t);
            b.add(
                    t,
                    (float) a.getDouble(r, fx),
                    (float) a.getDouble(r, fy),
                    (float) a.getDouble(r, fw),
                    (float) a.getDouble(r, fh),
                    (int) a.getLong(r, fc),
                    fk == null ? r : a.getLong(r, fk),
                    fp == null ? 1f : (float) a.getDouble(r, fp));
        }
        return b;
    }

    /** Writes the rows in the given dtype and {@code .npy} version (1, 2 or 3). */
    public void write(Path path, Dtype dtype, int npyVersion) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(n * dtype.itemSize).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            body.putLong(ts[i]).putFloat(x[i]).putFloat(y[i]).putFloat(w[i]).putFloat(h[i]);
            if (dtype == Dtype.GEN1) {
                body.put((byte) classId[i]).putFloat(confidence[i]).putInt((int) trackId[i]);
            } else {
                body.putInt(classId[i])
                        .putInt((int) trackId[i])
                        .putFloat(confidence[i])
                        .putInt(0);
            }
        }
        NpyWriter.write(path, npyVersion, dtype.descr, new int[] {n}, body.array());
    }

    /** Writes the rows in the GEN1 dtype, {@code .npy} version 1.0. */
    public void write(Path path) throws IOException {
        write(path, Dtype.GEN1, 1);
    }

    public int size() {
        return n;
    }

    public long t(int i) {
        return ts[i];
    }

    public float x(int i) {
        return x[i];
    }

    public float y(int i) {
        return y[i];
    }

    public float w(int i) {
        return w[i];
    }

    public float h(int i) {
        return h[i];
    }

    public int classId(int i) {
        return classId[i];
    }

    public long trackId(int i) {
        return trackId[i];
    }

    public float confidence(int i) {
        return confidence[i];
    }

    /** The distinct timestamps in increasing order. */
    public long[] timestamps() {
        return Arrays.stream(ts, 0, n).distinct().sorted().toArray();
    }
}
