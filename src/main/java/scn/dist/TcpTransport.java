package scn.dist;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A ring of replicas over TCP: each replica listens on a port of its own ({@link Listener}), the replicas exchange
 * their addresses by other means (a Spark barrier's {@code allGather}, a test's list), then every replica connects to
 * the next one and accepts the previous one. The first message on each link is a greeting with the sender's place in
 * the ring and its {@link EngineVersion#identity() identity}; the receiver refuses a stranger, a ring of another
 * size or another engine, with both identities in the message, and the refusal travels back, so both replicas fail
 * saying the same.
 *
 * <p>Data moves through one selector loop on the calling thread, sending and receiving at once through two 4 MiB
 * staging buffers: a ring step sends as much as it receives, and two replicas that both only sent would stall once
 * the socket buffers filled. A link that makes no progress for the I/O timeout fails naming both addresses; so does a
 * connection not made within the connect timeout. An interrupted thread (a Spark task being killed) stops at once.
 */
public final class TcpTransport implements Transport {
    /** How long a replica waits for its neighbours to connect, by default. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    /**
     * How long a link may stay silent, by default. Long, because replica 0 evaluates and saves checkpoints while the
     * others wait in their next step's all-reduce; a replica that dies closes its sockets, which fails at once.
     */
    public static final Duration IO_TIMEOUT = Duration.ofMinutes(30);

    private static final int MAGIC = 0x53434e52; // "SCNR"
    private static final int STAGE_BYTES = 4 << 20;
    private static final int MAX_MESSAGE = 1 << 20;

    private final int rank;
    private final List<String> addresses;
    private final SocketChannel next, previous;
    private final Selector selector;
    private final SelectionKey sendKey, recvKey;
    private final Duration ioTimeout;
    private final ByteBuffer sendStage = ByteBuffer.allocateDirect(STAGE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer recvStage = ByteBuffer.allocateDirect(STAGE_BYTES).order(ByteOrder.LITTLE_ENDIAN);

    /** A replica's listening socket: opened first, so that its address can be published before anyone connects. */
    public static final class Listener implements AutoCloseable {
        private final ServerSocketChannel server;
        private final String address;

        private Listener(ServerSocketChannel server, String address) {
            this.server = server;
            this.address = address;
        }

        /** Listens on a free port of {@code host} (an address other replicas can reach this one by). */
        public static Listener open(String host) throws IOException {
            ServerSocketChannel s = ServerSocketChannel.open();
            try {
                s.bind(new InetSocketAddress(host, 0));
            } catch (IOException e) {
                s.close();
                throw new IOException("could not listen on " + host + ": " + e.getMessage(), e);
            }
            return new Listener(s, host + ":" + ((InetSocketAddress) s.getLocalAddress()).getPort());
        }

        /** {@code host:port}, to publish to the other replicas. */
        public String address() {
            return address;
        }

        /**
         * Joins the ring as replica {@code rank} of {@code addresses.size()}, {@code addresses.get(rank)} being this
         * listener's: connects to the next replica, accepts the previous one and checks both greetings. Closes the
         * listener.
         */
        public TcpTransport connect(
                int rank, List<String> addresses, String identity, Duration connectTimeout, Duration ioTimeout)
                throws IOException {
            int size = addresses.size();
            if (rank < 0 || rank >= size)
                throw new IllegalArgumentException("rank " + rank + " outside a ring of " + size);
            if (!addresses.get(rank).equals(address))
                throw new IllegalArgumentException(
                        "replica " + rank + " listens on " + address + ", not on " + addresses.get(rank));
            long deadline = System.nanoTime() + connectTimeout.toNanos();
            SocketChannel next = null, previous = null;
            try {
                int after = (rank + 1) % size, before = (rank - 1 + size) % size;
                next = dial(rank, after, addresses, deadline, connectTimeout);
                // the greeting is sent before accepting: every replica dials before it accepts, so had it waited
                // for the reply first, the ring would wait on itself
                writeFully(next, greeting(rank, size, identity));
                previous = accept(rank, before, addresses, deadline, connectTimeout);
                checkGreeting(previous, rank, before, size, identity, addresses, deadline);
                readReply(next, rank, after, addresses, deadline);
                return new TcpTransport(rank, addresses, next, previous, ioTimeout);
            } catch (IOException | RuntimeException e) {
                if (next != null) next.close();
                if (previous != null) previous.close();
                throw e;
            } finally {
                server.close();
            }
        }

        private SocketChannel accept(int rank, int before, List<String> addresses, long deadline, Duration timeout)
                throws IOException {
            server.configureBlocking(false);
            try (Selector sel = Selector.open()) {
                server.register(sel, SelectionKey.OP_ACCEPT);
                while (true) {
                    SocketChannel c = server.accept();
                    if (c != null) {
                        c.configureBlocking(true);
                        return c;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0)
                        throw new IOException(name(rank, addresses) + " waited " + timeout.toSeconds() + " s for "
                                + name(before, addresses) + " to connect");
                    sel.select(Math.max(1, left / 1_000_000));
                    sel.selectedKeys().clear();
                    if (Thread.currentThread().isInterrupted())
                        throw new InterruptedIOException(name(rank, addresses) + " was interrupted while connecting");
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private TcpTransport(
            int rank, List<String> addresses, SocketChannel next, SocketChannel previous, Duration ioTimeout)
            throws IOException {
        this.rank = rank;
        this.addresses = List.copyOf(addresses);
        this.next = next;
        this.previous = previous;
        this.ioTimeout = ioTimeout;
        for (SocketChannel c : List.of(next, previous)) {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true); // the agreement messages are small
            // room for a whole staging buffer, so that a write seldom waits for the reader to wake up; the
            // difference was within the noise of this machine (docs/SPARK.md)
            c.setOption(StandardSocketOptions.SO_SNDBUF, STAGE_BYTES);
            c.setOption(StandardSocketOptions.SO_RCVBUF, STAGE_BYTES);
            c.configureBlocking(false);
        }
        this.selector = Selector.open();
        this.sendKey = next.register(selector, 0);
        this.recvKey = previous.register(selector, 0);
    }

    private static SocketChannel dial(int rank, int after, List<String> addresses, long deadline, Duration timeout)
            throws IOException {
        InetSocketAddress target = parse(addresses.get(after));
        IOException last = null;
        while (System.nanoTime() < deadline) {
            SocketChannel c = SocketChannel.open();
            try {
                int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (deadline - System.nanoTime()) / 1_000_000));
                c.socket().connect(target, ms);
                return c;
            } catch (IOException e) {
                c.close();
                last = e;
                if (Thread.currentThread().isInterrupted())
                    throw new InterruptedIOException(name(rank, addresses) + " was interrupted while connecting");
                sleepBriefly(); // refused: the listener may not be up yet
            }
        }
        throw new IOException(
                name(rank, addresses) + " could not connect to " + name(after, addresses) + " within "
                        + timeout.toSeconds() + " s" + (last == null ? "" : ": " + last.getMessage()),
                last);
    }

    private static void sleepBriefly() throws InterruptedIOException {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting");
        }
    }

    private static InetSocketAddress parse(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("not a host:port address: '" + address + "'");
        try {
            return new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a host:port address: '" + address + "'", e);
        }
    }

    private static String name(int rank, List<String> addresses) {
        return "replica " + rank + " (" + addresses.get(rank) + ")";
    }

    private static ByteBuffer greeting(int rank, int size, String identity) {
        byte[] id = identity.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(16 + id.length);
        b.putInt(MAGIC).putInt(rank).putInt(size).putInt(id.length).put(id).flip();
        return b;
    }

    /** Reads the previous replica's greeting and answers it: an empty reply accepts, a message refuses. */
    private static void checkGreeting(
            SocketChannel c, int rank, int before, int size, String identity, List<String> addresses, long deadline)
            throws IOException {
        ByteBuffer head = readFully(c, 16, rank, before, addresses, deadline);
        String problem = null;
        if (head.getInt() != MAGIC) {
            problem = "something other than a replica connected to " + name(rank, addresses);
        } else {
            int theirRank = head.getInt(), theirSize = head.getInt(), n = head.getInt();
            if (n < 0 || n > MAX_MESSAGE) problem = "a greeting of " + n + " bytes reached " + name(rank, addresses);
            else {
                String theirs = StandardCharsets.UTF_8
                        .decode(readFully(c, n, rank, before, addresses, deadline))
                        .toString();
                if (theirSize != size || theirRank != before)
                    problem = "replica " + theirRank + " of a ring of " + theirSize + " connected to "
                            + name(rank, addresses) + ", which expected replica " + before + " of " + size;
                else if (!theirs.equals(identity))
                    problem = name(before, addresses) + " runs " + theirs + " but " + name(rank, addresses) + " runs "
                            + identity + ": all replicas must run the same build";
            }
        }
        byte[] reply = problem == null ? new byte[0] : problem.getBytes(StandardCharsets.UTF_8);
        writeFully(
                c,
                ByteBuffer.allocate(4 + reply.length)
                        .putInt(reply.length)
                        .put(reply)
                        .flip());
        if (problem != null) throw new IOException(problem);
    }

    private static void readReply(SocketChannel c, int rank, int after, List<String> addresses, long deadline)
            throws IOException {
        int n = readFully(c, 4, rank, after, addresses, deadline).getInt();
        if (n < 0 || n > MAX_MESSAGE)
            throw new IOException("a reply of " + n + " bytes reached " + name(rank, addresses));
        if (n > 0)
            throw new IOException(StandardCharsets.UTF_8
                    .decode(readFully(c, n, rank, after, addresses, deadline))
                    .toString());
    }

    /** Reads {@code n} bytes of the handshake (blocking, with the socket's timeout set to what is left). */
    private static ByteBuffer readFully(
            SocketChannel c, int n, int rank, int peer, List<String> addresses, long deadline) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        // a blocking channel ignores the socket's read timeout, so the handshake reads through a selector too
        c.configureBlocking(false);
        try (Selector sel = Selector.open()) {
            c.register(sel, SelectionKey.OP_READ);
            while (b.hasRemaining()) {
                if (c.read(b) < 0)
                    throw new IOException(name(peer, addresses) + " closed its link to " + name(rank, addresses)
                            + " during the greeting");
                if (!b.hasRemaining()) break;
                long left = deadline - System.nanoTime();
                if (left <= 0)
                    throw new IOException(
                            name(rank, addresses) + " got no greeting from " + name(peer, addresses) + " in time");
                sel.select(Math.max(1, left / 1_000_000));
                sel.selectedKeys().clear();
                if (Thread.currentThread().isInterrupted())
                    throw new InterruptedIOException(name(rank, addresses) + " was interrupted while connecting");
            }
        }
        c.configureBlocking(true); // the selector is closed, so the channel is registered nowhere
        return b.flip();
    }

    private static void writeFully(SocketChannel c, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) c.write(b); // a greeting is small: it fits the socket's buffer at once
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return addresses.size();
    }

    @Override
    public void exchange(float[] send, int sendFrom, int sendCount, float[] recv, int recvFrom, int recvCount)
            throws IOException {
        int sent = 0, received = 0; // floats taken from send / put into recv
        sendStage.clear().limit(0);
        recvStage.clear();
        long lastProgress = System.nanoTime();
        while (sent < sendCount || sendStage.hasRemaining() || received < recvCount) {
            if (!sendStage.hasRemaining() && sent < sendCount) {
                int n = Math.min(sendCount - sent, STAGE_BYTES / 4);
                sendStage.clear();
                sendStage.asFloatBuffer().put(send, sendFrom + sent, n);
                sendStage.limit(4 * n);
                sent += n;
            }
            boolean progress = false;
            if (sendStage.hasRemaining()) progress |= next.write(sendStage) > 0;
            if (received < recvCount) {
                int want = Math.min(4 * (recvCount - received), STAGE_BYTES);
                if (recvStage.limit() != want && recvStage.position() == 0) recvStage.limit(want);
                int got = previous.read(recvStage);
                if (got < 0) throw closed();
                progress |= got > 0;
                if (!recvStage.hasRemaining()) {
                    recvStage.flip();
                    int n = recvStage.remaining() / 4;
                    recvStage.asFloatBuffer().get(recv, recvFrom + received, n);
                    received += n;
                    recvStage.clear();
                }
            }
            if (progress) {
                lastProgress = System.nanoTime();
                continue;
            }
            waitForProgress(sendStage.hasRemaining(), received < recvCount, lastProgress);
        }
    }

    @Override
    public byte[] exchange(byte[] message) throws IOException {
        if (message.length > MAX_MESSAGE)
            throw new IllegalArgumentException("a message of " + message.length + " bytes; at most " + MAX_MESSAGE);
        ByteBuffer out = ByteBuffer.allocate(4 + message.length)
                .putInt(message.length)
                .put(message)
                .flip();
        ByteBuffer head = ByteBuffer.allocate(4);
        ByteBuffer body = null;
        long lastProgress = System.nanoTime();
        while (out.hasRemaining() || body == null || body.hasRemaining()) {
            boolean progress = out.hasRemaining() && next.write(out) > 0;
            ByteBuffer in = body == null ? head : body;
            if (in.hasRemaining()) {
                int got = previous.read(in);
                if (got < 0) throw closed();
                progress |= got > 0;
            }
            if (body == null && !head.hasRemaining()) {
                int n = head.flip().getInt();
                if (n < 0 || n > MAX_MESSAGE)
                    throw new IOException("a message of " + n + " bytes from " + describe(previousRank()));
                body = ByteBuffer.allocate(n);
                progress = true;
            }
            if (progress) {
                lastProgress = System.nanoTime();
                continue;
            }
            waitForProgress(out.hasRemaining(), body == null || body.hasRemaining(), lastProgress);
        }
        return body.array();
    }

    private void waitForProgress(boolean sending, boolean receiving, long lastProgress) throws IOException {
        if (Thread.currentThread().isInterrupted())
            throw new InterruptedIOException(describe(rank) + " was interrupted during an exchange");
        long left = lastProgress + ioTimeout.toNanos() - System.nanoTime();
        if (left <= 0) {
            throw new IOException(describe(rank) + " made no progress for " + ioTimeout.toSeconds() + " s "
                    + (receiving
                            ? "receiving from " + describe(previousRank())
                            : "sending to " + describe((rank + 1) % size())));
        }
        sendKey.interestOps(sending ? SelectionKey.OP_WRITE : 0);
        recvKey.interestOps(receiving ? SelectionKey.OP_READ : 0);
        selector.select(Math.max(1, Math.min(left / 1_000_000, 1000)));
        selector.selectedKeys().clear();
    }

    private IOException closed() {
        return new IOException(
                describe(previousRank()) + " closed its link to " + describe(rank) + " (it failed or was stopped)");
    }

    private int previousRank() {
        return (rank - 1 + size()) % size();
    }

    @Override
    public String describe(int r) {
        return name(r, addresses);
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {selector, next, previous}) {
            try {
                c.close();
            } catch (Exception e) {
                // closing after a failure: the first error is the one worth reporting
            }
        }
    }
}
