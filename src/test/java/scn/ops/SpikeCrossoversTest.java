package scn.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import scn.backend.SpikePath;

/**
 * The per-shape crossover table: {@link SpikeConv} takes a listed shape's row and an unlisted shape's
 * kind; a malformed table is refused with its name and line.
 */
class SpikeCrossoversTest {
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
    void aListedShapeTakesItsRowAnUnlistedOneItsKind() throws IOException {
        // A 3x3/1 layer: its kind says event-driven up to 50 % for both passes; the row says otherwise.
        ConvGeometry listed = new ConvGeometry(2, 16, 9, 11, 16, 3, 3, 1, 1, 1);
        ConvGeometry otherBatch = new ConvGeometry(7, 16, 9, 11, 16, 3, 3, 1, 1, 1);
        ConvGeometry unlisted = new ConvGeometry(2, 16, 9, 12, 16, 3, 3, 1, 1, 1);
        SpikeCrossovers table = parse("# one row", SpikeCrossovers.HEADER, "3\t3\t1\t1\t1\t16\t16\t9\t11\t0.3\t0.05");
        assertEquals(0.5, SpikeConv.Kind.of(listed).forwardCrossover);
        assertEquals(0.5, SpikeConv.Kind.of(listed).weightCrossover);

        assertTrue(SpikeConv.crossover(listed, table).fromShape());
        assertFalse(SpikeConv.eventDriven(listed, 0.4, false, table), "40 % is above the row's forward crossover");
        assertTrue(SpikeConv.eventDriven(listed, 0.29, false, table));
        assertTrue(SpikeConv.eventDriven(listed, 0.04, true, table));
        assertFalse(SpikeConv.eventDriven(listed, 0.06, true, table), "6 % is above the row's weight-gradient crossover");
        assertFalse(SpikeConv.eventDriven(otherBatch, 0.4, false, table), "the batch is not part of the key");

        assertFalse(SpikeConv.crossover(unlisted, table).fromShape());
        assertTrue(SpikeConv.eventDriven(unlisted, 0.4, false, table), "an unlisted shape takes its kind's 50 %");
        assertTrue(SpikeConv.eventDriven(unlisted, 0.06, true, table));
        assertTrue(SpikeConv.eventDriven(listed, 0.4, false, SpikeCrossovers.empty()));
    }

    @Test
    void rowsWrittenByTheToolReadBack() throws IOException {
        SpikeCrossovers.ConvShape shape = new SpikeCrossovers.ConvShape(1, 1, 2, 0, 1, 64, 128, 16, 20);
        SpikeCrossovers.Measured m = new SpikeCrossovers.Measured(0.1234, 0.5);
        SpikeCrossovers table = parse(SpikeCrossovers.HEADER, SpikeCrossovers.row(shape, m));
        assertEquals(Map.of(shape, m), table.rows());
        assertNull(table.get(new ConvGeometry(10, 64, 16, 20, 128, 1, 1, 1, 0, 1)), "another stride is another shape");
    }

    @Test
    void aMalformedLineIsRefusedWithItsSourceAndLineNumber() {
        String good = "3\t3\t1\t1\t1\t16\t16\t9\t11\t0.3\t0.05";
        assertMalformed("test.tsv line 4: expected 11 tab-separated fields, got 10", "# comment", SpikeCrossovers.HEADER, good, "3\t3\t1\t1\t1\t16\t16\t9\t11\t0.3");
        assertMalformed("test.tsv line 3: 'x' is not an integer", SpikeCrossovers.HEADER, "", "x\t3\t1\t1\t1\t16\t16\t9\t11\t0.3\t0.05");
        assertMalformed("test.tsv line 2: a crossover density must be in [0, 1], got 1.5", SpikeCrossovers.HEADER, "3\t3\t1\t1\t1\t16\t16\t9\t11\t1.5\t0.05");
        assertMalformed("test.tsv line 2: 'NaN%' is not a density", SpikeCrossovers.HEADER, "3\t3\t1\t1\t1\t16\t16\t9\t11\tNaN%\t0.05");
        assertMalformed("test.tsv line 2: field 1 must be >= 1, got 0", SpikeCrossovers.HEADER, "0\t3\t1\t1\t1\t16\t16\t9\t11\t0.3\t0.05");
        assertMalformed("test.tsv line 3: shape listed twice", SpikeCrossovers.HEADER, good, good);
        assertMalformed("test.tsv line 2: expected the column names", "# no header", good);
        assertMalformed("test.tsv: no column names line", "# nothing but comments");
    }

    private static void assertMalformed(String expected, String... lines) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(lines), expected);
        assertTrue(e.getMessage().startsWith(expected), "expected '" + expected + "...', got '" + e.getMessage() + "'");
    }
}
