package scn.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ring all-reduce, in memory and over TCP on the loopback: every replica ends with the same bits, which are the
 * mean summed in the documented order; odd sizes (fewer floats than replicas, chunks of unequal length); and the
 * failures: another engine, a replica that never comes, one that leaves, replicas that disagree.
 */
class RingTest {
    private static final Duration SHORT = Duration.ofSeconds(20);
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** Replica {@code r}'s input: values of mixed sign and magnitude, so that the summation order shows. */
    private static float[] input(int r, int n) {
        SplittableRandom rnd = new SplittableRandom(100 + r);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) ((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(-3, 4)));
        return x;
    }

    /** The documented order: chunk c is ((g_c + g_{c+1}) + …) + g_{c−1}, then divided by p. */
    private static float[] expected(float[][] in, int n) {
        int p = in.length;
        float[] out = new float[n];
        for (int c = 0; c < p; c++) {
            for (int i = Ring.start(n, c, p); i < Ring.start(n, c + 1, p); i++) {
                float s = in[c][i];
                for (int k = 1; k < p; k++) s = s + in[(c + k) % p][i];
                out[i] = s / p;
            }
        }
        return out;
    }

    /** Runs one all-reduce on every end of the ring at once; returns each replica's result. */
    private float[][] allReduce(List<Transport> ring, int n) throws Exception {
        int p = ring.size();
        float[][] data = new float[p][];
        List<Future<?>> done = new ArrayList<>();
        for (int r = 0; r < p; r++) {
            data[r] = input(r, n);
            float[] mine = data[r];
            Ring ringEnd = new Ring(ring.get(r));
            done.add(pool.submit(() -> {
                ringEnd.allReduceMean(mine);
                return null;
            }));
        }
        for (Future<?> f : done) f.get();
        return data;
    }

    private void checkAllReduce(List<Transport> ring, int n) throws Exception {
        int p = ring.size();
        float[][] in = new float[p][];
        for (int r = 0; r < p; r++) in[r] = input(r, n);
        float[] want = expected(in, n);
        float[][] got = allReduce(ring, n);
        for (int r = 0; r < p; r++) assertArrayEquals(want, got[r], "replica " + r + " of " + p + ", n " + n);
        // against the exact mean: each chunk's sum of p terms rounds p − 1 times, the division once
        for (int i = 0; i < n; i++) {
            double mean = 0, magnitude = 0;
            for (float[] x : in) {
                mean += x[i];
                magnitude += Math.abs(x[i]);
            }
            mean /= p;
            double bound = (p - 1) * 0x1p-24 * magnitude / p + 0x1p-24 * Math.abs(mean);
            assertTrue(Math.abs(got[0][i] - mean) <= bound, "element " + i + ": " + got[0][i] + " vs " + mean);
        }
    }

    @Test
    void inMemoryGivesEveryReplicaTheMeanInTheDocumentedOrder() throws Exception {
        for (int p = 1; p <= 4; p++) {
            for (int n : new int[] {1, 2, 3, 7, 1000}) checkAllReduce(MemoryTransport.ring(p, SHORT), n);
        }
    }

    @Test
    void twoReplicasGiveExactlyTheFloatMean() throws Exception {
        // with two replicas each element is one float addition, which commutes, and a division by two, which is exact
        int n = 10_001;
        float[] a = input(0, n), b = input(1, n);
        float[][] got = allReduce(MemoryTransport.ring(2, SHORT), n);
        for (int i = 0; i < n; i++) assertEquals((a[i] + b[i]) / 2, got[1][i], "element " + i);
    }

    /** Opens {@code p} listeners on the loopback and connects them into a ring, each replica with its identity. */
    private List<Transport> tcpRing(int p, List<String> identities, Duration connect) throws Exception {
        List<TcpTransport.Listener> listeners = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int r = 0; r < p; r++) {
            listeners.add(TcpTransport.Listener.open("127.0.0.1"));
            addresses.add(listeners.get(r).address());
        }
        List<Future<Transport>> ends = new ArrayList<>();
        for (int r = 0; r < p; r++) {
            int rank = r;
            ends.add(pool.submit(() ->
                    (Transport) listeners.get(rank).connect(rank, addresses, identities.get(rank), connect, SHORT)));
        }
        List<Transport> ring = new ArrayList<>();
        for (Future<Transport> f : ends) ring.add(f.get());
        return ring;
    }

    @Test
    void overTcpAsInMemory() throws Exception {
        for (int p = 1; p <= 3; p++) {
            List<Transport> ring = tcpRing(p, List.of("x", "x", "x"), SHORT);
            // 3 MiB floats: several staging buffers per chunk, and chunks of unequal length at p = 3
            for (int n : new int[] {1, 5, 3 * 1024 * 1024 + 1}) checkAllReduce(ring, n);
            ring.forEach(Transport::close);
        }
    }

    @Test
    void anotherEngineIsRefusedNamingBothVersions() throws Exception {
        ExecutionException e = assertThrows(
                ExecutionException.class,
                () -> tcpRing(2, List.of("engine 0.1.0 on Java 25", "engine 0.2.0 on Java 25"), SHORT));
        String m = e.getCause().getMessage();
        assertTrue(m.contains("engine 0.1.0") && m.contains("engine 0.2.0") && m.contains("127.0.0.1:"), m);
    }

    @Test
    void aReplicaThatNeverComesFailsNamingBothAddresses() throws Exception {
        try (TcpTransport.Listener mine = TcpTransport.Listener.open("127.0.0.1");
                TcpTransport.Listener silent = TcpTransport.Listener.open("127.0.0.1")) {
            // the second replica listens but never joins: the first can connect, but no one connects back
            List<String> addresses = List.of(mine.address(), silent.address());
            IOException e = assertTimeoutPreemptively(
                    Duration.ofSeconds(10),
                    () -> assertThrows(
                            IOException.class, () -> mine.connect(0, addresses, "x", Duration.ofSeconds(1), SHORT)));
            assertTrue(
                    e.getMessage().contains(mine.address()) && e.getMessage().contains(silent.address()),
                    e.getMessage());
        }
        // nobody listens at all on the next replica's address
        TcpTransport.Listener gone = TcpTransport.Listener.open("127.0.0.1");
        String goneAddress = gone.address();
        gone.close();
        try (TcpTransport.Listener mine = TcpTransport.Listener.open("127.0.0.1")) {
            List<String> addresses = List.of(mine.address(), goneAddress);
            IOException e = assertThrows(
                    IOException.class, () -> mine.connect(0, addresses, "x", Duration.ofSeconds(1), SHORT));
            assertTrue(
                    e.getMessage().contains("could not connect")
                            && e.getMessage().contains(mine.address())
                            && e.getMessage().contains(goneAddress),
                    e.getMessage());
        }
    }

    @Test
    void aReplicaThatLeavesFailsItsNeighboursInsteadOfHangingThem() throws Exception {
        for (List<Transport> ring : List.of(MemoryTransport.ring(2, SHORT), tcpRing(2, List.of("x", "x"), SHORT))) {
            ring.get(0).close();
            Ring survivor = new Ring(ring.get(1));
            IOException e = assertTimeoutPreemptively(
                    Duration.ofSeconds(10),
                    () -> assertThrows(IOException.class, () -> survivor.allReduceMean(new float[100])));
            assertTrue(e.getMessage().contains("replica 0") && e.getMessage().contains("closed"), e.getMessage());
            ring.get(1).close();
        }
    }

    @Test
    void aSilentReplicaTimesOutNamingBoth() throws Exception {
        TcpTransport.Listener a = TcpTransport.Listener.open("127.0.0.1"), b = TcpTransport.Listener.open("127.0.0.1");
        List<String> addresses = List.of(a.address(), b.address());
        Duration second = Duration.ofSeconds(1);
        Future<TcpTransport> first = pool.submit(() -> a.connect(0, addresses, "x", SHORT, second));
        // replica 0 is connected but never sends: replica 1 gives up after its I/O timeout
        try (TcpTransport waiting = b.connect(1, addresses, "x", SHORT, second);
                TcpTransport idle = first.get()) {
            IOException e = assertTimeoutPreemptively(
                    Duration.ofSeconds(10),
                    () -> assertThrows(IOException.class, () -> waiting.exchange(new byte[] {1})));
            assertTrue(
                    e.getMessage().contains("no progress")
                            && e.getMessage().contains(a.address())
                            && e.getMessage().contains(b.address()),
                    e.getMessage());
            assertEquals(0, idle.rank());
        }
    }

    @Test
    void replicasThatDisagreeAreNamedWithBothValues() throws Exception {
        List<Transport> ring = MemoryTransport.ring(3, SHORT);
        List<Future<?>> done = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            Ring end = new Ring(ring.get(r));
            String value = r == 2 ? "99 steps" : "98 steps";
            done.add(pool.submit(() -> {
                end.agree("the step to resume from", value);
                return null;
            }));
        }
        List<String> failures = new ArrayList<>();
        for (Future<?> f : done) {
            try {
                f.get();
            } catch (ExecutionException e) {
                failures.add(e.getCause().getMessage());
            }
        }
        // replica 2 sees replica 1's value and replica 0 sees replica 2's: both say so, naming both
        assertEquals(2, failures.size(), failures.toString());
        for (String m : failures)
            assertTrue(m.contains("98 steps") && m.contains("99 steps") && m.contains("resume"), m);
    }
}
