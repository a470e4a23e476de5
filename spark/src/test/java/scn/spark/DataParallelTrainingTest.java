package scn.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.tensor.Tensor;
import scn.train.Checkpoint;
import scn.train.MetricsLog;
import scn.train.TrainOptions;
import scn.train.Trainer;

/**
 * Data-parallel training on Spark in local mode, two replicas as two barrier tasks: the replicas' weights are equal
 * after every step and the loss falls; a replica's task killed in mid-run makes Spark retry the stage, which resumes
 * from the last checkpoint and ends with exactly the weights of an unbroken run.
 */
class DataParallelTrainingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    static Path tmp;

    private static JavaSparkContext spark;
    private static Path data;
    private static DataParallelTraining.Outcome unbroken;

    @BeforeAll
    static void start() {
        spark = LocalSpark.context();
        data = LocalSpark.data(); // 22 training samples, 11 per replica
    }

    /** Two epochs of 4 steps of batch 2 on each of 2 replicas, width 0.0625, a checkpoint every 2 steps. */
    private static TrainOptions options(Path runDir) {
        return TrainOptions.builder()
                .preset("test")
                .data(data.toString())
                .runDir(runDir.toString())
                .width(0.0625)
                .epochs(2)
                .stepsPerEpoch(4)
                .batch(2)
                .lr(1e-2f)
                .minLr(1e-4f)
                .headLrScale(10f)
                .seed(3)
                .evalEvery(0)
                .checkpointEvery(2)
                .flip(false)
                .replicas(2)
                .build();
    }

    private static synchronized DataParallelTraining.Outcome unbroken() throws IOException {
        if (unbroken == null)
            unbroken = DataParallelTraining.run(spark, options(tmp.resolve("unbroken")), null, TIMEOUT, TIMEOUT);
        return unbroken;
    }

    private static List<JsonObject> steps(Path runDir) throws IOException {
        return Files.readAllLines(runDir.resolve(MetricsLog.FILE)).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject())
                .filter(o -> o.get("type").getAsString().equals("step"))
                .toList();
    }

    @Test
    void replicasAreEqualAfterEveryStepAndTheLossFalls() throws IOException {
        DataParallelTraining.Outcome out = unbroken();
        assertEquals(2, out.replicas().size());
        for (ReplicaTask.Report r : out.replicas()) {
            assertEquals(0, r.stageAttempt(), "no retry");
            assertEquals(8, r.stepsThisAttempt());
            assertEquals(out.lead().digestChain(), r.digestChain(), "the weights' digests after every step");
        }
        Path run = tmp.resolve("unbroken");
        List<JsonObject> logged = steps(run);
        assertEquals(8, logged.size(), "one metrics line per step, from replica 0");
        double first = 0, last = 0;
        for (int i = 0; i < 3; i++) {
            first += logged.get(i).get("loss").getAsDouble() / 3;
            last += logged.get(7 - i).get("loss").getAsDouble() / 3;
        }
        assertTrue(last < first, "the mean loss should fall: first steps " + first + ", last steps " + last);
        JsonObject summary = JsonParser.parseString(Files.readString(run.resolve(Trainer.SUMMARY)))
                .getAsJsonObject();
        for (String key : new String[] {"val_map", "val_ap50", "protocol", "epochs", "steps", "seconds", "options"})
            assertTrue(summary.has(key), key);
        assertEquals(2, summary.get("replicas").getAsInt());
        assertEquals(2, summary.getAsJsonObject("options").get("replicas").getAsInt());
        assertTrue(Files.isRegularFile(run.resolve(Trainer.MODEL)));
    }

    @Test
    void aKilledTaskIsRetriedAndEndsWithTheUnbrokenRunsWeights() throws Exception {
        DataParallelTraining.Outcome whole = unbroken();
        Path run = tmp.resolve("killed");
        AtomicLong victim = new AtomicLong(-1);
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskStart(SparkListenerTaskStart e) {
                if (e.stageAttemptId() == 0 && e.taskInfo().index() == 1)
                    victim.set(e.taskInfo().taskId());
            }
        };
        spark.sc().addSparkListener(listener);
        AtomicBoolean killed = new AtomicBoolean();
        Thread killer = new Thread(() -> {
            // kill replica 1 once a checkpoint of step 2 or later exists: mid-run, with something to resume from
            while (!killed.get() && !Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(50);
                    Path ckpt = run.resolve(Checkpoint.FILE);
                    if (victim.get() >= 0
                            && Files.isRegularFile(ckpt)
                            && Checkpoint.load(ckpt).position().step() >= 2) {
                        killed.set(spark.sc().killTaskAttempt(victim.get(), true, "killed by the test"));
                    }
                } catch (IOException e) {
                    // the checkpoint was being replaced: look again
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        killer.start();
        DataParallelTraining.Outcome out;
        try {
            out = DataParallelTraining.run(spark, options(run), null, TIMEOUT, TIMEOUT);
        } finally {
            killer.interrupt();
            killer.join();
            spark.sc().removeSparkListener(listener);
        }
        assertTrue(killed.get(), "replica 1's task was killed");
        ReplicaTask.Report lead = out.lead();
        assertTrue(lead.stageAttempt() >= 1, "the stage was retried: " + lead);
        assertTrue(lead.startStep() >= 2 && lead.startStep() < 8, "resumed from a checkpoint: " + lead);
        assertEquals(8, lead.steps());
        assertEquals(8 - lead.startStep(), lead.stepsThisAttempt());

        Map<String, Tensor> a = Checkpoint.loadModel(tmp.resolve("unbroken").resolve(Trainer.MODEL))
                .stateDict();
        Map<String, Tensor> b = Checkpoint.loadModel(run.resolve(Trainer.MODEL)).stateDict();
        for (String name : a.keySet())
            assertArrayEquals(a.get(name).data(), b.get(name).data(), name);
        List<JsonObject> x = steps(tmp.resolve("unbroken")), y = steps(run);
        assertEquals(8, y.size(), "the log of the retried run continues from the checkpoint");
        for (int i = 0; i < 8; i++)
            assertEquals(x.get(i).get("loss").getAsFloat(), y.get(i).get("loss").getAsFloat(), "step " + (i + 1));
        assertEquals(whole.lead().steps(), lead.steps());
    }

    @Test
    void aRunDirectoryHoldingAnotherRunsCheckpointIsRefused() throws IOException {
        Path run = tmp.resolve("taken");
        Files.createDirectories(run);
        Files.writeString(run.resolve(Checkpoint.FILE), "not ours");
        IOException e = assertThrows(
                IOException.class, () -> DataParallelTraining.run(spark, options(run), null, TIMEOUT, TIMEOUT));
        assertTrue(e.getMessage().contains("already holds a checkpoint"), e.getMessage());
    }
}
