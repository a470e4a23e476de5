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

/**
 * Crossover densities measured on each convolution shape of the network, read from the resource
 * {@value #RESOURCE}: one tab-separated row per shape (kernel, stride, padding, groups, channels and
 * input plane; not the batch, which the time steps and images fold into and which moves the crossover
 * far less than the shape does), with the density below which the event-driven path beat the dense one
 * for the forward pass and for the weight gradient. {@link SpikeConv} uses a row where the table has
 * one and the layer kind's crossover elsewhere.
 *
 * <p>The table is data, not code: {@code scn.bench.SpikeCrossoverTable} (in {@code bench/}) measures
 * it and writes it whole, its {@code #} lines saying with which command, when and on what machine.
 * It is read once, on first use, and never changes during a run, so the choice of path depends only on
 * the shape and the input's density: runs stay bit-reproducible.
 */
public final class SpikeCrossovers {
    public static final String RESOURCE = "/scn/ops/spike-crossovers.tsv";

    /** The column names, the first line that is not a comment; a table in another layout is refused. */
    public static final String HEADER = String.join("\t", "kh", "kw", "stride", "pad", "groups", "cin", "cout", "h", "w", "forward", "weight_gradient");

    /** A convolution's geometry without its batch: the key of a row. */
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

    private final Map<ConvShape, Measured> rows; // in file order

    private SpikeCrossovers(Map<ConvShape, Measured> rows) {
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
                if (in == null) throw new IllegalStateException("spike crossover table " + RESOURCE + " is missing from the class path");
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
        Map<ConvShape, Measured> rows = new LinkedHashMap<>();
        BufferedReader lines = new BufferedReader(text);
        boolean headerSeen = false;
        int number = 0;
        for (String line; (line = lines.readLine()) != null; ) {
            number++;
            if (line.isBlank() || line.startsWith("#")) continue;
            String at = source + " line " + number + ": ";
            if (!headerSeen) {
                if (!line.strip().equals(HEADER)) {
                    throw new IllegalArgumentException(at + "expected the column names '" + HEADER.replace('\t', ' ') + "' (tab-separated), got '" + line + "'");
                }
                headerSeen = true;
                continue;
            }
            String[] f = line.strip().split("\t");
            if (f.length != 11) throw new IllegalArgumentException(at + "expected 11 tab-separated fields, got " + f.length + ": '" + line + "'");
            int[] v = new int[9];
            for (int i = 0; i < 9; i++) {
                v[i] = integer(f[i], at);
                if (v[i] < (i == 3 ? 0 : 1)) throw new IllegalArgumentException(at + "field " + (i + 1) + " must be " + (i == 3 ? ">= 0" : ">= 1") + ", got " + v[i]);
            }
            ConvShape shape = new ConvShape(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8]);
            Measured m = new Measured(density(f[9], at), density(f[10], at));
            if (rows.put(shape, m) != null) throw new IllegalArgumentException(at + "shape listed twice: " + shape);
        }
        if (!headerSeen) throw new IllegalArgumentException(source + ": no column names line '" + HEADER.replace('\t', ' ') + "'");
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
        if (!(d >= 0 && d <= 1)) throw new IllegalArgumentException(at + "a crossover density must be in [0, 1], got " + s);
        return d;
    }

    /** The row of {@code g}'s shape, or null where the table has none. */
    public Measured get(ConvGeometry g) {
        return rows.get(ConvShape.of(g));
    }

    public Map<ConvShape, Measured> rows() {
        return rows;
    }

    /** One row in the table's layout (the inverse of {@link #parse}). */
    public static String row(ConvShape s, Measured m) {
        return String.format(Locale.ROOT, "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.4f\t%.4f", s.kh(), s.kw(), s.stride(), s.pad(), s.groups(),
                s.cin(), s.cout(), s.h(), s.w(), m.forward(), m.weightGradient());
    }
}
