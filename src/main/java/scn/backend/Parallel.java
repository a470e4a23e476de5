package scn.backend;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * Fork-join over a fixed number of workers: the CPU backend's only source of threads.
 *
 * <p>{@link #forEach} hands each worker a contiguous range of task indices together with a worker id in
 * {@code [0, threads())}, so kernels can index per-worker scratch buffers allocated once, instead of
 * allocating inside a parallel region. The thread count comes from {@code -Dscn.threads=N} or the number
 * of available processors.
 */
public final class Parallel {
    private static final int THREADS = Math.max(1, Integer.getInteger("scn.threads", Runtime.getRuntime().availableProcessors()));
    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS - 1) : null;

    private Parallel() {}

    /** Body of a parallel loop: handles task indices {@code [from, to)} on worker {@code worker}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int worker, int from, int to);
    }

    public static int threads() {
        return THREADS;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@code threads()} contiguous chunks; the
     * caller runs the first chunk itself. Runs inline when {@code n} is small or we are already inside
     * a worker (nested parallelism would only add overhead on a few cores).
     */
    public static void forEach(int n, RangeBody body) {
        int chunks = Math.min(n, THREADS);
        if (chunks <= 1 || POOL == null || ForkJoinTask.inForkJoinPool()) {
            if (n > 0) body.run(0, 0, n);
            return;
        }
        ForkJoinTask<?>[] forked = new ForkJoinTask<?>[chunks - 1];
        for (int c = 1; c < chunks; c++) {
            final int worker = c;
            final int from = (int) ((long) n * c / chunks);
            final int to = (int) ((long) n * (c + 1) / chunks);
            forked[c - 1] = POOL.submit(new RecursiveAction() {
                @Override
                protected void compute() {
                    body.run(worker, from, to);
                }
            });
        }
        Throwable failure = null;
        try {
            body.run(0, 0, (int) ((long) n / chunks));
        } catch (Throwable t) {
            failure = t;
        }
        for (ForkJoinTask<?> f : forked) {
            try {
                f.join();
            } catch (Throwable t) {
                if (failure == null) failure = t;
            }
        }
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new RuntimeException(failure);
    }
}
