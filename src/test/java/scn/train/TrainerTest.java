package scn.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.eval.Protocol;
import scn.nn.SpikingCenterNet;
import scn.tensor.Tensor;

/** Short training runs on the tiny synthetic set: learning, exact resume, refusing damaged checkpoints. */
class TrainerTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    private static List<JsonObject> lines(Path runDir, String type) throws IOException {
        return Files.readAllLines(runDir.resolve(MetricsLog.FILE)).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject())
                .filter(o -> o.get("type").getAsString().equals(type))
                .toList();
    }

    @Test
    void shortRunLearnsAndWritesEverything() throws IOException {
        Path run = tmp.resolve("run");
        Trainer.Summary s = Trainer.start(TinyData.learning(run), QUIET).run();
        List<JsonObject> steps = lines(run, "step");
        int n = steps.size();
        assertEquals(55, n, "5 epochs of 11 steps");
        double first = (steps.get(0).get("loss").getAsDouble()
                        + steps.get(1).get("loss").getAsDouble()
                        + steps.get(2).get("loss").getAsDouble())
                / 3;
        double last = (steps.get(n - 1).get("loss").getAsDouble()
                        + steps.get(n - 2).get("loss").getAsDouble()
                        + steps.get(n - 3).get("loss").getAsDouble())
                / 3;
        assertTrue(last < first, "loss should fall: first steps " + first + ", last steps " + last);
        assertTrue(s.valMap() > 0, "val mAP " + s.valMap());
        JsonObject summary = JsonParser.parseString(Files.readString(run.resolve(Trainer.SUMMARY)))
                .getAsJsonObject();
        for (String key : new String[] {"val_map", "val_ap50", "epochs", "seconds"}) assertTrue(summary.has(key), key);
        assertEquals(5, summary.get("epochs").getAsInt());
        for (String f : new String[] {Plots.LOSS, Plots.MAP, Trainer.MODEL, Checkpoint.FILE, Checkpoint.PREVIOUS})
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        assertEquals(1, lines(run, "eval").size(), "evaluation after the last epoch only");
        JsonObject gen1 =
                JsonParser.parseString(new Gson().toJson(Protocol.GEN1.toMap())).getAsJsonObject();
        assertEquals(gen1, summary.get("protocol"));
        assertEquals(gen1, lines(run, "eval").get(0).get("protocol"));
        assertTrue(Checkpoint.loadModel(run.resolve(Trainer.MODEL))
                .config()
                .equals(Checkpoint.loadModel(run.resolve(Checkpoint.FILE)).config()));
    }

    @Test
    void resumedRunTakesTheSameNextStep() throws IOException {
        Path whole = tmp.resolve("whole"), cut = tmp.resolve("cut");
        Trainer.start(TinyData.options(whole, 1, 4), QUIET).run();
        Trainer first = Trainer.start(TinyData.options(cut, 1, 4), QUIET);
        first.stopAfter(2);
        Trainer.Summary stopped = first.run();
        assertTrue(stopped.stopped());
        assertEquals(2, stopped.steps());
        Trainer.resume(cut.resolve(Checkpoint.FILE), null, QUIET).run();

        List<JsonObject> a = lines(whole, "step"), b = lines(cut, "step");
        assertEquals(4, a.size());
        assertEquals(4, b.size(), "the resumed run's log continues the cut one");
        for (int i = 0; i < 4; i++) {
            assertEquals(
                    a.get(i).get("loss").getAsFloat(), b.get(i).get("loss").getAsFloat(), "loss of step " + (i + 1));
            assertEquals(a.get(i).get("lr").getAsFloat(), b.get(i).get("lr").getAsFloat(), "lr of step " + (i + 1));
        }
        var wa = Checkpoint.loadModel(whole.resolve(Trainer.MODEL)).stateDict();
        var wb = Checkpoint.loadModel(cut.resolve(Trainer.MODEL)).stateDict();
        for (String name : wa.keySet())
            assertArrayEquals(wa.get(name).data(), wb.get(name).data(), name);
    }

    @Test
    void damagedCheckpointIsRefusedAndThePreviousKept() throws IOException {
        Path run = tmp.resolve("run");
        Trainer.start(TinyData.options(run, 1, 4), QUIET).run(); // saves at steps 2 and 4
        Path current = run.resolve(Checkpoint.FILE), previous = run.resolve(Checkpoint.PREVIOUS);
        long size = Files.size(current);
        try (FileChannel ch = FileChannel.open(current, StandardOpenOption.WRITE)) {
            ch.write(
                    ByteBuffer.wrap(new byte[] {0x7f, 0x7f, 0x7f, 0x7f}),
                    size - 64); // flip bytes inside the tensor data
        }
        IOException e = assertThrows(IOException.class, () -> Checkpoint.load(current));
        assertTrue(e.getMessage().contains("damaged") && e.getMessage().contains(previous.toString()), e.getMessage());
        assertThrows(IOException.class, () -> Checkpoint.loadModel(current));
        assertEquals(2, Checkpoint.load(previous).position().step(), "the previous checkpoint is intact");

        try (FileChannel ch = FileChannel.open(current, StandardOpenOption.WRITE)) {
            ch.truncate(size / 2);
        }
        e = assertThrows(IOException.class, () -> Checkpoint.load(current));
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    }

    @Test
    void aFailedSaveLeavesTheCheckpointsAsTheyWere() throws IOException {
        Path run = tmp.resolve("run");
        Trainer.start(TinyData.options(run, 1, 2), QUIET).run();
        Checkpoint.Loaded before = Checkpoint.load(run.resolve(Checkpoint.FILE));
        // a directory where the new file must go makes the write fail, as a full disk would
        Files.createDirectories(run.resolve("checkpoint.next.safetensors").resolve("blocker"));
        var model = Checkpoint.loadModel(run.resolve(Trainer.MODEL));
        AdamW opt = new AdamW(model.parameters(), model::decays, 1e-4f);
        IOException e = assertThrows(
                IOException.class,
                () -> Checkpoint.save(run, model, opt, before.options(), new Checkpoint.Position(99, 9, 0, 1)));
        assertTrue(e.getMessage().contains("is intact"), e.getMessage());
        assertEquals(
                before.position(), Checkpoint.load(run.resolve(Checkpoint.FILE)).position());
    }

    @Test
    void nonFiniteLossStopsNamingTheStepAndCheckpoint() throws IOException {
        Trainer t = Trainer.start(TinyData.options(tmp.resolve("run"), 1, 4), QUIET);
        Tensor w = t.model().parameters().get(0).value();
        w.data()[0] = Float.NaN;
        IOException e = assertThrows(IOException.class, t::run);
        assertTrue(
                e.getMessage().contains("step 1")
                        && e.getMessage().contains("NaN")
                        && e.getMessage().contains("checkpoint"),
                e.getMessage());
    }

    @Test
    void teacherThenDistillation() throws IOException {
        TrainOptions t = TinyData.options(tmp.resolve("teacher"), 1, 1);
        Path teacherRun = tmp.resolve("teacher");
        Trainer.start(
                        t.toBuilder()
                                .runDir(teacherRun.toString())
                                .teacher(true)
                                .epochs(1)
                                .evalEvery(0)
                                .checkpointEvery(0)
                                .stepsPerEpoch(1)
                                .build(),
                        QUIET)
                .run();
        assertTrue(
                Checkpoint.loadModel(teacherRun.resolve(Trainer.MODEL)).config().teacher());
        TrainOptions s = TinyData.options(tmp.resolve("student"), 1, 1);
        Path student = tmp.resolve("student");
        SpikingCenterNet taught = Checkpoint.loadModel(teacherRun.resolve(Trainer.MODEL));
        Trainer distilling = Trainer.start(
                s.withPaths(
                        s.data(),
                        student.toString(),
                        teacherRun.resolve(Trainer.MODEL).toString()),
                QUIET);
        assertStartsFrom(taught, distilling.model(), true); // SPEC: from the teacher's weights
        distilling.run();
        for (JsonObject o : lines(student, "step")) assertTrue(o.get("distill").getAsDouble() > 0, o.toString());

        // other settings travel with the run: a checkpoint gives them back for --resume
        Distillation kl = new Distillation(0.5f, Distillation.Target.KL, 2f, Distillation.Norm.OBJECTS, true);
        Path other = tmp.resolve("student-kl");
        Trainer klRun = Trainer.start(
                s.toBuilder()
                        .runDir(other.toString())
                        .distillFrom(teacherRun.resolve(Trainer.MODEL).toString())
                        .distillation(kl)
                        .build(),
                QUIET);
        assertStartsFrom(taught, klRun.model(), false); // init off: its own random weights
        klRun.run();
        assertEquals(
                kl, Checkpoint.load(other.resolve(Checkpoint.FILE)).options().distillation());
        for (JsonObject o : lines(other, "step")) assertTrue(o.get("distill").getAsDouble() > 0, o.toString());

        // from the teacher's weights with the heads fitted to its outputs: said, and the heads are no longer its
        Distillation fitted =
                new Distillation(1f, Distillation.Target.PROB, 1f, Distillation.Norm.SUM, false, 0f, true, true);
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        Trainer fittedRun = Trainer.start(
                s.toBuilder()
                        .runDir(tmp.resolve("student-fitted").toString())
                        .distillFrom(teacherRun.resolve(Trainer.MODEL).toString())
                        .distillation(fitted)
                        .lr(1e-30f)
                        .minLr(0f)
                        .build(),
                new PrintStream(said, true, StandardCharsets.UTF_8));
        fittedRun.run();
        String log = said.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("the heads are fitted to the teacher's outputs on 8 training samples"), log);
        Map<String, Tensor> own = fittedRun.model().stateDict(), its = taught.stateDict();
        for (String head : new String[] {"heatmap", "offset", "size"}) {
            String name = "heads." + head + ".out.weight";
            assertFalse(Arrays.equals(its.get(name).data(), own.get(name).data()), name + " was fitted");
        }
        assertArrayEquals(
                its.get("heads.heatmap.hidden.conv.weight").data(),
                own.get("heads.heatmap.hidden.conv.weight").data(),
                "the layers before the heads' outputs keep the teacher's weights");
    }

    /** Checks that each weight {@code student} shares with {@code teacher} is the teacher's, or that none is. */
    private static void assertStartsFrom(SpikingCenterNet teacher, SpikingCenterNet student, boolean expected) {
        Map<String, Tensor> own = student.stateDict();
        int same = 0, shared = 0;
        for (var p : teacher.parameters()) {
            shared++;
            if (Arrays.equals(p.value().data(), own.get(p.name()).data())) same++;
        }
        assertEquals(expected ? shared : 0, same, "weights the student starts with from its teacher");
    }

    @Test
    void badInputIsRefusedClearly() throws IOException {
        Path missing = tmp.resolve("nowhere");
        IOException e = assertThrows(
                IOException.class,
                () -> Trainer.start(
                                TinyData.options(tmp.resolve("r1"), 1, 1)
                                        .withPaths(
                                                missing.toString(),
                                                tmp.resolve("r1").toString(),
                                                null),
                                QUIET)
                        .run());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());

        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty.resolve("train"));
        Files.createDirectories(empty.resolve("val"));
        e = assertThrows(
                IOException.class,
                () -> Trainer.start(
                                TinyData.options(tmp.resolve("r2"), 1, 1)
                                        .withPaths(
                                                empty.toString(),
                                                tmp.resolve("r2").toString(),
                                                null),
                                QUIET)
                        .run());
        assertTrue(e.getMessage().contains("no labelled samples"), e.getMessage());

        Path unlabelled = tmp.resolve("unlabelled");
        Files.createDirectories(unlabelled.resolve("val"));
        Files.createDirectories(unlabelled.resolve("train"));
        try (var s = Files.list(TinyData.root().resolve("train"))) {
            for (Path p : s.filter(p -> p.toString().endsWith("_td.dat")).toList())
                Files.copy(p, unlabelled.resolve("train").resolve(p.getFileName()));
        }
        e = assertThrows(
                IOException.class,
                () -> Trainer.start(
                                TinyData.options(tmp.resolve("r3"), 1, 1)
                                        .withPaths(
                                                unlabelled.toString(),
                                                tmp.resolve("r3").toString(),
                                                null),
                                QUIET)
                        .run());
        assertTrue(
                e.getMessage().contains("no labelled samples") && e.getMessage().contains("no box file"),
                e.getMessage());

        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        e = assertThrows(IOException.class, () -> Trainer.start(TinyData.options(file.resolve("run"), 1, 1), QUIET));
        assertTrue(e.getMessage().contains("not writable"), e.getMessage());

        Path snn = tmp.resolve("snn");
        Trainer.start(TinyData.options(snn, 1, 1), QUIET).run();
        TrainOptions distil = TinyData.options(tmp.resolve("r4"), 1, 1);
        e = assertThrows(
                IOException.class,
                () -> Trainer.start(
                        distil.withPaths(
                                distil.data(),
                                distil.runDir(),
                                snn.resolve(Trainer.MODEL).toString()),
                        QUIET));
        assertTrue(e.getMessage().contains("not a teacher"), e.getMessage());
        e = assertThrows(IOException.class, () -> Trainer.resume(snn.resolve(Trainer.MODEL), null, QUIET));
        assertTrue(e.getMessage().contains("not a training checkpoint"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("r4")));
    }
}
