package scn.ops;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import scn.tensor.ConvGeometry;

/**
 * Crossover densities measured on each convolution shape of the network, read from the resource
 * {@value #RESOURCE}: one tab-separated row per shape (kernel, stride, padding, groups, channels and
 * input plane) and number of images per call {@code n} (time steps × batch), with the density below
 * which the event-driven path beat the dense one for the forward pass and for the weight gradient.
 * The images per call move the crossover too (a 3×3 layer of 128 channels on 8×10 planes: dense wins
 * at every density on 10 images, event-driven up to 50 % on 40), so a shape may have rows at several
 * {@code n}; a call takes the row measured nearest its own {@code n} (by ratio; the smaller one on a
 * tie). {@link SpikeConv} uses a row where the table has the shape and the layer kind's crossover
 * elsewhere.
 *
 * <p>The table is data, not code: {@code scn.bench.SpikeCrossoverTable} (in {@code bench/}) measures
 * it, its {@code #} lines saying with which command, when and on what machine. It is read once, on
 * first use, and never changes during a run, so the choice of path depends only on the shape, the
 * images per call and the input's density: runs stay bit-reproducible.
 */
public final class SpikeCrossovers {
    public static final String RESOURCE = "/scn/ops/spike-crossovers.tsv";

    /** The column names, the first line that is not a comment; a table in another layout is refused. */
    public static final String HEADER = String.join(
            "\t", "kh", "kw", "stride", "pad", "groups", "cin", "cout", "h", "w", "n", "forward", "weight_gradient");

    /** A convolution's geometry without its images per call: the key of a row, with {@code n}. */
    public record ConvShape(int kh, int kw, int stride, int pad, int groups, int cin, int cout, int h, int w) {
        public static ConvShape of(ConvGeometry g) {
            return new ConvShape(g.kh(), g.kw(), g.stride(), g.pad(), g.groups(), g.cin(), g.cout(), g.h(), g.w());
        }
    }

    /**
     * Crossover densities of one shape, 0 to 1: event-driven below, dense at and above. 0 where the
     * event-driven path lost already at the lowest density measured, the highest density measured
     * where it still won there.
     */
    public record Measured(double forward, double weightGradient) {}

    private final Map<ConvShape, NavigableMap<Integer, Measured>> rows; // shapes in file order, each by images per call

    private SpikeCrossovers(Map<ConvShape, NavigableMap<Integer, Measured>> rows) {
        this.rows = Collections.unmodifiableMap(rows);
    }

    /** The table packaged with the engine, read on first use. */
    public static SpikeCrossovers packaged() {
        return Packaged.TABLE;
    }

    /** The lazy holder: the JVM reads the resource once, on the first call of {@link #packaged()}. */
    private static final class Packaged {
        static final SpikeCrossovers TABLE = load();

        private static SpikeCrossovers load() {
            try (InputStream in = SpikeCrossovers.class.getResourceAsStream(RESOURCE)) {
                if (in == null)
                    throw new IllegalStateException(
                            "spike crossover table " + RESOURCE + " is missing from the class path");
                return parse(RESOURCE, new InputStreamReader(in, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("reading spike crossover table " + RESOURCE, e);
            }
        }
    }

    /** An empty table: every shape falls back to its kind. */
    public static SpikeCrossovers empty() {
        return new SpikeCrossovers(new LinkedHashMap<>());
    }

    /**
     * Reads a table; {@code source} names it in errors, which also give the line number. Comment lines
     * start with {@code #}; blank lines are skipped; a shape listed twice is an error.
     */
    public static SpikeCrossovers parse(String source, Reader text) throws IOException {
        Map<ConvShape, NavigableMap<Integer, Measured>> rows = new LinkedHashMap<>();
        BufferedReader lines = new BufferedReader(text);
        boolean headerSeen = false;
        int number = 0;
        for (String line; (line = lines.readLine()) != null; ) {
            number++;
            if (line.isBlank() || line.startsWith("#")) continue;
            String at = source + " line " + number + ": ";
            if (!headerSeen) {
                if (!line.strip().equals(HEADER)) {
                    throw new IllegalArgumentException(at + "expected the column names '" + HEADER.replace('\t', ' ')
                            + "' (tab-separated), got '" + line + "'");
                }
                headerSeen = true;
                continue;
            }
            String[] f = line.strip().split("\t");
            if (f.length != 12)
                throw new IllegalArgumentException(
                        at + "expected 12 tab-separated fields, got " + f.length + ": '" + line + "'");
            int[] v = new int[10];
            for (int i = 0; i < 10; i++) {
                v[i] = integer(f[i], at);
                if (v[i] < (i == 3 ? 0 : 1))
                    throw new IllegalArgumentException(
                            at + "field " + (i + 1) + " must be " + (i == 3 ? ">= 0" : ">= 1") + ", got " + v[i]);
            }
            ConvShape shape = new ConvShape(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
            Measured m = new Measured(density(f[10], at), density(f[11], at));
            if (rows.computeIfAbsent(shape, k -> new TreeMap<>()).put(v[9], m) != null) {
                throw new IllegalArgumentException(at + "shape listed twice at n " + v[9] + ": " + shape);
            }
        }
        if (!headerSeen)
            throw new IllegalArgumentException(source + ": no column names line '" + HEADER.replace('\t', ' ') + "'");
        return new SpikeCrossovers(rows);
    }

    private static int integer(String s, String at) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(at + "'" + s + "' is not an integer");
        }
    }

    private static double density(String s, String at) {
        double d;
        try {
            d = Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(at + "'" + s + "' is not a density");
        }
        if (!(d >= 0 && d <= 1))
            throw new IllegalArgumentException(at + "a crossover density must be in [0, 1], got " + s);
        return d;
    }

    /**
     * The row of {@code g}'s shape measured nearest its images per call {@code g.n()}, or null where the table has
     * none.
     */
    public Measured get(ConvGeometry g) {
        NavigableMap<Integer, Measured> byN = rows.get(ConvShape.of(g));
        if (byN == null) return null;
        Map.Entry<Integer, Measured> below = byN.floorEntry(g.n()), above = byN.ceilingEntry(g.n());
        if (below == null) return above.getValue();
        if (above == null) return below.getValue();
        // Nearest by ratio: above wins only when above/n < n/below.
        return (long) above.getKey() * below.getKey() < (long) g.n() * g.n() ? above.getValue() : below.getValue();
    }

    /** Every row: shapes in file order, each with its rows by images per call. */
    public Map<ConvShape, NavigableMap<Integer, Measured>> rows() {
        return rows;
    }

    /** One row in the table's layout (the inverse of {@link #parse}). */
    public static String row(ConvShape s, int n, Measured m) {
        return String.format(
                Locale.ROOT,
                "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.4f\t%.4f",
                s.kh(),
                s.kw(),
                s.stride(),
                s.pad(),
                s.groups(),
                s.cin(),
                s.cout(),
                s.h(),
                s.w(),
                n,
                m.forward(),
                m.weightGradient());
    }
}
