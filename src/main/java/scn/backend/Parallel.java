package scn.backend;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Fork-join over a fixed team of workers: the CPU backend's only source of threads.
 *
 * <p>{@link #forEach} hands each worker a contiguous range of task indices together with a worker id in
 * {@code [0, threads())}, so kernels can index per-worker scratch buffers allocated once, instead of
 * allocating inside a parallel region. The thread count comes from {@code -Dscn.threads=N} or the number
 * of available processors.
 *
 * <p>Why not a {@code ForkJoinPool}: a training step makes about 500 parallel calls of 0.1 to 5 ms
 * each, and a pool worker parks between them, so every call paid a wake-up (a futex and, on a virtual
 * machine, an inter-processor interrupt) before the second core started; at width 0.25 the second
 * core bought 11 % instead of the ~1.7x the work allows. The team's workers spin for a while after
 * each task ({@link #SPIN_NANOS}) and only then park, so back-to-back calls start at once, and the
 * caller spins on the workers' completion rather than blocking.
 *
 * <p>Why the spinning yields: on a machine whose cores other processes also want, a pure spin is the
 * worst choice. A worker that has no core yet leaves the caller spinning for a whole scheduler slice
 * (milliseconds) at each of a forward pass's ~200 calls, and an idle worker's spin takes the core the
 * caller needs for the serial work between calls; two threads then ran 4–5 times slower than one. So
 * every waiter spins only {@link #HOT_NANOS} with {@link Thread#onSpinWait}, which is all an idle
 * machine needs, then offers its core with {@link Thread#yield} on each poll (a no-op when nothing else
 * wants that core), and the caller parks outright once a wait passes {@link #SPIN_NANOS}, to be woken by
 * the last worker.
 */
public final class Parallel {
    private static final int THREADS =
            Math.max(1, Integer.getInteger("scn.threads", Runtime.getRuntime().availableProcessors()));
    /** How long an idle worker keeps polling for the next call before it parks. */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("scn.spinMicros", 2000));
    /** How long a waiter polls without yielding its core: a call on an idle machine is answered in ~1 µs. */
    private static final long HOT_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

    private static final Worker[] WORKERS = startWorkers(THREADS - 1); // worker id i + 1
    /**
     * Set while a caller owns the team. Not a reentrant lock: a loop nested in the caller's own chunk
     * must run inline, since the workers are busy with the outer loop.
     */
    private static final AtomicBoolean TEAM_BUSY = new AtomicBoolean();
    /** Held by {@link #exclusively} callers, one at a time. */
    private static final ReentrantLock TURNS = new ReentrantLock();
    /** Set on a thread inside {@link #alone}: its loops run on it alone and never touch the team. */
    private static final ThreadLocal<Boolean> ALONE = ThreadLocal.withInitial(() -> Boolean.FALSE);

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
     * Runs {@code work} while no other {@code exclusively} caller computes, so that every parallel loop inside it finds
     * the team free and splits as it would alone. For several computations in one process (data-parallel replicas or
     * Spark tasks in Spark's local mode): a loop that finds the team busy runs on its caller alone, which groups
     * per-worker partial sums differently, so without turns their results would depend on each other's timing.
     */
    public static <T> T exclusively(Supplier<T> work) {
        if (ALONE.get()) return work.get(); // its loops never touch the team: there is nothing to take turns for
        TURNS.lock();
        try {
            return work.get();
        } finally {
            TURNS.unlock();
        }
    }

    /**
     * Runs {@code work} with every parallel loop it calls on this thread run by this thread alone, as one chunk of
     * worker 0, and {@link #exclusively} waiting for no one. For computations that each own one core of a shared
     * process, such as data-parallel replicas that Spark gave one CPU each: side by side they use every core, where
     * taking turns with the team would leave all but one computation waiting. Each one's arithmetic is that of a
     * one-chunk loop, so it does not depend on what the others do.
     */
    public static <T> T alone(Supplier<T> work) {
        boolean was = ALONE.get();
        ALONE.set(Boolean.TRUE);
        try {
            return work.get();
        } finally {
            ALONE.set(was);
        }
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@code threads()} contiguous chunks; the
     * caller runs the first chunk itself. Runs inline, as one chunk of worker 0, when {@code n} is small,
     * when we are already inside a worker (nested parallelism would only add overhead on a few cores),
     * when another thread is using the team, or inside {@link #alone}.
     */
    public static void forEach(int n, RangeBody body) {
        if (n <= 0) return;
        int chunks = Math.min(n, THREADS);
        int[] bounds = new int[chunks + 1];
        for (int c = 0; c <= chunks; c++) bounds[c] = (int) ((long) n * c / chunks);
        run(bounds, body);
    }

    /**
     * As {@link #forEach}, with the chunk boundaries placed so that each chunk's summed {@code cost}
     * (one entry per task index, known up front) is about equal. For loops whose tasks differ in work by
     * the data, such as event-driven convolutions over time steps, where the first steps fire least:
     * equal counts of tasks left one core idle for a third of such a loop. The boundaries depend only on
     * the costs, so results stay deterministic.
     */
    public static void forEachBalanced(long[] cost, RangeBody body) {
        int n = cost.length, chunks = Math.min(n, THREADS);
        if (n == 0) return;
        long total = 0;
        for (long c : cost) total += c;
        int[] bounds = new int[chunks + 1];
        int c = 1;
        long prefix = 0;
        for (int i = 0; i < n && c < chunks; i++) {
            // chunk c starts at the first task whose preceding costs reach c shares
            while (c < chunks && prefix >= total * c / chunks) bounds[c++] = i;
            prefix += cost[i];
        }
        while (c <= chunks) bounds[c++] = n; // shares never reached: those chunks are empty
        run(bounds, body);
    }

    /** Runs chunk {@code c} = tasks {@code [bounds[c], bounds[c+1])} as worker {@code c}; the caller runs chunk 0. */
    private static void run(int[] bounds, RangeBody body) {
        int chunks = bounds.length - 1, n = bounds[chunks];
        if (chunks <= 1
                || Thread.currentThread() instanceof Worker
                || ALONE.get()
                || !TEAM_BUSY.compareAndSet(false, true)) {
            if (n > 0) body.run(0, 0, n); // one chunk: bodies keep per-worker partials in thread-local scratch
            return;
        }
        try {
            for (int c = 1; c < chunks; c++) WORKERS[c - 1].submit(body, c, bounds[c], bounds[c + 1]);
            Throwable failure = null;
            try {
                body.run(0, 0, bounds[1]);
            } catch (Throwable t) {
                failure = t;
            }
            for (int c = 1; c < chunks; c++) {
                Throwable t = WORKERS[c - 1].await();
                if (failure == null) failure = t;
            }
            if (failure instanceof RuntimeException re) throw re;
            if (failure instanceof Error e) throw e;
            if (failure != null) throw new RuntimeException(failure);
        } finally {
            TEAM_BUSY.set(false);
        }
    }

    /**
     * One poll of a wait that has lasted {@code waitedNanos}: a hot spin at first, then a yield of the core; false
     * once the waiter should park instead.
     */
    private static boolean poll(long waitedNanos) {
        if (waitedNanos < HOT_NANOS) Thread.onSpinWait();
        else if (waitedNanos < SPIN_NANOS) Thread.yield();
        else return false;
        return true;
    }

    private static Worker[] startWorkers(int count) {
        Worker[] workers = new Worker[count];
        for (int i = 0; i < count; i++) {
            workers[i] = new Worker("scn-worker-" + (i + 1));
            workers[i].start();
        }
        return workers;
    }

    /** A daemon thread that runs one chunk at a time, handed over through volatile fields. */
    private static final class Worker extends Thread {
        private RangeBody body; // written before `pending`, read after it
        private int id, from, to;
        private Throwable failure;
        private volatile boolean pending;
        private volatile boolean parked;
        /** The caller, while it is parked in {@link #await}: the worker wakes it when the chunk is done. */
        private volatile Thread waiter;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        void submit(RangeBody body, int id, int from, int to) {
            this.body = body;
            this.id = id;
            this.from = from;
            this.to = to;
            this.failure = null;
            pending = true; // publishes the fields above
            if (parked) LockSupport.unpark(this);
        }

        /** Waits until the chunk is done (spinning, then yielding, then parked); its failure, or null. */
        Throwable await() {
            long start = System.nanoTime();
            while (pending) {
                if (!poll(System.nanoTime() - start)) {
                    waiter = Thread.currentThread();
                    if (pending) LockSupport.park(this); // run() clears pending before it reads waiter
                    waiter = null;
                }
            }
            Throwable t = failure;
            body = null;
            return t;
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (true) {
                if (pending) {
                    try {
                        body.run(id, from, to);
                    } catch (Throwable t) {
                        failure = t;
                    }
                    pending = false;
                    Thread w = waiter;
                    if (w != null) LockSupport.unpark(w);
                    idleSince = System.nanoTime();
                } else if (!poll(System.nanoTime() - idleSince)) {
                    parked = true;
                    if (!pending) LockSupport.park(this); // submit() sets pending before it reads parked
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}
