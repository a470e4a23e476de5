package scn.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * Which array each float request of a repeated step takes, made from one recorded step. Each request
 * is an interval of the step's event clock (from being taken to being given back, or to the end of the
 * step) with a size. Requests are placed largest first, each into the smallest bin that is free over
 * its whole interval, else into a new bin of its own size (first-fit decreasing; every bin made earlier
 * is at least as large, so any free one holds it). A bin becomes one array, and the arrays held are the
 * bins' sizes summed: close to the most the step ever has in use at once, where matching requests to
 * arrays one at a time, knowing nothing of what comes later, leaves large arrays idle at the peak.
 */
final class ArenaPlan {
    /** The float requests of one step, in order: their sizes and when each was taken and given back. */
    static final class Recorder {
        private int[] sizes = new int[256], taken = new int[256], given = new int[256];
        private int count, clock;

        /** Notes a request of {@code n} values; returns its index in the step. */
        int take(int n) {
            if (count == sizes.length) {
                sizes = Arrays.copyOf(sizes, 2 * count);
                taken = Arrays.copyOf(taken, 2 * count);
                given = Arrays.copyOf(given, 2 * count);
            }
            sizes[count] = n;
            taken[count] = clock++;
            given[count] = -1; // not yet: holds until the end of the step
            return count++;
        }

        void giveBack(int request) {
            given[request] = clock++;
        }

        int size() {
            return count;
        }

        void clear() {
            count = 0;
            clock = 0;
        }
    }

    private final int[] sizes; // [requests] the recorded size of each request
    private final int[] binOf; // [requests] the bin each request goes to
    private final int[] binSizes; // [bins] largest first
    private final float[][] arrays; // [bins]

    private ArenaPlan(int[] sizes, int[] binOf, int[] binSizes) {
        this.sizes = sizes;
        this.binOf = binOf;
        this.binSizes = binSizes;
        this.arrays = new float[binSizes.length][];
    }

    static ArenaPlan of(Recorder r) {
        int n = r.count, end = r.clock;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> -r.sizes[i]).thenComparingInt(i -> r.taken[i]));
        List<TreeMap<Integer, Integer>> busy = new ArrayList<>(); // per bin: start → end of the intervals placed in it
        List<Integer> binSizes = new ArrayList<>();
        int[] binOf = new int[n];
        for (int i : order) {
            int lo = r.taken[i], hi = r.given[i] < 0 ? end : r.given[i];
            int bin = -1;
            for (int b = busy.size() - 1; b >= 0 && bin < 0; b--) { // smallest first
                var before =
                        busy.get(b).floorEntry(hi - 1); // intervals in a bin are disjoint: only this one can overlap
                if (before == null || before.getValue() <= lo) bin = b;
            }
            if (bin < 0) {
                bin = busy.size();
                busy.add(new TreeMap<>());
                binSizes.add(r.sizes[i]);
            }
            busy.get(bin).put(lo, hi);
            binOf[i] = bin;
        }
        return new ArenaPlan(
                Arrays.copyOf(r.sizes, n),
                binOf,
                binSizes.stream().mapToInt(Integer::intValue).toArray());
    }

    int bins() {
        return binSizes.length;
    }

    /** The largest request bin {@code bin} holds, in values; bins are numbered largest first. */
    int binSize(int bin) {
        return binSizes[bin];
    }

    void assign(int bin, float[] array) {
        arrays[bin] = array;
    }

    /** The array for request {@code request} of the step if it asks for the recorded {@code n} values, else null. */
    float[] arrayFor(int request, int n) {
        return request < sizes.length && sizes[request] == n ? arrays[binOf[request]] : null;
    }
}
