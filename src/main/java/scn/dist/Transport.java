package scn.dist;

import java.io.IOException;

/**
 * A replica's two links in a ring of {@link #size()} replicas: it sends to replica {@code rank + 1} and receives from
 * replica {@code rank - 1} (both mod {@code size}). Only what {@link Ring}'s all-reduce and its agreement checks need:
 * a full-duplex exchange of floats and of short messages. {@link TcpTransport} connects processes (or Spark tasks);
 * {@link MemoryTransport} connects threads of one process, for tests.
 *
 * <p>No call waits for ever: an implementation gives up after a stated time, naming both replicas, and a closed or
 * failed link is an {@link IOException} on the replicas beside it.
 */
public interface Transport extends AutoCloseable {
    /** This replica's place in the ring, {@code [0, size())}. */
    int rank();

    /** How many replicas the ring holds. */
    int size();

    /**
     * Sends {@code send[sendFrom, sendFrom + sendCount)} to the next replica while receiving {@code recvCount} floats
     * from the previous one into {@code recv[recvFrom, …)}; returns when both are done. The previous replica sends
     * exactly {@code recvCount} floats in its matching call. The two ranges must not overlap.
     */
    void exchange(float[] send, int sendFrom, int sendCount, float[] recv, int recvFrom, int recvCount)
            throws IOException;

    /** Sends a short message to the next replica and returns the one the previous replica sent. */
    byte[] exchange(byte[] message) throws IOException;

    /** Replica {@code rank} for messages, with its address where it has one: {@code replica 1 (10.0.0.2:40123)}. */
    String describe(int rank);

    /** Closes both links; the neighbours' next exchange fails. */
    @Override
    void close();
}
