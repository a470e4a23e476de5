package scn.data.raw;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Encodes a list of events, sorted by time, into EVT 2.0 or EVT 3.0 words as a sensor would: time
 * highs as the time moves on (EVT 3.0: every step, as the sensor emits them), EVT 3.0 rows, vectors of
 * 12 and 8 columns (chosen at random, with random empty ones) or single events, and trigger and
 * monitoring words strewn in. Returns the words and the events in the order the words carry them,
 * which is what a decoder must give back.
 */
final class RawEventEncoder {
    record Ev(long t, int x, int y, int p) {}

    record Encoded(RawWords words, List<Ev> order) {}

    private RawEventEncoder() {}

    static Encoded evt2(List<Ev> events, SplittableRandom rnd) {
        RawWords w = RawWords.evt2();
        long high = -1;
        for (Ev e : events) {
            if (e.t() >>> 6 != high) {
                high = e.t() >>> 6;
                w.timeHigh2(high & 0x0FFFFFFF);
            }
            if (rnd.nextInt(50) == 0) w.word(0xA, rnd.nextInt(1 << 28)); // EXT_TRIGGER
            if (rnd.nextInt(50) == 0) { // OTHERS + CONTINUED
                w.word(0xE, rnd.nextInt(1 << 28)).word(0xF, rnd.nextInt(1 << 28));
            }
            w.cd(e.p(), (int) (e.t() & 63), e.x(), e.y());
        }
        return new Encoded(w, events);
    }

    static Encoded evt3(List<Ev> events, SplittableRandom rnd) {
        RawWords w = RawWords.evt3();
        List<Ev> order = new ArrayList<>();
        long high = -1;
        int low = 0;
        int row = -1;
        for (int a = 0; a < events.size(); ) {
            int b = a;
            while (b < events.size() && events.get(b).t() == events.get(a).t()) b++;
            long t = events.get(a).t();
            if (t >>> 12 != high) {
                for (long h = high < 0 ? t >>> 12 : high + 1; h <= t >>> 12; h++) w.timeHigh3((int) (h & 0xFFF));
                high = t >>> 12;
                low = 0; // a new time high resets the low bits
            }
            if ((t & 0xFFF) != low) {
                low = (int) (t & 0xFFF);
                w.timeLow(low);
            }
            List<Ev> group = new ArrayList<>(events.subList(a, b));
            group.sort(Comparator.comparingInt(Ev::y).thenComparingInt(Ev::p).thenComparingInt(Ev::x));
            for (int i = 0; i < group.size(); ) {
                Ev e = group.get(i);
                if (e.y() != row) {
                    row = e.y();
                    w.addrY(row);
                }
                int j = i;
                while (j < group.size()
                        && group.get(j).y() == e.y()
                        && group.get(j).p() == e.p()) j++;
                row(w, group.subList(i, j), order, rnd);
                if (rnd.nextInt(40) == 0) w.word(0xA, rnd.nextInt(1 << 12)); // EXT_TRIGGER
                if (rnd.nextInt(40) == 0) { // OTHERS, CONTINUED_12, CONTINUED_4
                    w.word(0xE, rnd.nextInt(1 << 12))
                            .word(0xF, rnd.nextInt(1 << 12))
                            .word(0x7, 3);
                }
                i = j;
            }
            a = b;
        }
        return new Encoded(w, order);
    }

    /** Events of one row, time and polarity, sorted by x, as vectors or single events. */
    private static void row(RawWords w, List<Ev> run, List<Ev> order, SplittableRandom rnd) {
        int i = 0;
        while (i < run.size()) {
            int x0 = run.get(i).x();
            int near = 0;
            while (i + near < run.size() && run.get(i + near).x() < x0 + 12) near++;
            if (near == 1 && rnd.nextInt(3) != 0) {
                w.addrX(x0, run.get(i).p());
                order.add(run.get(i++));
                continue;
            }
            int base = x0 - rnd.nextInt(Math.min(x0, 11) + 1); // the vector need not start at an event
            w.vectBaseX(base, run.get(i).p());
            while (i < run.size() && run.get(i).x() < base + 12) {
                int span = rnd.nextBoolean() ? 12 : 8;
                int mask = 0;
                while (i < run.size() && run.get(i).x() < base + span) {
                    mask |= 1 << (run.get(i).x() - base);
                    order.add(run.get(i++));
                }
                w.word(span == 12 ? 0x4 : 0x5, mask);
                base += span;
            }
        }
    }
}
