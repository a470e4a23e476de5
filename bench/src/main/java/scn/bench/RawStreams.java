package scn.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Synthetic RAW word streams for {@link RawDecodeBench}, shaped like a driving recording on a 1280x720
 * sensor at about 20 M events/s: each microsecond some rows fire, most as a run of neighbouring pixels of
 * one polarity (a moving edge over 2 to 16 pixels), the rest as single noise events. {@link Density}
 * sets how many are singles and how full the runs are.
 * EVT 3.0 carries a run as VECT_BASE_X and 12/8-column vectors, a single as EVT_ADDR_X; EVT 2.0 carries
 * every event as one CD word. Both get a time high whenever it changes and exactly {@code events}
 * events, so a benchmark call decodes a known count.
 */
final class RawStreams {
    static final int WIDTH = 1280;
    static final int HEIGHT = 720;
    private static final int EVENTS_PER_MICROSECOND = 20;

    private RawStreams() {}

    /** How an EVT 3.0 stream's events are spread: the share of single events, the share of a run's pixels set. */
    enum Density {
        /** 1 event in 5 single, 3 in 4 of a run's pixels set: 4.9 events per vector word, 1.2 bytes per event. */
        TYPICAL(5, 0.75),
        /** 1 event in 2 single, 2 in 5 of a run's pixels set: 3.1 events per vector word, 2.1 bytes per event. */
        SPARSE(2, 0.4);

        final int singleOneIn;
        final double runFill;

        Density(int singleOneIn, double runFill) {
            this.singleOneIn = singleOneIn;
            this.runFill = runFill;
        }
    }

    /** One generated stream: the words, and how many events and vector words it holds. */
    record Stream(int[] evt2, short[] evt3, int words, int vectorWords) {}

    static Stream evt3(int events, Density density, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        short[] w = new short[events * 2];
        int n = 0;
        int vectors = 0;
        int made = 0;
        long t = 0;
        long high = -1;
        while (made < events) {
            t++;
            if (t >>> 12 != high) {
                high = t >>> 12;
                w[n++] = (short) (0x8000 | (high & 0xFFF));
            }
            w[n++] = (short) (0x6000 | (t & 0xFFF));
            for (int inTick = 0; inTick < EVENTS_PER_MICROSECOND && made < events; ) {
                int y = rnd.nextInt(HEIGHT);
                w[n++] = (short) y; // EVT_ADDR_Y
                int p = rnd.nextInt(2);
                if (rnd.nextInt(density.singleOneIn) == 0) { // a single noise event
                    w[n++] = (short) (0x2000 | p << 11 | rnd.nextInt(WIDTH));
                    made++;
                    inTick++;
                    continue;
                }
                int len = rnd.nextInt(2, 17);
                int x = rnd.nextInt(WIDTH - len);
                w[n++] = (short) (0x3000 | p << 11 | x); // VECT_BASE_X
                for (int done = 0; done < len && made < events; ) {
                    int span = len - done >= 12 ? 12 : 8;
                    int mask = 0;
                    for (int b = 0; b < span && done < len && made < events; b++, done++) {
                        if (b == 0 || rnd.nextDouble() < density.runFill) {
                            mask |= 1 << b;
                            made++;
                            inTick++;
                        }
                    }
                    w[n++] = (short) ((span == 12 ? 0x4000 : 0x5000) | mask);
                    vectors++;
                }
            }
        }
        return new Stream(null, Arrays.copyOf(w, n), n, vectors);
    }

    static Stream evt2(int events, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] w = new int[events + events / 8 + 16];
        int n = 0;
        long high = -1;
        for (int i = 0; i < events; i++) {
            long t = i / EVENTS_PER_MICROSECOND;
            if (t >>> 6 != high) {
                high = t >>> 6;
                w[n++] = 0x80000000 | (int) high;
            }
            int p = rnd.nextInt(2);
            w[n++] = p << 28 | (int) (t & 63) << 22 | rnd.nextInt(WIDTH) << 11 | rnd.nextInt(HEIGHT);
        }
        return new Stream(Arrays.copyOf(w, n), null, n, 0);
    }
}
