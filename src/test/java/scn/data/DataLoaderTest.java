package scn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The background loader: batch layout, determinism per seed, flips of events and boxes. */
class DataLoaderTest {
    static final int W = 304;
    static final int H = 240;

    @TempDir
    static Path root;

    @BeforeAll
    static void write() throws IOException {
        Path train = Files.createDirectories(root.resolve("train"));
        for (int r = 0; r < 3; r++) {
            Boxes b = new Boxes();
            for (int k = 1; k <= 4; k++) {
                b.add(k * 100_000L, 10 + 20 * r + k, 20, 40 + k, 30, 0, 1, 1);
                if (k % 2 == 0) b.add(k * 100_000L, 200, 100 + k, 20, 50, 1, 2, 1);
            }
            DatasetTest.recording(train, "rec" + r, 450_000, b, r);
        }
    }

    @Test
    void batchesHaveThePaddedLayoutAndPaddingRows() throws IOException {
        try (Dataset ds = Dataset.open(root, "train");
                DataLoader loader = new DataLoader(ds, DataLoader.Options.of(5, 1, false, false))) {
            assertEquals(12, ds.size());
            List<Batch> batches = new ArrayList<>();
            loader.epoch(0).forEach(batches::add);
            assertEquals(3, batches.size());
            assertEquals(2, batches.get(2).size(), "the last batch holds the remainder");
            try (DataLoader dropping =
                    new DataLoader(ds, DataLoader.Options.of(5, 1, false, false).withDropLast(true))) {
                assertEquals(2, dropping.batchesPerEpoch(), "or is dropped");
            }
            Batch first = batches.get(0);
            assertArrayEquals(new int[] {5, 5, 4, 256, 320}, first.input().shape());
            assertArrayEquals(new int[] {5, 2, 5}, first.boxes().shape());
            for (int b = 0; b < first.size(); b++) {
                Dataset.Sample s = ds.load(b, false);
                assertEquals(s.recording(), first.recordings()[b]);
                assertEquals(s.timestamp(), first.timestamps()[b]);
                float[][] rows = first.boxesOf(b);
                assertEquals(s.boxes().length, rows.length);
                for (int i = 0; i < rows.length; i++) assertArrayEquals(s.boxes()[i], rows[i]);
                if (rows.length == 1) assertEquals(-1f, first.boxes().get(b, 1, 4), "a padding row has class -1");
                assertArrayEquals(s.input().data(), crop(first, b));
            }
        }
    }

