package scn.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The worker team: every task index exactly once, chunks by cost, failures passed on, nesting and concurrent callers.
 */
class ParallelTest {
    private record Chunk(int worker, int from, int to) {}

    private static List<Chunk> chunks(int n, long[] cost) {
        List<Chunk> seen = Collections.synchronizedList(new ArrayList<>());
        Parallel.RangeBody body = (worker, from, to) -> seen.add(new Chunk(worker, from, to));
        if (cost == null) Parallel.forEach(n, body);
        else Parallel.forEachBalanced(cost, body);
        List<Chunk> sorted = new ArrayList<>(seen);
        // An empty chunk starts where the next one does; whichever worker recorded first, it sorts first.
        sorted.sort(
                (a, b) -> a.from() != b.from() ? Integer.compare(a.from(), b.from()) : Integer.compare(a.to(), b.to()));
        return sorted;
    }

    private static void assertCovers(int n, List<Chunk> chunks) {
        int next = 0;
        for (Chunk c : chunks) {
            assertEquals(next, c.from(), "chunks must tile [0, n) in order: " + chunks);
            assertTrue(c.to() >= c.from(), chunks::toString);
            next = c.to();
        }
        assertEquals(n, next, chunks::toString);
        assertTrue(chunks.size() <= Parallel.threads(), chunks::toString);
    }

    @Test
    void everyIndexOnceInContiguousChunksWithDistinctWorkers() {
        for (int n : new int[] {1, 2, 3, 7, 10, 1000}) {
            List<Chunk> c = chunks(n, null);
            assertCovers(n, c);
            assertEquals(
                    c.size(), c.stream().map(Chunk::worker).distinct().count(), "worker ids must be distinct: " + c);
            assertEquals(0, c.get(0).worker(), "the caller runs the first chunk as worker 0");
        }
        assertTrue(chunks(0, null).isEmpty());
    }

    @Test
    void sumsAgreeWithASerialLoop() {
        int n = 100_003;
        double[] partial = new double[Parallel.threads()];
        Parallel.forEach(n, (w, from, to) -> {
            for (int i = from; i < to; i++) partial[w] += i;
        });
        double sum = 0;
        for (double p : partial) sum += p;
        assertEquals((double) n * (n - 1) / 2, sum);
    }

    @Test
    void balancedChunksSplitTheCostNotTheCount() {
        // ten tasks, the last five four times as costly (the time steps that fire most)
        long[] cost = {1, 1, 1, 1, 1, 4, 4, 4, 4, 4};
        List<Chunk> c = chunks(cost.length, cost);
        assertCovers(cost.length, c);
        if (Parallel.threads() == 2) {
            long first = 0;
            for (int i = c.get(0).from(); i < c.get(0).to(); i++) first += cost[i];
            assertEquals(7, c.get(0).to(), "the first chunk takes the cheap tasks and one costly one: " + c);
            assertEquals(13, first, "13 against 12, where an equal count of tasks would split 9 against 16");
        }
        assertArrayEquals(c.toArray(), chunks(cost.length, cost).toArray(), "the split depends only on the costs");
    }

    @Test
    void balancedChunksCoverOddCosts() {
        long[][] cases = {{0, 0, 0}, {5}, {0, 0, 9}, {9, 0, 0}, {1, 100}, {100, 1}, {3, 3, 3, 3, 3}};
        for (long[] cost : cases) assertCovers(cost.length, chunks(cost.length, cost));
        assertTrue(chunks(0, new long[0]).isEmpty());
    }

    @Test
    void aFailureInAnyChunkReachesTheCaller() {
        IllegalStateException boom = new IllegalStateException("boom");
        int n = 10;
        for (int failing = 0; failing < n; failing++) {
            int f = failing;
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> Parallel.forEach(n, (w, from, to) -> {
                        if (from <= f && f < to) throw boom;
                    }));
            assertSame(boom, e);
        }
        // the team still works afterwards
        assertCovers(n, chunks(n, null));
    }

    @Test
    void nestedAndConcurrentCallsRunInline() throws Exception {
        AtomicInteger inner = new AtomicInteger();
        Parallel.forEach(4, (w, from, to) -> {
            for (int i = from; i < to; i++) Parallel.forEach(5, (w2, f2, t2) -> inner.addAndGet(t2 - f2));
        });
        assertEquals(20, inner.get());

        AtomicInteger total = new AtomicInteger();
        Thread[] callers = new Thread[4];
        for (int k = 0; k < callers.length; k++) {
            callers[k] = new Thread(() -> {
                for (int r = 0; r < 200; r++) Parallel.forEach(50, (w, from, to) -> total.addAndGet(to - from));
            });
            callers[k].start();
        }
        for (Thread t : callers) t.join();
        assertEquals(4 * 200 * 50, total.get());
    }

    @Test
    void computationsAloneRunSideBySideOnTheirOwnThreads() throws Exception {
        // Two callers inside alone() must both be inside exclusively() at once (taking turns, the second would wait
        // for the first, which waits for the second at the barrier), and each loop runs as one chunk on its caller.
        CyclicBarrier both = new CyclicBarrier(2);
        List<Chunk> seen = Collections.synchronizedList(new ArrayList<>());
        List<Thread> ran = Collections.synchronizedList(new ArrayList<>());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            Thread[] callers = new Thread[2];
            Throwable[] failed = new Throwable[2];
            for (int k = 0; k < 2; k++) {
                int id = k;
                callers[k] = new Thread(() -> {
                    try {
                        Parallel.alone(() -> Parallel.exclusively(() -> {
                            Parallel.forEach(64, (w, from, to) -> {
                                seen.add(new Chunk(w, from, to));
                                ran.add(Thread.currentThread());
                            });
                            try {
                                both.await(10, TimeUnit.SECONDS);
                            } catch (Exception e) {
                                throw new IllegalStateException("the other computation did not run beside this one", e);
                            }
                            return null;
                        }));
                    } catch (Throwable t) {
                        failed[id] = t;
                    }
                });
                callers[k].start();
            }
            for (Thread t : callers) t.join();
            for (Throwable t : failed) if (t != null) throw t;
            assertEquals(List.of(new Chunk(0, 0, 64), new Chunk(0, 0, 64)), seen);
            assertEquals(Set.of(callers[0], callers[1]), Set.copyOf(ran));
        });
    }

    @Test
    void aCallerWaitingLongParksAndIsWokenWhenTheWorkerFinishes() {
        assumeTrue(Parallel.threads() >= 2, "needs a worker");
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (int round = 0; round < 3; round++) {
                long cpuBefore = cpu.getCurrentThreadCpuTime();
                long start = System.nanoTime();
                Parallel.forEach(2, (w, from, to) -> {
                    if (w != 0) LockSupport.parkNanos(60_000_000L); // the worker's chunk takes 60 ms
                });
                long wallMs = (System.nanoTime() - start) / 1_000_000;
                long cpuMs = (cpu.getCurrentThreadCpuTime() - cpuBefore) / 1_000_000;
                assertTrue(wallMs >= 60, "the call returned before its worker finished: " + wallMs + " ms");
                // spinning through the wait would cost the caller ~60 ms of CPU; parked, it costs the 2 ms
                // of polling before it parks
                assertTrue(cpuMs < 30, "the caller spent " + cpuMs + " ms of CPU waiting " + wallMs + " ms");
            }
        });
    }
}
