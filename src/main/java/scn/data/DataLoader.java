package scn.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import scn.data.events.Events;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * Iterates batches of a {@link Dataset} while background threads decode and encode the batches ahead
 * ({@code prefetch} of them), so a training step finds its batch ready. Close it (try-with-resources) to
 * stop the threads.
 *
 * <p>Everything random is a pure function of (seed, epoch, sample): the order of an epoch and whether a
 * sample is mirrored. Batches come back in order whatever the thread timing, so a run is reproducible
 * with any number of workers. One worker (the default) is enough: a batch of 8 costs a few milliseconds
 * to read and encode (see {@code scn.bench.DataBench} in {@code bench/}), far less than a training step.
 */
public final class DataLoader implements AutoCloseable {
    /**
     * Loader settings; {@code paddedHeight x paddedWidth} is the batch frame (SPEC section 3: 256 x 320). A loader
     * reads shard {@code shard} of {@code shards} of every epoch's order (see {@link #shardOrder}); one shard of one
     * is the whole order.
     */
    public record Options(
            int batchSize,
            long seed,
            boolean shuffle,
            boolean flip,
            boolean dropLast,
            int workers,
            int prefetch,
            int paddedHeight,
            int paddedWidth,
            int shard,
            int shards) {
        public Options {
            if (batchSize < 1 || workers < 1 || prefetch < 1)
                throw new IllegalArgumentException("batch size, workers and prefetch must be positive: " + this);
            if (shards < 1 || shard < 0 || shard >= shards)
                throw new IllegalArgumentException("shard " + shard + " of " + shards + " does not exist");
        }

        /** Batches of {@code batchSize}, one worker, four batches ahead, the SPEC 256 x 320 frame, the whole order. */
        public static Options of(int batchSize, long seed, boolean shuffle, boolean flip) {
            return new Options(batchSize, seed, shuffle, flip, false, 1, 4, 256, 320, 0, 1);
        }

        public Options withWorkers(int n) {
            return new Options(
                    batchSize, seed, shuffle, flip, dropLast, n, prefetch, paddedHeight, paddedWidth, shard, shards);
        }

        public Options withDropLast(boolean drop) {
            return new Options(
                    batchSize, seed, shuffle, flip, drop, workers, prefetch, paddedHeight, paddedWidth, shard, shards);
        }

        /** Shard {@code index} of {@code count}: what one of {@code count} data-parallel replicas reads. */
        public Options withShard(int index, int count) {
            return new Options(
                    batchSize,
                    seed,
                    shuffle,
                    flip,
                    dropLast,
                    workers,
                    prefetch,
                    paddedHeight,
                    paddedWidth,
                    index,
                    count);
        }
    }

    private final Dataset dataset;
    private final Options options;
    private final ExecutorService pool;
    private final List<Thread> threads = new ArrayList<>();
    private final ThreadLocal<Events> scratch = ThreadLocal.withInitial(Events::new);

    public DataLoader(Dataset dataset, Options options) {
        if (options.paddedHeight() < dataset.height() || options.paddedWidth() < dataset.width()) {
            throw new IllegalArgumentException("batch frame " + options.paddedHeight() + "x" + options.paddedWidth()
                    + " is smaller than the " + dataset.height() + "x" + dataset.width() + " sensor");
        }
        if (options.shards() > 1 && dataset.size() < options.shards()) {
            throw new IllegalArgumentException("the split has " + dataset.size() + " samples, fewer than the "
                    + options.shards() + " replicas: the shard of replica " + dataset.size()
                    + " would be empty; use at most " + dataset.size() + " replicas");
        }
        this.dataset = dataset;
        this.options = options;
        this.pool = Executors.newFixedThreadPool(options.workers(), r -> {
            Thread t = new Thread(r, "scn-loader-" + threads.size());
            t.setDaemon(true);
            synchronized (threads) {
                threads.add(t);
            }
            return t;
        });
    }

    public int batchesPerEpoch() {
        int n = shardSize();
        return options.dropLast() ? n / options.batchSize() : (n + options.batchSize() - 1) / options.batchSize();
    }

