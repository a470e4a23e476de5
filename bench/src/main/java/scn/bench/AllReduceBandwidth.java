package scn.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import scn.dist.Ring;
import scn.dist.TcpTransport;

/**
 * The ring all-reduce's speed over TCP on this machine's loopback: {@code P} replicas (threads of one process, each
 * with its own sockets, as separate processes would have) all-reduce a buffer of {@code MB} megabytes (default 52:
 * the gradients of the 12.9 M-parameter network in float32) {@code REPS} times after two warm-up rounds. Prints the
 * median time and two bandwidths in NCCL's sense: algorithm bandwidth (buffer bytes / time) and bus bandwidth
 * (algorithm bandwidth · 2(P − 1)/P: what each replica's link carries, comparable across ring sizes).
 *
 * <p>{@code java -cp bench/target/benchmarks.jar scn.bench.AllReduceBandwidth [P [MB [REPS]]]}
 */
public final class AllReduceBandwidth {
    private AllReduceBandwidth() {}

    public static void main(String[] args) throws Exception {
        int p = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        double mb = args.length > 1 ? Double.parseDouble(args[1]) : 52;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int n = (int) (mb * 1e6 / 4);
        ExecutorService pool = Executors.newFixedThreadPool(p);
        List<TcpTransport.Listener> listeners = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int r = 0; r < p; r++) {
            listeners.add(TcpTransport.Listener.open("127.0.0.1"));
            addresses.add(listeners.get(r).address());
        }
        List<Future<Ring>> opening = new ArrayList<>();
        for (int r = 0; r < p; r++) {
            int rank = r;
            opening.add(pool.submit(() -> new Ring(listeners
                    .get(rank)
                    .connect(rank, addresses, "bench", Duration.ofSeconds(30), Duration.ofSeconds(60)))));
        }
        List<Ring> rings = new ArrayList<>();
        for (Future<Ring> f : opening) rings.add(f.get());
        float[][] data = new float[p][n];
        for (float[] d : data) Arrays.fill(d, 1f);
        double[] seconds = new double[reps];
        for (int i = -2; i < reps; i++) {
            long t0 = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int r = 0; r < p; r++) {
                Ring ring = rings.get(r);
                float[] d = data[r];
                done.add(pool.submit(() -> {
                    ring.allReduceMean(d);
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            if (i >= 0) seconds[i] = (System.nanoTime() - t0) * 1e-9;
        }
        Arrays.sort(seconds);
        double median = seconds[reps / 2];
        double alg = n * 4.0 / median / 1e9;
        System.out.printf(
                Locale.ROOT,
                "%d replicas, %.1f MB, %d rounds: median %.1f ms (min %.1f, max %.1f); algorithm bandwidth %.2f GB/s,"
                        + " bus bandwidth %.2f GB/s%n",
                p,
                n * 4 / 1e6,
                reps,
                median * 1e3,
                seconds[0] * 1e3,
                seconds[reps - 1] * 1e3,
                alg,
                alg * 2 * (p - 1) / p);
        rings.forEach(Ring::close);
        pool.shutdown();
    }
}
