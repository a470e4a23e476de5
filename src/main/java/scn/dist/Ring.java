package scn.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Ring all-reduce over a {@link Transport}: after {@link #allReduceMean} every replica holds the same bits, the mean of
 * what the replicas put in, summed in an order fixed by the ring alone (never by timing), so replicas that apply the
 * same update to the same weights stay identical step after step.
 *
 * <p>The buffer of {@code n} floats is cut into {@code p} chunks, chunk {@code c} being {@code [n·c/p, n·(c+1)/p)}.
 * Reduce-scatter: in step {@code s} of {@code p − 1}, replica {@code r} sends chunk {@code r − s} to replica
 * {@code r + 1} and adds what it receives of chunk {@code r − s − 1} to its own, received value first. So
 * chunk {@code c} is summed as {@code (…((g_c + g_{c+1}) + g_{c+2}) + …) + g_{c−1}} (replica indices mod
 * {@code p}) and ends at replica {@code c − 1}, which divides it by {@code p}. All-gather: {@code p − 1} more
 * steps pass each finished chunk on unchanged, so every replica ends with the owner's bits. Each replica sends
 * and receives {@code 2(p − 1)/p} of the buffer in all, whatever {@code p}.
 */
public final class Ring implements AutoCloseable {
    private final Transport transport;
    private float[] scratch = new float[0]; // one received chunk of the reduce-scatter

    public Ring(Transport transport) {
        this.transport = transport;
    }

    public int rank() {
        return transport.rank();
    }

    public int size() {
        return transport.size();
    }

    /** Replica {@code rank} for messages. */
    public String describe(int rank) {
        return transport.describe(rank);
    }

    /** Replaces {@code data} on every replica by the mean over the replicas, the same bits on all (class comment). */
    public void allReduceMean(float[] data) throws IOException {
        int p = size(), r = rank(), n = data.length;
        if (p == 1) return;
        int largest = n / p + 1;
        if (scratch.length < largest) scratch = new float[largest];
        for (int s = 0; s < p - 1; s++) {
            int out = Math.floorMod(r - s, p), in = Math.floorMod(r - s - 1, p);
            int from = start(n, in, p), count = start(n, in + 1, p) - from;
            transport.exchange(data, start(n, out, p), start(n, out + 1, p) - start(n, out, p), scratch, 0, count);
            for (int i = 0; i < count; i++) data[from + i] = scratch[i] + data[from + i];
        }
        int own = (r + 1) % p;
        for (int i = start(n, own, p), end = start(n, own + 1, p); i < end; i++) data[i] /= p;
        for (int s = 0; s < p - 1; s++) {
            int out = Math.floorMod(r + 1 - s, p), in = Math.floorMod(r - s, p);
            int outFrom = start(n, out, p), inFrom = start(n, in, p);
            transport.exchange(
                    data, outFrom, start(n, out + 1, p) - outFrom, data, inFrom, start(n, in + 1, p) - inFrom);
        }
    }

    /** The first index of chunk {@code c} of {@code n} floats cut into {@code p}. */
    static int start(int n, int c, int p) {
        return (int) ((long) n * c / p);
    }

    /**
     * Fails unless every replica passed the same {@code value}: each replica compares its own with the previous one's,
     * and the replica that finds a difference names both replicas and both values (if every neighbour agrees, all do).
     * The others' next exchange then fails as the failing replica closes its links.
     */
    public void agree(String what, String value) throws IOException {
        if (size() == 1) return;
        String theirs = new String(transport.exchange(value.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
        if (!theirs.equals(value)) {
            int before = Math.floorMod(rank() - 1, size());
            throw new IOException("the replicas disagree on " + what + ": " + describe(before) + " has " + theirs + ", "
                    + describe(rank()) + " has " + value);
        }
    }

    @Override
    public void close() {
        transport.close();
    }
}