    /** The sample order of an epoch: a seeded Fisher-Yates shuffle, or 0..n-1 without shuffling. */
    public int[] order(int epoch) {
        int[] order = new int[dataset.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        if (options.shuffle()) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = (int) Long.remainderUnsigned(mix(options.seed(), epoch, i), i + 1);
                int tmp = order[i];
                order[i] = order[j];
                order[j] = tmp;
            }
        }
        return order;
    }

    /** How many samples each shard holds: the same for all, so that replicas take their steps together. */
    public int shardSize() {
        return dataset.size() / options.shards();
    }

    /**
     * This loader's shard of epoch {@code epoch}'s order: every {@code shards}-th sample of it from position
     * {@code shard} on, {@link #shardSize()} of them. With several shards the last {@code size mod shards} samples of
     * the order (different ones each epoch) are left out, so that every replica has as many batches as the others.
     */
    public int[] shardOrder(int epoch) {
        int[] order = order(epoch);
        if (options.shards() == 1) return order;
        int[] shard = new int[shardSize()];
        for (int j = 0; j < shard.length; j++) shard[j] = order[options.shard() + j * options.shards()];
        return shard;
    }

    /** Whether sample {@code sample} is mirrored in epoch {@code epoch} (never, unless flipping is on). */
    public boolean flipped(int epoch, int sample) {
        return options.flip() && (mix(~options.seed(), epoch, sample) & 1) == 1;
    }

    /** The batches of one epoch, produced in the background as the caller iterates. */
    public Iterable<Batch> epoch(int epoch) {
        return () -> new EpochIterator(epoch);
    }

    /** CPU time the worker threads have used so far, in nanoseconds (-1 where the JVM cannot say). */
    public long workerCpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        synchronized (threads) {
            for (Thread t : threads) {
                long c = mx.getThreadCpuTime(t.threadId());
                if (c < 0 && t.isAlive()) return -1;
                sum += Math.max(0, c);
            }
        }
        return sum;
    }

    private final class EpochIterator implements Iterator<Batch> {
        private final int epoch;
        private final int[] order;
        private final int batches;
        private final ArrayDeque<Future<Batch>> ahead = new ArrayDeque<>();
        private int submitted;
        private int returned;

        EpochIterator(int epoch) {
            this.epoch = epoch;
            this.order = shardOrder(epoch);
            this.batches = batchesPerEpoch();
            fill();
        }

        private void fill() {
            while (submitted < batches && ahead.size() < options.prefetch()) {
                int from = submitted * options.batchSize();
                int to = Math.min(order.length, from + options.batchSize());
                ahead.add(pool.submit(() -> collate(epoch, order, from, to)));
                submitted++;
            }
        }

        @Override
        public boolean hasNext() {
            return returned < batches;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException();
            Future<Batch> f = ahead.poll();
            returned++;
            fill();
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a batch", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) throw new UncheckedIOException(io);
                if (e.getCause() instanceof RuntimeException re) throw re;
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    /** Encodes samples {@code order[from..to)} straight into the padded batch layout. */
    private Batch collate(int epoch, int[] order, int from, int to) throws IOException {
        int b = to - from;
        int ph = options.paddedHeight();
        int pw = options.paddedWidth();
        byte[] input = new byte[Encoder.STEPS * b * Encoder.CHANNELS * ph * pw]; // [T, B, C, PH, PW]
        float[][][] rows = new float[b][][]; // [B][n][5]
        String[] names = new String[b];
        long[] times = new long[b];
        int maxBoxes = 1;
        for (int i = 0; i < b; i++) {
            int s = order[from + i];
            rows[i] =
                    dataset.encodeInto(s, flipped(epoch, s), scratch.get(), input, Encoder.Layout.batch(i, b, ph, pw));
            names[i] = dataset.recordingName(s);
            times[i] = dataset.timestamp(s);
            maxBoxes = Math.max(maxBoxes, rows[i].length);
        }
        Tensor boxes = Tensor.zeros(b, maxBoxes, 5); // [B, N, 5]
        float[] d = boxes.data();
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < maxBoxes; j++) {
                int at = (i * maxBoxes + j) * 5;
                if (j < rows[i].length) System.arraycopy(rows[i][j], 0, d, at, 5);
                else d[at + 4] = -1f;
            }
        }
        return new Batch(SpikeTensor.wrap(input, Encoder.STEPS, b, Encoder.CHANNELS, ph, pw), boxes, names, times);
    }

    /** SplitMix64 of the three inputs: a well-mixed 64-bit value that depends only on them. */
    static long mix(long seed, long epoch, long index) {
        long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1) + 0xBF58476D1CE4E5B9L * (index + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
