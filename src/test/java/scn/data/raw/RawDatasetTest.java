package scn.data.raw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.data.Boxes;
import scn.data.DatWriter;
import scn.data.Dataset;
import scn.data.DatasetIndex;

/**
 * A data folder of RAW recordings gives the same samples as the same recordings as {@code .dat} files,
 * whether the index was just built or read back from its cache, and whatever order samples are read in.
 */
class RawDatasetTest {
    @TempDir
    Path root;

    /** Writes one recording twice, as {@code raw/RAWNAME} and {@code dat/NAME_td.dat}, boxes beside each. */
    private void recording(String rawName, String name, long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        RawEventEncoder.Encoded enc = RawEventEncoder.evt3(RawRoundTripTest.events(200_000, 0, rnd), rnd);
        Path rawDir = Files.createDirectories(root.resolve("raw"));
        Path datDir = Files.createDirectories(root.resolve("dat"));
        enc.words().write(rawDir.resolve(rawName), RawRoundTripTest.W, RawRoundTripTest.H);
        try (DatWriter w = DatWriter.create(datDir.resolve(name + "_td.dat"), RawRoundTripTest.W, RawRoundTripTest.H)) {
            for (RawEventEncoder.Ev e : enc.order()) w.write(e.t(), e.x(), e.y(), e.p());
        }
        long end = enc.order().get(enc.order().size() - 1).t();
        assertTrue(end > 1L << 24, "the recording crosses an EVT 3.0 time-high loop: " + end);
        Boxes b = new Boxes();
        for (long t = 150_000; t < end + 300_000; t += 370_000) {
            b.add(t, 100, 80, 60, 40, (int) (t / 370_000) % 2, 1, 1);
        }
        b.write(rawDir.resolve(name + "_bbox.npy"));
        b.write(datDir.resolve(name + "_bbox.npy"));
    }

    private static void assertSameSamples(Dataset expected, Dataset got, SplittableRandom order) throws IOException {
        assertEquals(expected.size(), got.size());
        for (int k = 0; k < got.size(); k++) {
            int i = order.nextInt(got.size());
            Dataset.Sample a = expected.load(i, false);
            Dataset.Sample b = got.load(i, false);
            assertEquals(a.recording() + " " + a.timestamp(), b.recording() + " " + b.timestamp());
            assertArrayEquals(a.input().data(), b.input().data(), "sample " + i);
            assertEquals(a.boxes().length, b.boxes().length);
        }
    }

    @Test
    void rawRecordingsGiveTheSamplesOfTheirDatTwins() throws IOException {
        recording("a.raw", "a", 1);
        recording("b_td.raw", "b", 2);
        try (Dataset dat = Dataset.open(root, "dat");
                Dataset raw = Dataset.open(root, "raw")) {
            assertTrue(raw.size() > 60, "samples: " + raw.size());
            assertEquals(2, raw.index().recordings().size());
            assertTrue(
                    raw.index().recordings().stream().allMatch(DatasetIndex.Recording::ok),
                    raw.skipped().toString());
            assertEquals(RawRoundTripTest.W, raw.width());
            assertSameSamples(dat, raw, new SplittableRandom(5));
        }
        try (Dataset dat = Dataset.open(root, "dat");
                Dataset raw = Dataset.open(root, "raw")) {
            assertEquals(
                    0,
                    raw.index().rebuiltCount(),
                    "the second time, the index (with its checkpoints) comes from the cache");
            assertSameSamples(dat, raw, new SplittableRandom(6));
        }
    }

    @Test
    void twoEventFilesOfOneRecordingAreFlagged() throws IOException {
        recording("c.raw", "c", 3);
        Files.copy(root.resolve("dat/c_td.dat"), root.resolve("raw/c_td.dat"));
        try (Dataset raw = Dataset.open(root, "raw")) {
            assertEquals(0, raw.size());
            String problem = raw.index().recordings().get(0).problem();
            assertTrue(problem.contains("c.raw and c_td.dat") && problem.contains("recording 'c'"), problem);
            assertFalse(raw.index().recordings().get(0).ok());
        }
    }
}
