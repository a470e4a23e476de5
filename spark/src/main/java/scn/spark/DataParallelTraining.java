package scn.spark;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scn.data.synth.SyntheticDataset;
import scn.train.Checkpoint;
import scn.train.TrainOptions;

/**
 * The driver's side of data-parallel training on Spark: one barrier stage of {@link TrainOptions#replicas()} tasks,
 * each a {@link ReplicaTask}, all started together (barrier mode) and, when one fails or is killed, all restarted
 * together by Spark, from the run directory's last checkpoint.
 *
 * <p>Why the stage ends in a shuffle: Spark retries a failed barrier stage only when it is a shuffle-map stage; a
 * barrier result stage fails the job at the first lost task ("Could not recover from a failed barrier ResultStage",
 * measured with Spark 4.2.0). The replicas' reports therefore go through {@code repartition(1)} to the driver.
 * Retries are counted by {@code spark.stage.maxConsecutiveAttempts} (4 by default).
 */
public final class DataParallelTraining {
    private static final Gson GSON = new Gson();
    private static final ClassTag<String> STRING = ClassTag$.MODULE$.apply(String.class);

    private DataParallelTraining() {}

    /** What came back: every replica's report of the attempt that finished, in rank order. */
    public record Outcome(List<ReplicaTask.Report> replicas) {
        /** Replica 0's report: the one that wrote the run directory. */
        public ReplicaTask.Report lead() {
            return replicas.get(0);
        }
    }

    /**
     * Trains {@code options} ({@code options.replicas()} replicas) on {@code spark}, from scratch or, with
     * {@code resumeFrom}, from that checkpoint, each replica on its task's GPU, else the CPU; fails if the replicas'
     * weights were not the same after every step.
     */
    public static Outcome run(
            JavaSparkContext spark, TrainOptions options, Path resumeFrom, Duration connectTimeout, Duration ioTimeout)
            throws IOException {
        return run(spark, options, resumeFrom, connectTimeout, ioTimeout, true);
    }

    /**
     * As {@link #run(JavaSparkContext, TrainOptions, Path, Duration, Duration)}; with {@code taskDevices} false every
     * replica computes where {@code options.device()} says (a list: one entry per replica in turn).
     */
    public static Outcome run(
            JavaSparkContext spark,
            TrainOptions options,
            Path resumeFrom,
            Duration connectTimeout,
            Duration ioTimeout,
            boolean taskDevices)
            throws IOException {
        TrainOptions o = options;
        if (o.data() == null) // the built-in set, made here; replicas elsewhere must see this path too
        o = o.withPaths(SyntheticDataset.ensureDefault().toString(), o.runDir(), o.distillFrom());
        Path runDir = Path.of(o.runDir());
        Path own = runDir.resolve(Checkpoint.FILE);
        if (Files.exists(own) && (resumeFrom == null || !Files.isSameFile(own, resumeFrom))) {
            // a retried stage resumes from the run directory's checkpoint: one from another run must not be there
            throw new IOException("the run directory " + runDir + " already holds a checkpoint; continue that run with"
                    + " --resume " + own + " or choose another --run-dir");
        }
        Files.createDirectories(runDir);
        int n = o.replicas();
        ReplicaTask task = new ReplicaTask(o, resumeFrom, connectTimeout, ioTimeout, taskDevices);
        List<Integer> ranks = IntStream.range(0, n).boxed().toList();
        RDD<String> reports = spark.parallelize(ranks, n).rdd().barrier().mapPartitions(task, false, STRING);
        List<ReplicaTask.Report> got = new ArrayList<>();
        for (String line : JavaRDD.fromRDD(reports, STRING).repartition(1).collect())
            got.add(GSON.fromJson(line, ReplicaTask.Report.class));
        got.sort(Comparator.comparingInt(ReplicaTask.Report::rank));
        check(got, n);
        return new Outcome(List.copyOf(got));
    }

    /** The replicas of the finished attempt must have taken as many steps and had the same weights after each. */
    private static void check(List<ReplicaTask.Report> reports, int n) throws IOException {
        if (reports.size() != n)
            throw new IOException(n + " replicas were started but " + reports.size() + " reported");
        ReplicaTask.Report first = reports.get(0);
        for (ReplicaTask.Report r : reports) {
            if (r.stageAttempt() != first.stageAttempt()
                    || r.stepsThisAttempt() != first.stepsThisAttempt()
                    || !r.digestChain().equals(first.digestChain())) {
                throw new IOException("replicas 0 and " + r.rank() + " did not end alike: " + first + " against " + r);
            }
        }
    }
}
