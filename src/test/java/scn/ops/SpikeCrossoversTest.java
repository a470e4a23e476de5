package scn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import scn.backend.SpikePath;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.ConvGeometry;
import scn.tensor.Tensor;

/**
 * The per-shape crossover table: the packaged one parses and covers every convolution on spikes of
 * the network at the widths it is measured for; {@link SpikeConv} takes a listed shape's row and an
 * unlisted shape's kind; a malformed table is refused with its name and line.
 */
class SpikeCrossoversTest {
    private static final String REGENERATE =
            "java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar scn.bench.SpikeCrossoverTable "
                    + "--widths 0.25,0.5,1 --batch 2 --reps 5 --out src/main/resources/scn/ops/spike-crossovers.tsv (then --batch 8 --append for more rows)";

    @AfterEach
    void restore() {
        SpikePath.force(SpikePath.Mode.AUTO);
        ConvTrace.enable(false);
        ConvTrace.reset();
    }

    private static SpikeCrossovers parse(String... lines) throws IOException {
        return SpikeCrossovers.parse("test.tsv", new StringReader(String.join("\n", lines) + "\n"));
    }

    @Test
    void packagedTableParsesAndHoldsDensities() {
        Map<SpikeCrossovers.ConvShape, NavigableMap<Integer, SpikeCrossovers.Measured>> rows =
                SpikeCrossovers.packaged().rows();
        assertFalse(rows.isEmpty(), SpikeCrossovers.RESOURCE + " has no rows; regenerate it: " + REGENERATE);
        rows.forEach((shape, byN) -> byN.forEach((n, m) -> {
            // The tool writes 0 where event-driven never won and the top density measured (50 %) where it always did.
            assertTrue(m.forward() >= 0 && m.forward() <= 0.5, shape + " forward " + m.forward());
            assertTrue(
                    m.weightGradient() >= 0 && m.weightGradient() <= 0.5,
                    shape + " weight gradient " + m.weightGradient());
            assertEquals(0, n % 5, shape + ": n " + n + " is not T = 5 times a batch");
        }));
    }

    @Test
    void everyConvolutionOnSpikesOfTheNetworkHasARow() {
        SpikeCrossovers table = SpikeCrossovers.packaged();
        Map<SpikeCrossovers.ConvShape, String> missing = new LinkedHashMap<>(); // shape → the first layer that has it
        for (double width : new double[] {0.25, 0.5, 1}) {
            SpikingCenterNet net = new SpikingCenterNet(new ModelConfig(width, 1.5, 5, 2, false), 0);
            List<ConvTrace.Row> convolutions = net.spikeConvolutions(2);
            // stem, 16 encoder convolutions and 3 downsamples, 9 decoder ones, 2 per head
            assertEquals(35, convolutions.size(), "convolutions on spikes at width " + width);
            for (ConvTrace.Row row : convolutions) {
                if (table.get(row.geometry()) == null)
                    missing.putIfAbsent(
                            SpikeCrossovers.ConvShape.of(row.geometry()), "width " + width + " " + row.layer());
            }
        }
        assertTrue(
                missing.isEmpty(),
                missing.size() + " shapes missing from " + SpikeCrossovers.RESOURCE + " (regenerate it: " + REGENERATE
                        + "): " + missing);
    }

    @Test
    void aListedShapeTakesItsRowAnUnlistedOneItsKind() throws IOException {
        // A 3x3/1 layer: its kind says event-driven up to 50 % for both passes; the row says otherwise.
        ConvGeometry listed = new ConvGeometry(2, 16, 9, 11, 16, 3, 3, 1, 1, 1);
        ConvGeometry otherBatch = new ConvGeometry(7, 16, 9, 11, 16, 3, 3, 1, 1, 1);
        ConvGeometry unlisted = new ConvGeometry(2, 16, 9, 12, 16, 3, 3, 1, 1, 1);
        SpikeCrossovers table =
                parse("# one row", SpikeCrossovers.HEADER, "3\t3\t1\t1\t1\t16\t16\t9\t11\t10\t0.3\t0.05");
        assertEquals(0.5, SpikeConv.Kind.of(listed).forwardCrossover);
        assertEquals(0.5, SpikeConv.Kind.of(listed).weightCrossover);

        assertTrue(SpikeConv.crossover(listed, table).fromShape());
        assertFalse(SpikeConv.eventDriven(listed, 0.4, false, table), "40 % is above the row's forward crossover");
        assertTrue(SpikeConv.eventDriven(listed, 0.29, false, table));
        assertTrue(SpikeConv.eventDriven(listed, 0.04, true, table));
        assertFalse(
                SpikeConv.eventDriven(listed, 0.06, true, table), "6 % is above the row's weight-gradient crossover");
        assertFalse(SpikeConv.eventDriven(otherBatch, 0.4, false, table), "the one row of a shape serves every n");

        assertFalse(SpikeConv.crossover(unlisted, table).fromShape());
        assertTrue(SpikeConv.eventDriven(unlisted, 0.4, false, table), "an unlisted shape takes its kind's 50 %");
        assertTrue(SpikeConv.eventDriven(unlisted, 0.06, true, table));
        assertTrue(SpikeConv.eventDriven(listed, 0.4, false, SpikeCrossovers.empty()));
    }

