package scn.spark;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;
import scn.backend.Parallel;
import scn.dist.EngineVersion;
import scn.dist.Ring;
import scn.dist.TcpTransport;
import scn.train.Checkpoint;
import scn.train.TrainOptions;
import scn.train.Trainer;

/**
 * One replica of a data-parallel training run, as one task of a Spark barrier stage: it listens on a port of its
 * executor, learns the other replicas' addresses through {@link BarrierTaskContext#allGather}, joins their TCP ring
 * and trains with {@link Trainer} as replica {@code partitionId} of the stage's tasks.
 *
 * <p>Where it starts: from the run directory's own checkpoint when there is one, which is how a retried stage (Spark
 * resubmits the whole barrier stage when a task fails) continues from the last checkpoint; else from the checkpoint
 * the run was asked to resume, else from scratch. The replicas check before their first step that they agree on the
 * position and the weights, so two replicas that found different checkpoints fail rather than train apart.
 *
 * <p>Where it computes: on the device of the run's options when the command named one; else each replica on its
 * task's GPU, else the CPU, the replicas' devices gathered into one list in rank order ({@link TaskDevices#ofReplicas})
 * so that they agree on their options.
 *
 * <p>It returns one JSON line ({@link Report}) for the driver: which stage attempt it was, where it started, and a
 * chain of its weights' digests after every step, which the driver compares across replicas.
 */
final class ReplicaTask extends AbstractFunction1<Iterator<Integer>, Iterator<String>> implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Gson GSON = new Gson();

    private final String options; // TrainOptions as JSON: every field a plain value
    private final String resumeFrom; // null: a new run
    private final long connectTimeoutS, ioTimeoutS;
    private final boolean taskDevices; // each replica on its task's GPU, not on the options' device

    ReplicaTask(
            TrainOptions options, Path resumeFrom, Duration connectTimeout, Duration ioTimeout, boolean taskDevices) {
        this.options = GSON.toJson(options);
        this.taskDevices = taskDevices;
        this.resumeFrom = resumeFrom == null ? null : resumeFrom.toString();
        this.connectTimeoutS = connectTimeout.toSeconds();
        this.ioTimeoutS = ioTimeout.toSeconds();
    }

    /** What a replica tells the driver; {@code startStep} -1 for a start from scratch. */
    record Report(
            int rank,
            int stageAttempt,
            String startedFrom,
            long startStep,
            long steps,
            long stepsThisAttempt,
            String digestChain,
            boolean stopped,
            double valMap) {}

    @Override
    public Iterator<String> apply(Iterator<Integer> partition) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        TrainOptions o = GSON.fromJson(options, TrainOptions.class);
        if (taskDevices) o = o.withDevice(TaskDevices.ofReplicas(ctx));
        try {
            Report r = train(ctx, rank, o);
            return CollectionConverters.asScala(List.of(GSON.toJson(r)).iterator());
        } catch (IOException e) {
            throw new UncheckedIOException("replica " + rank + ": " + e.getMessage(), e);
        }
    }

    private Report train(BarrierTaskContext ctx, int rank, TrainOptions o) throws IOException {
        String host = host(ctx.getTaskInfos()[rank].address());
        TcpTransport transport;
        try (TcpTransport.Listener listener = TcpTransport.Listener.open(host)) {
            List<String> addresses = List.of(ctx.allGather(listener.address()));
            transport = listener.connect(
                    rank,
                    addresses,
                    EngineVersion.identity(),
                    Duration.ofSeconds(connectTimeoutS),
                    Duration.ofSeconds(ioTimeoutS));
        }
        try (Ring ring = new Ring(transport)) {
            Path own = Path.of(o.runDir()).resolve(Checkpoint.FILE);
            Path from = Files.isRegularFile(own) ? own : resumeFrom == null ? null : Path.of(resumeFrom);
            PrintStream out = rank == 0 ? System.out : new PrintStream(OutputStream.nullOutputStream());
            Trainer t = from == null
                    ? Trainer.start(o, out, ring)
                    : Trainer.resume(from, o.runDir(), o.device(), out, ring);
            long startStep = from == null ? -1 : t.stepsDone();
            DigestChain chain = new DigestChain();
            t.afterEachStep(() -> chain.add(t.weightsDigest()));
            Trainer.Summary s = computeAlone(ctx) ? Parallel.alone(() -> run(t)) : t.run();
            return new Report(
                    rank,
                    ctx.stageAttemptNumber(),
                    from == null ? null : from.toString(),
                    startStep,
                    s.steps(),
                    chain.count,
                    Long.toHexString(chain.value),
                    s.stopped(),
                    s.valMap());
        }
    }

    private static Trainer.Summary run(Trainer t) {
        try {
            return t.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether this replica computes on its task's thread alone: when Spark gave the task one CPU
     * ({@code spark.task.cpus}, 1 by default). The replicas of one executor then compute side by side, each on its own
     * core, instead of taking turns with the engine's whole thread team ({@link Parallel#exclusively}). Every task of
     * the stage has the same number of CPUs, so all replicas decide alike and stay bit-identical.
     */
    static boolean computeAlone(BarrierTaskContext ctx) {
        return ctx.cpus() == 1;
    }

    /** The host of a {@code host:port} address (an IPv6 host keeps its colons). */
    static String host(String address) {
        int colon = address.lastIndexOf(':');
        return colon < 0 ? address : address.substring(0, colon);
    }

    /** Folds the digest after every step into one value: equal chains mean equal weights after every step. */
    private static final class DigestChain {
        long value = 17, count;

        void add(long digest) {
            value = (Long.rotateLeft(value, 23) ^ digest) * 0x9E3779B97F4A7C15L;
            count++;
        }
    }
}
