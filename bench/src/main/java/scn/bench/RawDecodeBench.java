package scn.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import scn.data.events.DataFormatException;
import scn.data.events.Events;
import scn.data.raw.Evt2Decoder;
import scn.data.raw.Evt3Decoder;
import scn.data.raw.RawCheckpoint;
import scn.data.raw.RawDecoder;
import scn.data.raw.RawFormat;

/**
 * RAW decoding on one core, from memory: {@value #EVENTS} events of a {@link RawStreams} recording per
 * call, in chunks of {@value #CHUNK} words as {@code RawFile} reads them (each copied out of the
 * stream first, as {@code RawFile} copies it out of its read buffer), into one reused batch. The
 * score is events per second (one operation = one event). Goals: EVT 3.0 at least 150 M events/s (at
 * the typical density; {@code evt3Sparse} has fewer events per word), EVT 2.0 at least 200 M events/s.
 *
 * <p>{@code java -jar bench/target/benchmarks.jar RawDecodeBench}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx2g"})
@OperationsPerInvocation(RawDecodeBench.EVENTS)
public class RawDecodeBench {
    static final int EVENTS = 1 << 22;
    static final int CHUNK = 1 << 16;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private RawStreams.Stream evt2;
    private RawStreams.Stream evt3;
    private RawStreams.Stream evt3Sparse;
    private Evt2Decoder decoder2;
    private Evt3Decoder decoder3;
    private RawCheckpoint start2;
    private RawCheckpoint start3;
    private final Events out = new Events(12 * CHUNK);
    private final short[] chunk3 = new short[CHUNK];
    private final int[] chunk2 = new int[CHUNK];
    private long cpuAtStart; // ns of this thread's CPU time when the iteration began
    private long decodedInIteration;

    @Setup
    public void setUp() {
        evt2 = RawStreams.evt2(EVENTS, 1);
        evt3 = RawStreams.evt3(EVENTS, RawStreams.Density.TYPICAL, 2);
        evt3Sparse = RawStreams.evt3(EVENTS, RawStreams.Density.SPARSE, 3);
        Path mem = Path.of("memory");
        decoder2 = (Evt2Decoder) RawDecoder.create(RawFormat.EVT2, mem, RawStreams.WIDTH, RawStreams.HEIGHT, 0);
        decoder3 = (Evt3Decoder) RawDecoder.create(RawFormat.EVT3, mem, RawStreams.WIDTH, RawStreams.HEIGHT, 0);
        start2 = decoder2.checkpoint(0, 0);
        start3 = decoder3.checkpoint(0, 0);
        for (RawStreams.Stream s : new RawStreams.Stream[] {evt3, evt3Sparse}) {
            System.out.printf(
                    "%nEVT 3.0: %d words for %d events (%.2f bytes per event), %.2f events per vector word",
                    s.words(), EVENTS, 2.0 * s.words() / EVENTS, vectorEvents(s) / (double) s.vectorWords());
        }
        System.out.printf("%nEVT 2.0: %d words for %d events%n", evt2.words(), EVENTS);
    }

    /**
     * JMH's score is wall-clock time, and on a shared machine the benchmark thread also waits for a core;
     * so each iteration also prints what the thread's own CPU time gives (JMH runs these fixtures on it).
     */
    @Setup(Level.Iteration)
    public void startIteration() {
        cpuAtStart = THREADS.getCurrentThreadCpuTime();
        decodedInIteration = 0;
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        double seconds = (THREADS.getCurrentThreadCpuTime() - cpuAtStart) * 1e-9;
        System.out.printf("[CPU time: %.1f M events/s] ", decodedInIteration / seconds * 1e-6);
    }

    private static long vectorEvents(RawStreams.Stream s) {
        long n = 0;
        for (int i = 0; i < s.words(); i++) {
            int w = s.evt3()[i] & 0xFFFF;
            if (w >>> 12 == 0x4 || w >>> 12 == 0x5) n += Integer.bitCount(w & 0xFFF);
        }
        return n;
    }

    @Benchmark
    public long evt3() throws DataFormatException {
        return decode3(evt3);
    }

    /** Fewer events per word: the lower figure of the two. */
    @Benchmark
    public long evt3Sparse() throws DataFormatException {
        return decode3(evt3Sparse);
    }

    private long decode3(RawStreams.Stream stream) throws DataFormatException {
        decoder3.restore(start3);
        long decoded = 0;
        short[] words = stream.evt3();
        for (int from = 0; from < stream.words(); from += CHUNK) {
            int n = Math.min(CHUNK, stream.words() - from);
            out.clear();
            System.arraycopy(words, from, chunk3, 0, n); // as RawFile copies each chunk out of its read buffer
            decoder3.decode(chunk3, n, from, out);
            decoded += out.size();
        }
        return check(decoded);
    }

    @Benchmark
    public long evt2() throws DataFormatException {
        decoder2.restore(start2);
        long decoded = 0;
        int[] words = evt2.evt2();
        for (int from = 0; from < evt2.words(); from += CHUNK) {
            int n = Math.min(CHUNK, evt2.words() - from);
            out.clear();
            System.arraycopy(words, from, chunk2, 0, n);
            decoder2.decode(chunk2, n, from, out);
            decoded += out.size();
        }
        return check(decoded);
    }

    private long check(long decoded) {
        if (decoded != EVENTS) throw new IllegalStateException("decoded " + decoded + " events, not " + EVENTS);
        decodedInIteration += decoded;
        return decoded;
    }
}
