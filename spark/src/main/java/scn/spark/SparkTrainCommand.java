package scn.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scn.cli.TrainArgs;
import scn.dist.TcpTransport;
import scn.train.Checkpoint;
import scn.train.TrainOptions;
import scn.train.Trainer;

/**
 * {@code engine-spark train}: the engine's {@code train}, with the same options, run as {@code --replicas}
 * data-parallel replicas on Spark ({@link DataParallelTraining}), each on its task's GPU, else the CPU, unless
 * {@code --device} names the devices (a list: one per replica in turn). Its run directory reads as a plain run's:
 * {@code summary.json} (with {@code replicas}), {@code metrics.jsonl}, plots, checkpoints, {@code model.safetensors}.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train as the engine's 'train' does, with --replicas data-parallel replicas as the tasks of a Spark barrier"
                    + " stage.",
            "Each replica reads its own shard of every epoch in batches of --batch; gradients are averaged every step."
        })
final class SparkTrainCommand implements Callable<Integer> {
    @Mixin
    TrainArgs args;

    @Option(
            names = "--replicas",
            description = "Data-parallel replicas, one per Spark task (default 2; a resumed run keeps its own).")
    Integer replicas;

    @Option(
            names = "--master",
            description = "Spark master when spark-submit gave none (default local[R], R the replicas).")
    String master;

    @Option(
            names = "--connect-timeout",
            description = "Seconds a replica waits for its neighbours to connect (default ${DEFAULT-VALUE}).")
    long connectTimeoutS = TcpTransport.CONNECT_TIMEOUT.toSeconds();

    @Option(
            names = "--io-timeout",
            description = "Seconds a replica waits on a silent neighbour, which may be evaluating or saving"
                    + " (default ${DEFAULT-VALUE}).")
    long ioTimeoutS = TcpTransport.IO_TIMEOUT.toSeconds();

    /**
     * A Spark context named {@code app}, on the master spark-submit gave, else on {@code master}, else on
     * {@code fallback} (local mode).
     */
    static JavaSparkContext context(String app, String master, String fallback) {
        SparkConf conf = new SparkConf().setAppName(app);
        if (!conf.contains("spark.master")) conf.setMaster(master != null ? master : fallback);
        return new JavaSparkContext(conf);
    }

    @Override
    public Integer call() throws IOException {
        TrainOptions o;
        Path resume = args.resume();
        try {
            if (resume != null) {
                if (args.protocolGiven()) {
                    System.err.println("train: a resumed run scores with the protocol stored in its checkpoint");
                    return 2;
                }
                o = Checkpoint.load(resume).options();
                if (args.device() != null) o = o.withDevice(args.device());
                if (args.runDirOrNull() != null) o = o.withPaths(o.data(), args.runDirOrNull(), o.distillFrom());
                if (replicas != null && replicas != o.replicas()) {
                    System.err.println("train: " + resume + " belongs to a run of " + o.replicas()
                            + " replicas; it goes on with as many (drop --replicas " + replicas + ")");
                    return 2;
                }
            } else {
                o = args.options().toBuilder()
                        .replicas(replicas == null ? 2 : replicas)
                        .build();
            }
        } catch (IllegalArgumentException e) {
            System.err.println("train: " + e.getMessage());
            return 2;
        }
        try (JavaSparkContext spark = context("scn-train", master, "local[" + o.replicas() + "]")) {
            System.out.printf(
                    "training %d replicas on %s, run directory %s%n", o.replicas(), spark.master(), o.runDir());
            DataParallelTraining.Outcome out = DataParallelTraining.run(
                    spark,
                    o,
                    resume,
                    Duration.ofSeconds(connectTimeoutS),
                    Duration.ofSeconds(ioTimeoutS),
                    args.device() == null);
            ReplicaTask.Report lead = out.lead();
            if (lead.stopped()) return 130;
            System.out.printf(
                    Locale.ROOT,
                    "done: %d steps (%d in the last stage attempt, %s); weights equal on all %d replicas after every"
                            + " step%nval mAP@[.5:.95] %.4f%nsummary: %s%n",
                    lead.steps(),
                    lead.stepsThisAttempt(),
                    lead.stageAttempt() == 0 ? "no retry" : "attempt " + (lead.stageAttempt() + 1),
                    out.replicas().size(),
                    lead.valMap(),
                    Path.of(o.runDir()).resolve(Trainer.SUMMARY));
            return 0;
        }
    }
}
