package scn.data.raw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.data.events.Events;

/**
 * Random event streams encoded by the tests' encoder and decoded again: the same events in the same
 * order, however the stream is cut into chunks and from whichever checkpoint decoding resumes.
 */
class RawRoundTripTest {
    static final int W = 640;
    static final int H = 480;

    @TempDir
    Path dir;

    /**
     * {@code n} events in bursts at random times from {@code t0} on: rows of neighbouring pixels (what
     * vectors are for) and scattered ones, no two alike.
     */
    static List<RawEventEncoder.Ev> events(int n, long t0, SplittableRandom rnd) {
        List<RawEventEncoder.Ev> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        long t = t0;
        while (out.size() < n) {
            t += rnd.nextInt(4) == 0 ? rnd.nextInt(1, 9000) : rnd.nextInt(3);
            int y = rnd.nextInt(H);
            int x0 = rnd.nextInt(W);
            int p = rnd.nextInt(2);
            int len = rnd.nextInt(3) == 0 ? 1 : rnd.nextInt(1, 40);
            for (int i = 0; i < len && out.size() < n; i++) {
                int x = Math.min(W - 1, x0 + i + (rnd.nextInt(3) == 0 ? rnd.nextInt(4) : 0));
                if (seen.add(t + " " + x + " " + y + " " + p)) out.add(new RawEventEncoder.Ev(t, x, y, p));
            }
            if (rnd.nextInt(5) == 0) {
                int x = rnd.nextInt(W);
                int yy = rnd.nextInt(H);
                if (seen.add(t + " " + x + " " + yy + " 1")) out.add(new RawEventEncoder.Ev(t, x, yy, 1));
            }
        }
        return out;
    }

    private static void check(List<RawEventEncoder.Ev> expected, Events got, int from) {
        assertEquals(expected.size() - from, got.size());
        for (int i = 0; i < got.size(); i++) {
            RawEventEncoder.Ev e = expected.get(from + i);
            String where = "event " + (from + i);
            assertEquals(e.t(), got.t()[i], where);
            assertEquals(e.x(), got.x()[i], where);
            assertEquals(e.y(), got.y()[i], where);
            assertEquals(e.p(), got.p()[i], where);
        }
    }

    /** Decodes the words in random chunks, saving a checkpoint before each; then resumes from some of them. */
    private static void chunksAndCheckpoints(RawWords words, List<RawEventEncoder.Ev> expected, SplittableRandom rnd)
            throws IOException {
        ByteBuffer all = ByteBuffer.wrap(words.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        int wb = words.format.wordBytes();
        RawDecoder d = RawDecoder.create(words.format, Path.of("mem.raw"), W, H, 0);
        Events out = new Events();
        List<RawCheckpoint> checkpoints = new ArrayList<>();
        int word = 0;
        while (word < words.size()) {
            checkpoints.add(d.checkpoint(word, out.size()));
            int n = Math.min(words.size() - word, rnd.nextInt(1, 700));
            d.decode(all.slice(word * wb, n * wb).order(ByteOrder.LITTLE_ENDIAN), n, word, out);
            word += n;
        }
        check(expected, out, 0);
        for (int k = 0; k < 10; k++) {
            RawCheckpoint c = checkpoints.get(rnd.nextInt(checkpoints.size()));
            RawDecoder resumed = RawDecoder.create(words.format, Path.of("mem.raw"), W, H, 0);
            resumed.restore(c);
            Events rest = new Events();
            int n = words.size() - (int) c.word();
            resumed.decode(all.slice((int) c.word() * wb, n * wb).order(ByteOrder.LITTLE_ENDIAN), n, c.word(), rest);
            check(expected, rest, (int) c.events());
            assertEquals(c, RawCheckpoint.parse(c.toFields(), 0), "a checkpoint survives the index cache's text");
        }
    }

    @Test
    void evt3RandomStreams() throws IOException {
        SplittableRandom rnd = new SplittableRandom(3);
        for (long t0 : new long[] {0, 5_000, (1L << 24) - 300_000}) { // the last crosses a time-high loop
            List<RawEventEncoder.Ev> ev = events(40_000, t0, rnd);
            RawEventEncoder.Encoded enc = RawEventEncoder.evt3(ev, rnd);
            chunksAndCheckpoints(enc.words(), enc.order(), rnd);
        }
    }

    @Test
    void evt2RandomStreams() throws IOException {
        SplittableRandom rnd = new SplittableRandom(2);
        for (long t0 : new long[] {0, (1L << 34) - 200_000}) {
            List<RawEventEncoder.Ev> ev = events(40_000, t0, rnd);
            RawEventEncoder.Encoded enc = RawEventEncoder.evt2(ev, rnd);
            chunksAndCheckpoints(enc.words(), enc.order(), rnd);
        }
    }

    @Test
    void aFileLargerThanOneChunkReadsBackAndSeeks() throws IOException {
        SplittableRandom rnd = new SplittableRandom(4);
        List<RawEventEncoder.Ev> ev = events(300_000, 1_000, rnd);
        RawEventEncoder.Encoded enc = RawEventEncoder.evt3(ev, rnd);
        assertTrue(
                enc.words().size() > 2 * RawFile.CHUNK_WORDS,
                "the file spans several chunks: " + enc.words().size());
        Path file = enc.words().write(dir.resolve("big.raw"), W, H);
        List<RawCheckpoint> checkpoints = new ArrayList<>();
        Events all = new Events();
        try (RawFile f = RawFile.open(file)) {
            Events batch = new Events();
            checkpoints.add(f.checkpoint());
            while (f.next(batch)) {
                for (int i = 0; i < batch.size(); i++) all.add(batch.t()[i], batch.x()[i], batch.y()[i], batch.p()[i]);
                checkpoints.add(f.checkpoint());
            }
            assertTrue(checkpoints.size() > 3);
            check(enc.order(), all, 0);
            RawCheckpoint c = checkpoints.get(2);
            f.seek(c);
            Events rest = new Events();
            while (f.next(batch)) {
                for (int i = 0; i < batch.size(); i++) rest.add(batch.t()[i], batch.x()[i], batch.y()[i], batch.p()[i]);
            }
            check(enc.order(), rest, (int) c.events());
        }
    }
}