    /** Sample {@code b} of a batch cut back to {@code [5, 4, 240, 304]}; asserts the padding is zero. */
    static byte[] crop(Batch batch, int b) {
        int n = batch.size();
        byte[] in = batch.input().data();
        byte[] out = new byte[5 * 4 * H * W];
        for (int k = 0; k < 5; k++) {
            for (int c = 0; c < 4; c++) {
                for (int y = 0; y < 256; y++) {
                    for (int x = 0; x < 320; x++) {
                        byte v = in[(((k * n + b) * 4 + c) * 256 + y) * 320 + x];
                        if (y < H && x < W) out[((k * 4 + c) * H + y) * W + x] = v;
                        else assertEquals(0, v, "padding at y=" + y + " x=" + x);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void theSameSeedGivesTheSameBatchesAndAnotherSeedAnotherOrder() throws IOException {
        try (Dataset ds = Dataset.open(root, "train")) {
            List<String> a = run(ds, 7, 1);
            List<String> b = run(ds, 7, 2);
            List<String> c = run(ds, 8, 1);
            assertEquals(a, b, "same seed, any number of workers: identical batches");
            assertNotEquals(a, c);
            try (DataLoader loader = new DataLoader(ds, DataLoader.Options.of(4, 7, true, true))) {
                assertNotEquals(
                        java.util.Arrays.toString(loader.order(0)),
                        java.util.Arrays.toString(loader.order(1)),
                        "epochs differ");
                int[] sorted = loader.order(3).clone();
                java.util.Arrays.sort(sorted);
                for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i], "an epoch visits every sample once");
            }
        }
    }

    @Test
    void shardsSplitEachEpochsOrderIntoEqualDisjointParts() throws IOException {
        try (Dataset ds = Dataset.open(root, "train")) {
            assertEquals(12, ds.size());
            for (int shards : new int[] {1, 2, 5, 12}) {
                List<Integer> seen = new ArrayList<>();
                int[] order = null;
                for (int k = 0; k < shards; k++) {
                    try (DataLoader loader = new DataLoader(
                            ds, DataLoader.Options.of(2, 7, true, false).withShard(k, shards))) {
                        order = loader.order(1);
                        int[] mine = loader.shardOrder(1);
                        assertEquals(12 / shards, mine.length, "shard " + k + " of " + shards);
                        assertEquals((12 / shards + 1) / 2, loader.batchesPerEpoch());
                        int i = 0;
                        for (Batch b : loader.epoch(1)) {
                            for (int j = 0; j < b.size(); j++, i++) {
                                Dataset.Sample s = ds.load(mine[i], false);
                                assertEquals(s.recording(), b.recordings()[j]);
                                assertEquals(s.timestamp(), b.timestamps()[j]);
                            }
                        }
                        assertEquals(mine.length, i, "the batches hold exactly the shard");
                        for (int s : mine) seen.add(s);
                    }
                }
                // together the shards are the order's first (12 / shards) · shards samples, each once
                List<Integer> expected = new ArrayList<>();
                for (int i = 0; i < 12 / shards * shards; i++) expected.add(order[i]);
                java.util.Collections.sort(seen);
                java.util.Collections.sort(expected);
                assertEquals(expected, seen, shards + " shards");
            }
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class,
                    () -> new DataLoader(
                            ds, DataLoader.Options.of(2, 7, true, false).withShard(0, 13)));
            assertTrue(
                    e.getMessage().contains("12 samples")
                            && e.getMessage().contains("13 replicas")
                            && e.getMessage().contains("replica 12 would be empty"),
                    e.getMessage());
        }
    }

    /** A fingerprint of every batch of epoch 0: names, times, boxes and a hash of the input. */
    private static List<String> run(Dataset ds, long seed, int workers) {
        List<String> out = new ArrayList<>();
        try (DataLoader loader =
                new DataLoader(ds, DataLoader.Options.of(4, seed, true, true).withWorkers(workers))) {
            for (Batch b : loader.epoch(0)) {
                out.add(String.join(",", b.recordings())
                        + java.util.Arrays.toString(b.timestamps())
                        + java.util.Arrays.toString(b.boxes().data())
                        + java.util.Arrays.hashCode(b.input().data()));
            }
        }
        return out;
    }

    @Test
    void flippedSamplesMirrorEventsAndBoxes() throws IOException {
        try (Dataset ds = Dataset.open(root, "train");
                DataLoader loader = new DataLoader(ds, DataLoader.Options.of(3, 11, true, true))) {
            int[] order = loader.order(0);
            int flipped = 0;
            int i = 0;
            for (Batch batch : loader.epoch(0)) {
                for (int b = 0; b < batch.size(); b++, i++) {
                    int s = order[i];
                    Dataset.Sample plain = ds.load(s, false);
                    byte[] got = crop(batch, b);
                    float[][] rows = batch.boxesOf(b);
                    boolean flip = loader.flipped(0, s);
                    flipped += flip ? 1 : 0;
                    for (int r = 0; r < rows.length; r++) {
                        float[] p = plain.boxes()[r];
                        float x = flip ? W - p[0] - p[2] : p[0];
                        assertArrayEquals(new float[] {x, p[1], p[2], p[3], p[4]}, rows[r]);
                    }
                    byte[] expect = plain.input().data();
                    if (flip) expect = mirror(expect);
                    assertArrayEquals(expect, got);
                }
            }
            assertTrue(flipped > 0 && flipped < ds.size(), "some samples are flipped and some are not: " + flipped);
        }
    }

    private static byte[] mirror(byte[] d) { // [5, 4, H, W]
        byte[] out = new byte[d.length];
        for (int plane = 0; plane < 20; plane++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) out[(plane * H + y) * W + (W - 1 - x)] = d[(plane * H + y) * W + x];
            }
        }
        return out;
    }
}
