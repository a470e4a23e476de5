package scn.dist;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A ring of replicas that are threads of one process: each link is a queue of messages. Messages are copies, so
 * a replica may change its buffers as soon as {@link #exchange} returns, as over a socket. For tests, and for the
 * all-reduce's reference behaviour without a network.
 */
public final class MemoryTransport implements Transport {
    /**
     * Closing a link puts this in its queue behind what was sent before, so that the replica waiting on it reads those
     * messages and then fails at once.
     */
    private static final Object CLOSED = new Object();

    private final int rank;
    private final BlockingQueue<Object>[] inbox; // inbox[r]: what replica r receives from replica r - 1
    private final Duration timeout;

    private MemoryTransport(int rank, BlockingQueue<Object>[] inbox, Duration timeout) {
        this.rank = rank;
        this.inbox = inbox;
        this.timeout = timeout;
    }

    /** The {@code size} connected ends of a new ring, in rank order; an exchange waits at most {@code timeout}. */
    public static List<Transport> ring(int size, Duration timeout) {
        if (size < 1) throw new IllegalArgumentException("a ring needs at least one replica, got " + size);
        @SuppressWarnings("unchecked")
        BlockingQueue<Object>[] inbox = new BlockingQueue[size];
        for (int r = 0; r < size; r++) inbox[r] = new LinkedBlockingQueue<>();
        List<Transport> ends = new ArrayList<>();
        for (int r = 0; r < size; r++) ends.add(new MemoryTransport(r, inbox, timeout));
        return ends;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return inbox.length;
    }

    @Override
    public void exchange(float[] send, int sendFrom, int sendCount, float[] recv, int recvFrom, int recvCount)
            throws IOException {
        put(Arrays.copyOfRange(send, sendFrom, sendFrom + sendCount));
        if (!(take() instanceof float[] got) || got.length != recvCount)
            throw new IllegalStateException(
                    describe(rank) + " expected " + recvCount + " floats from " + describe(previous()));
        System.arraycopy(got, 0, recv, recvFrom, recvCount);
    }

    @Override
    public byte[] exchange(byte[] message) throws IOException {
        put(message.clone());
        if (!(take() instanceof byte[] got))
            throw new IllegalStateException(describe(rank) + " expected a message from " + describe(previous()));
        return got;
    }

    private int previous() {
        return (rank - 1 + size()) % size();
    }

    private void put(Object message) {
        // unbounded, as a socket's buffer is to a short message: each round puts one message on each link
        inbox[(rank + 1) % size()].add(message);
    }

    private Object take() throws IOException {
        Object got;
        try {
            got = inbox[rank].poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(describe(rank) + " was interrupted while receiving");
        }
        if (got == null)
            throw new IOException(describe(rank) + " received nothing from " + describe(previous()) + " within "
                    + timeout.toSeconds() + " s");
        if (got == CLOSED) {
            inbox[rank].offer(CLOSED); // later calls fail the same way
            throw new IOException(describe(previous()) + " closed its link to " + describe(rank));
        }
        return got;
    }

    @Override
    public String describe(int r) {
        return "replica " + r + " (in-memory)";
    }

    @Override
    public void close() {
        inbox[(rank + 1) % size()].add(CLOSED);
    }
}
