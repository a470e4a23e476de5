package scn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.TestUtil;
import scn.autograd.Parameter;
import scn.dist.MemoryTransport;
import scn.dist.Ring;
import scn.dist.TcpTransport;
import scn.dist.Transport;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.SpikeTensor;
import scn.tensor.Tensor;

/**
 * Synchronous data-parallel training with replicas as threads of this process: the averaged gradient is exactly the
 * mean of the replicas' own, the replicas' weights are bit-identical after every step while the loss falls, a stopped
 * run resumes to the same weights as an unbroken one, and bad set-ups are refused before the first step.
 */
class ReplicaTrainingTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    private static final Duration WAIT = Duration.ofSeconds(120);
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @TempDir
    Path tmp;

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** Runs {@code work} for every replica of a ring at once and returns their results in rank order. */
    private <T> List<T> onEveryReplica(List<Transport> ring, Function<Ring, Callable<T>> work) throws Exception {
        List<Future<T>> running = new ArrayList<>();
        for (Transport t : ring) running.add(pool.submit(work.apply(new Ring(t))));
        List<T> results = new ArrayList<>();
        try {
            for (Future<T> f : running) results.add(f.get());
        } finally {
            ring.forEach(Transport::close);
        }
        return results;
    }

    private List<Transport> tcpRing(int size) throws IOException {
        List<TcpTransport.Listener> listeners = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            listeners.add(TcpTransport.Listener.open("127.0.0.1"));
            addresses.add(listeners.get(r).address());
        }
        List<Future<Transport>> connecting = new ArrayList<>();
        for (int r = 0; r < size; r++) {
            int rank = r;
            connecting.add(
                    pool.submit(() -> (Transport) listeners.get(rank).connect(rank, addresses, "test", WAIT, WAIT)));
        }
        List<Transport> ring = new ArrayList<>();
        try {
            for (Future<Transport> f : connecting) ring.add(f.get());
        } catch (InterruptedException | ExecutionException e) {
            throw new IOException(e);
        }
        return ring;
    }

    @Test
    void theAveragedGradientIsExactlyTheMeanOfTheReplicasOwn() throws Exception {
        ModelConfig tiny = new ModelConfig(0.0625, 1.5, 5, 2, false);
        float[] boxes = {20, 30, 60, 40, 0, 150, 100, 20, 50, 1, 200, 120, 40, 40, 0, 0, 0, 0, 0, -1};
        record Seen(List<float[]> own, List<float[]> averaged, TrainStep.Losses ownLoss, TrainStep.Losses mean) {}
        // over TCP, as on Spark: the transport must carry every bit
        List<Seen> seen = onEveryReplica(tcpRing(2), ring -> () -> {
            SpikingCenterNet model = new SpikingCenterNet(tiny, 4); // the same weights on both
            TrainStep step = new TrainStep(model, 1e-4f, null, 10f);
            ReplicaTraining replica = new ReplicaTraining(LocalTraining.onCpu(step), ring, () -> false);
            SpikeTensor x = SpikeTensor.fromFloat(TestUtil.randomSpikes(10 + ring.rank(), 0.03, 5, 2, 4, 256, 320));
            TrainStep.Losses own = step.gradients(x, Tensor.wrap(boxes.clone(), 2, 2, 5));
            List<float[]> ownGrads = new ArrayList<>();
            for (Parameter p : model.parameters()) ownGrads.add(p.grad().data().clone());
            TrainStep.Losses mean = replica.average(own);
            List<float[]> averaged = new ArrayList<>();
            for (Parameter p : model.parameters()) averaged.add(p.grad().data().clone());
            return new Seen(ownGrads, averaged, own, mean);
        });
        Seen a = seen.get(0), b = seen.get(1);
        assertNotEquals(a.ownLoss().total(), b.ownLoss().total(), "the replicas saw different batches");
        // two replicas: one float addition per element, which commutes, and a halving, which is exact
        for (int i = 0; i < a.own().size(); i++) {
            float[] want = new float[a.own().get(i).length];
            for (int j = 0; j < want.length; j++)
                want[j] = (a.own().get(i)[j] + b.own().get(i)[j]) / 2;
            assertArrayEquals(want, a.averaged().get(i), "parameter " + i + " on replica 0");
            assertArrayEquals(want, b.averaged().get(i), "parameter " + i + " on replica 1");
        }
        assertEquals((a.ownLoss().total() + b.ownLoss().total()) / 2, a.mean().total());
        assertEquals(
                (a.ownLoss().heatmap() + b.ownLoss().heatmap()) / 2, b.mean().heatmap());
    }

    /** Every parameter's values after every step of one replica, in step order. */
    private static List<List<float[]>> recordSteps(Trainer t) {
        List<List<float[]>> steps = new ArrayList<>();
        t.afterEachStep(() -> {
            List<float[]> now = new ArrayList<>();
            for (Parameter p : t.model().parameters()) now.add(p.value().data().clone());
            steps.add(now);
        });
        return steps;
    }

    private static List<JsonObject> steps(Path runDir) throws IOException {
        return Files.readAllLines(runDir.resolve(MetricsLog.FILE)).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject())
                .filter(o -> o.get("type").getAsString().equals("step"))
                .toList();
    }

    @Test
    void replicasOverTcpStayBitIdenticalAfterEveryStepWhileTheLossFalls() throws Exception {
        Path run = tmp.resolve("run");
        // 22 training samples, 11 per replica: 3 epochs of 3 steps of batch 2 on each replica
        TrainOptions o =
                TinyData.options(run, 3, 3).toBuilder().batch(2).replicas(2).build();
        List<List<List<float[]>>> perReplica = onEveryReplica(tcpRing(2), ring -> () -> {
            Trainer t = Trainer.start(o, QUIET, ring);
            List<List<float[]>> seen = recordSteps(t);
            assertFalse(t.run().stopped());
            return seen;
        });
        assertEquals(9, perReplica.get(0).size(), "3 epochs of 3 steps");
        for (int s = 0; s < 9; s++) {
            for (int i = 0; i < perReplica.get(0).get(s).size(); i++)
                assertArrayEquals(
                        perReplica.get(0).get(s).get(i),
                        perReplica.get(1).get(s).get(i),
                        "parameter " + i + " after step " + (s + 1));
        }
        List<JsonObject> logged = steps(run);
        assertEquals(9, logged.size(), "replica 0 alone writes the metrics");
        double first = 0, last = 0;
        for (int i = 0; i < 3; i++) {
            first += logged.get(i).get("loss").getAsDouble() / 3;
            last += logged.get(8 - i).get("loss").getAsDouble() / 3;
        }
        assertTrue(last < first, "the mean loss should fall: first steps " + first + ", last steps " + last);
        JsonObject summary = JsonParser.parseString(Files.readString(run.resolve(Trainer.SUMMARY)))
                .getAsJsonObject();
        assertEquals(2, summary.get("replicas").getAsInt());
        assertEquals(9, summary.get("steps").getAsInt());
        assertTrue(Files.isRegularFile(run.resolve(Trainer.MODEL)));
    }

    private Map<String, Tensor> twoReplicas(TrainOptions o, long stopAfter, Path resumeFrom) throws Exception {
        onEveryReplica(MemoryTransport.ring(2, WAIT), ring -> () -> {
            Trainer t =
                    resumeFrom == null ? Trainer.start(o, QUIET, ring) : Trainer.resume(resumeFrom, null, QUIET, ring);
            // only replica 1 is asked to stop: its vote must stop both
            if (ring.rank() == 1 && stopAfter > 0) t.stopAfter(stopAfter);
            return t.run();
        });
        return Checkpoint.loadModel(Path.of(o.runDir()).resolve(Trainer.MODEL)).stateDict();
    }

    @Test
    void aStoppedRunResumesToTheWeightsOfAnUnbrokenOne() throws Exception {
        Path whole = tmp.resolve("whole"), cut = tmp.resolve("cut");
        // one epoch of 3 steps (22 samples, 11 per replica, batches of 4)
        TrainOptions w = TinyData.options(whole, 1, 0).toBuilder().replicas(2).build();
        TrainOptions c = TinyData.options(cut, 1, 0).toBuilder().replicas(2).build();
        Map<String, Tensor> unbroken = twoReplicas(w, 0, null);
        assertThrows(IOException.class, () -> twoReplicas(c, 1, null), "stopped: no final weights yet");
        Checkpoint.Loaded saved = Checkpoint.load(cut.resolve(Checkpoint.FILE));
        // replica 1 is asked to stop after step 1; its vote travels with step 2's gradients, after which both stop
        assertEquals(2, saved.position().step());
        Map<String, Tensor> resumed = twoReplicas(c, 0, cut.resolve(Checkpoint.FILE));
        for (String name : unbroken.keySet())
            assertArrayEquals(unbroken.get(name).data(), resumed.get(name).data(), name);
        List<JsonObject> a = steps(whole), b = steps(cut);
        assertEquals(3, a.size());
        assertEquals(3, b.size(), "the resumed run's log continues the cut one");
        for (int i = 0; i < 3; i++)
            assertEquals(a.get(i).get("loss").getAsFloat(), b.get(i).get("loss").getAsFloat(), "step " + (i + 1));
    }

    @Test
    void badSetUpsAreRefusedBeforeTheFirstStep() throws Exception {
        // 22 training samples cannot feed 23 replicas; replica 0 finds out alone, before any exchange
        List<Transport> ring = MemoryTransport.ring(23, WAIT);
        Trainer t = Trainer.start(
                TinyData.options(tmp.resolve("r1"), 1, 0).toBuilder()
                        .replicas(23)
                        .build(),
                QUIET,
                new Ring(ring.get(0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, t::run);
        assertTrue(e.getMessage().contains("22 samples") && e.getMessage().contains("23 replicas"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("r1").resolve(Checkpoint.FILE)));

        e = assertThrows(
                IllegalArgumentException.class,
                () -> Trainer.start(
                        TinyData.options(tmp.resolve("r2"), 1, 1).toBuilder()
                                .replicas(2)
                                .build(),
                        QUIET));
        assertTrue(e.getMessage().contains("Spark"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> TinyData.options(tmp.resolve("r3"), 1, 1).toBuilder()
                        .replicas(3)
                        .device("cpu,opencl")
                        .build());
        assertTrue(e.getMessage().contains("lists 2 devices for 3 replicas"), e.getMessage());

        // replicas given different seeds disagree on the options, and say so with both values
        List<Exception> failures = onEveryReplica(MemoryTransport.ring(2, WAIT), r -> () -> {
            TrainOptions o = TinyData.options(tmp.resolve("r4-" + r.rank()), 1, 1).toBuilder()
                    .replicas(2)
                    .seed(3 + r.rank())
                    .build();
            try {
                Trainer.start(o, QUIET, r).run();
                return null;
            } catch (IOException x) {
                return x;
            }
        });
        for (Exception x : failures) {
            assertTrue(
                    x != null
                            && x.getMessage().contains("disagree on the options")
                            && x.getMessage().contains("\"seed\":3")
                            && x.getMessage().contains("\"seed\":4"),
                    String.valueOf(x));
        }

        // a checkpoint of two replicas goes on with two, not alone
        Path two = tmp.resolve("two");
        twoReplicas(TinyData.options(two, 1, 1).toBuilder().replicas(2).build(), 0, null);
        IOException io =
                assertThrows(IOException.class, () -> Trainer.resume(two.resolve(Checkpoint.FILE), null, QUIET));
        assertTrue(io.getMessage().contains("2 replica"), io.getMessage());
    }
}
