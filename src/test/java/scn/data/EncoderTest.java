package scn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import scn.data.events.Events;
import scn.tensor.SpikeTensor;

/** SPEC section 4 encoding against a plain per-event reference and hand-placed edge cases. */
class EncoderTest {
    static final int W = 304;
    static final int H = 240;

    /** The formula of SPEC section 4 written out once more, independently of the encoder's micro-bin trick. */
    static byte[] reference(Events ev, long tL) { // [5, 4, H, W]
        byte[] out = new byte[5 * 4 * H * W];
        for (int i = 0; i < ev.size(); i++) {
            long t = ev.t()[i];
            if (t < tL - 100000 || t >= tL) continue;
            long tau = t - (tL - 100000);
            int k = (int) (tau / 20000);
            int b = (int) ((tau % 20000) / 10000);
            int c = 2 * b + ev.p()[i];
            out[((k * 4 + c) * H + ev.y()[i]) * W + ev.x()[i]] = 1;
        }
        return out;
    }

    static int at(int k, int c, int y, int x) {
        return ((k * 4 + c) * H + y) * W + x;
    }

    @Test
    void windowEdgesAndBinBoundaries() {
        long tL = 1_000_000;
        long start = tL - 100_000;
        Events ev = new Events();
        ev.add(start - 1, 1, 1, 1); // before the window: dropped
        ev.add(start, 2, 2, 0); // first microsecond: k=0, b=0, channel 0
        ev.add(start + 9_999, 3, 3, 1); // k=0, b=0, channel 1
        ev.add(start + 10_000, 4, 4, 0); // exactly at a 10 ms boundary: k=0, b=1, channel 2
        ev.add(start + 20_000, 5, 5, 1); // exactly at a 20 ms boundary: k=1, b=0, channel 1
        ev.add(start + 30_000, 6, 6, 1); // k=1, b=1, channel 3
        ev.add(tL - 1, 303, 239, 1); // last microsecond: k=4, b=1, channel 3
        ev.add(tL, 7, 7, 0); // tL itself is excluded
        SpikeTensor s = Encoder.encode(ev, tL, W, H);
        assertArrayEquals(new int[] {5, 4, H, W}, s.shape());
        byte[] d = s.data();
        int[] ones = {at(0, 0, 2, 2), at(0, 1, 3, 3), at(0, 2, 4, 4), at(1, 1, 5, 5), at(1, 3, 6, 6), at(4, 3, 239, 303)
        };
        int total = 0;
        for (byte v : d) total += v;
        assertEquals(ones.length, total, "only the six events inside the window set an element");
        for (int i : ones) assertEquals(1, d[i]);
        assertArrayEquals(reference(ev, tL), d);
    }

    @Test
    void randomEventsMatchTheReference() {
        Random rnd = new Random(3);
        long tL = 250_000;
        Events ev = new Events();
        long t = 100_000;
        for (int i = 0; i < 50_000; i++) {
            t += rnd.nextInt(6);
            ev.add(t, rnd.nextInt(W), rnd.nextInt(H), rnd.nextInt(2));
        }
        assertArrayEquals(reference(ev, tL), Encoder.encode(ev, tL, W, H).data());
    }

    @Test
    void batchLayoutHoldsEachSampleInsideThePaddedFrame() {
        Random rnd = new Random(5);
        int b = 3;
        int ph = 256;
        int pw = 320;
        Events[] evs = new Events[b];
        long tL = 300_000;
        byte[] batch = new byte[5 * b * 4 * ph * pw]; // [T, B, C, PH, PW]
        for (int s = 0; s < b; s++) {
            evs[s] = new Events();
            for (int i = 0; i < 2000; i++)
                evs[s].add(tL - 1 - rnd.nextInt(100_000), rnd.nextInt(W), rnd.nextInt(H), rnd.nextInt(2));
            Encoder.encode(evs[s], 0, evs[s].size(), tL, W, false, batch, Encoder.Layout.batch(s, b, ph, pw));
        }
        for (int s = 0; s < b; s++) {
            byte[] dense = reference(evs[s], tL);
            for (int k = 0; k < 5; k++) {
                for (int c = 0; c < 4; c++) {
                    for (int y = 0; y < ph; y++) {
                        for (int x = 0; x < pw; x++) {
                            byte expect = y < H && x < W ? dense[at(k, c, y, x)] : 0;
                            assertEquals(expect, batch[(((k * b + s) * 4 + c) * ph + y) * pw + x]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void flipMirrorsX() {
        Events ev = new Events();
        ev.add(950_000, 0, 10, 1);
        ev.add(960_000, 300, 11, 0);
        byte[] out = new byte[5 * 4 * H * W];
        Encoder.encode(ev, 0, ev.size(), 1_000_000, W, true, out, Encoder.Layout.dense(H, W));
        assertEquals(1, out[at(2, 3, 10, 303)]); // τ = 50000: k=2, b=1, p=1
        assertEquals(1, out[at(3, 0, 11, 3)]); // τ = 60000: k=3, b=0, p=0
    }
}