    @Test
    void aShapeMeasuredAtSeveralBatchesTakesTheRowNearestItsImagesPerCall() throws IOException {
        String shape = "3\t3\t1\t1\t1\t128\t128\t8\t10\t";
        SpikeCrossovers table = parse(SpikeCrossovers.HEADER, shape + "10\t0.0\t0.13", shape + "40\t0.5\t0.15");
        int[] ns = {1, 10, 19, 20, 21, 40, 400};
        double[] expected = {0.0, 0.0, 0.0, 0.0, 0.5, 0.5, 0.5
        }; // 20 is as near to 10 as to 40 (by ratio): the smaller wins
        for (int i = 0; i < ns.length; i++) {
            ConvGeometry g = new ConvGeometry(ns[i], 128, 8, 10, 128, 3, 3, 1, 1, 1);
            assertEquals(expected[i], table.get(g).forward(), "n " + ns[i]);
        }
        assertEquals(2, table.rows().values().iterator().next().size());
    }

    @Test
    void theTraceSaysWhereEachCrossoverCameFrom() {
        // The cheapest shape the packaged table lists, on one image, against one it cannot list (odd plane).
        SpikeCrossovers.ConvShape s = SpikeCrossovers.packaged().rows().keySet().stream()
                .min(Comparator.comparingLong(k -> (long) k.cin() * k.h() * k.w()))
                .orElseThrow(() -> new AssertionError(SpikeCrossovers.RESOURCE + " has no rows"));
        ConvGeometry listed =
                new ConvGeometry(1, s.cin(), s.h(), s.w(), s.cout(), s.kh(), s.kw(), s.stride(), s.pad(), s.groups());
        ConvGeometry unlisted = new ConvGeometry(1, 16, 9, 11, 16, 3, 3, 1, 1, 1);
        ConvTrace.enable(true);
        for (ConvGeometry g : new ConvGeometry[] {listed, unlisted}) {
            Conv2d.forward(
                    Tensor.zeros(g.outShape()),
                    null,
                    new byte[g.n() * g.cin() * g.h() * g.w()],
                    Tensor.zeros(g.weightShape()),
                    g,
                    null);
        }
        List<ConvTrace.Row> rows = ConvTrace.rows();
        assertEquals(2, rows.size());
        assertEquals("shape", rows.get(0).crossover().source());
        assertEquals(
                SpikeCrossovers.packaged().get(listed).forward(),
                rows.get(0).crossover().forward());
        assertEquals("kind", rows.get(1).crossover().source());
        assertEquals(
                SpikeConv.Kind.CONV3X3.forwardCrossover, rows.get(1).crossover().forward());
    }

    @Test
    void rowsWrittenByTheToolReadBack() throws IOException {
        SpikeCrossovers.ConvShape shape = new SpikeCrossovers.ConvShape(1, 1, 2, 0, 1, 64, 128, 16, 20);
        SpikeCrossovers.Measured m = new SpikeCrossovers.Measured(0.1234, 0.5);
        SpikeCrossovers table = parse(SpikeCrossovers.HEADER, SpikeCrossovers.row(shape, 40, m));
        assertEquals(Map.of(shape, new TreeMap<>(Map.of(40, m))), table.rows());
        assertNull(table.get(new ConvGeometry(10, 64, 16, 20, 128, 1, 1, 1, 0, 1)), "another stride is another shape");
    }

    @Test
    void aMalformedLineIsRefusedWithItsSourceAndLineNumber() {
        String good = "3\t3\t1\t1\t1\t16\t16\t9\t11\t10\t0.3\t0.05";
        assertMalformed(
                "test.tsv line 4: expected 12 tab-separated fields, got 11",
                "# comment",
                SpikeCrossovers.HEADER,
                good,
                "3\t3\t1\t1\t1\t16\t16\t9\t11\t0.3\t0.05");
        assertMalformed(
                "test.tsv line 3: 'x' is not an integer",
                SpikeCrossovers.HEADER,
                "",
                "x\t3\t1\t1\t1\t16\t16\t9\t11\t10\t0.3\t0.05");
        assertMalformed(
                "test.tsv line 2: a crossover density must be in [0, 1], got 1.5",
                SpikeCrossovers.HEADER,
                "3\t3\t1\t1\t1\t16\t16\t9\t11\t10\t1.5\t0.05");
        assertMalformed(
                "test.tsv line 2: 'NaN%' is not a density",
                SpikeCrossovers.HEADER, "3\t3\t1\t1\t1\t16\t16\t9\t11\t10\tNaN%\t0.05");
        assertMalformed(
                "test.tsv line 2: field 1 must be >= 1, got 0",
                SpikeCrossovers.HEADER,
                "0\t3\t1\t1\t1\t16\t16\t9\t11\t10\t0.3\t0.05");
        assertMalformed(
                "test.tsv line 2: field 10 must be >= 1, got 0",
                SpikeCrossovers.HEADER,
                "3\t3\t1\t1\t1\t16\t16\t9\t11\t0\t0.3\t0.05");
        assertMalformed("test.tsv line 3: shape listed twice at n 10", SpikeCrossovers.HEADER, good, good);
        assertMalformed("test.tsv line 2: expected the column names", "# no header", good);
        assertMalformed("test.tsv: no column names line", "# nothing but comments");
    }

    private static void assertMalformed(String expected, String... lines) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(lines), expected);
        assertTrue(e.getMessage().startsWith(expected), "expected '" + expected + "...', got '" + e.getMessage() + "'");
    }
}
