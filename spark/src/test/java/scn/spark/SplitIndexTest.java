package scn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.data.Dataset;
import scn.data.DatasetIndex;
import scn.data.events.DataFormatException;
import scn.data.synth.SyntheticDataset;

/**
 * The loader's index cache built on Spark, one task per recording, is the file the single-process loader writes, byte
 * for byte, and the loader reuses it.
 */
class SplitIndexTest {
    @TempDir
    Path data;

    @Test
    void theCacheIsTheLoadersByteForByteAndReused() throws IOException {
        // the synthetic train split's recordings of 0.6 s, and two that cannot be used: one without its box file, one
        // cut short
        SyntheticDataset.generate(data, new SyntheticDataset.Config(5, 3, 0.6, 10.0, 5000, 2), s -> {});
        Path train = data.resolve("train"), first;
        try (var files = Files.list(train)) {
            first = files.filter(p -> p.toString().endsWith("_td.dat"))
                    .sorted()
                    .findFirst()
                    .orElseThrow();
        }
        Files.copy(first, train.resolve("nobox_td.dat"));
        byte[] bytes = Files.readAllBytes(first);
        Files.write(train.resolve("cut_td.dat"), Arrays.copyOf(bytes, bytes.length - 3));
        Files.copy(Path.of(first.toString().replace("_td.dat", "_bbox.npy")), train.resolve("cut_bbox.npy"));
        Path cache = Dataset.cacheFile(data, "train");
        Files.deleteIfExists(cache);
        int recordings;
        try (Dataset ds = Dataset.open(data, "train")) {
            recordings = ds.index().recordings().size();
            assertEquals(2, ds.skipped().size(), ds.skipped().toString());
        }
        byte[] local = Files.readAllBytes(cache);
        Files.delete(cache);

        assertTrue(recordings >= 3, "the synthetic train split's, and the two added: " + recordings);
        DatasetIndex spark = SplitIndex.run(LocalSpark.context(), data, "train");
        assertEquals(recordings, spark.rebuiltCount(), "every recording indexed in a task");
        assertArrayEquals(local, Files.readAllBytes(cache));
        String text = Files.readString(cache);
        assertTrue(text.contains("nobox_bbox.npy") && text.contains("cut_td.dat"), "the problems are in it");
        try (Dataset ds = Dataset.open(data, "train")) {
            assertEquals(0, ds.index().rebuiltCount(), "the loader reuses it");
            assertEquals(2, ds.skipped().size());
        }
        assertEquals(0, SplitIndex.run(LocalSpark.context(), data, "train").rebuiltCount(), "up to date: no job");
    }

    @Test
    void aMissingSplitOrDataFolderIsNamed() {
        DataFormatException split =
                assertThrows(DataFormatException.class, () -> SplitIndex.run(LocalSpark.context(), data, "nope"));
        assertTrue(split.getMessage().equals(data + ": has no 'nope' folder"), split.getMessage());
        IOException folder = assertThrows(
                IOException.class, () -> SplitIndex.run(LocalSpark.context(), data.resolve("gone"), "train"));
        assertTrue(folder.getMessage().contains(data.resolve("gone") + " does not exist"), folder.getMessage());
        assertFalse(Files.exists(data.resolve("gone")));
    }
}
