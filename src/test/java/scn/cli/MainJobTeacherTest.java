package scn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import scn.train.Distillation;
import scn.train.TinyData;
import scn.train.TrainOptions;
import scn.train.Trainer;

/**
 * The main job's teacher: trained into its folder the first time, reused (and said so) by a later main job with the
 * same settings, trained again when a setting differs; and which command lines are the main job.
 */
class MainJobTeacherTest {
    @TempDir
    Path tmp;

    @Test
    void theTeacherIsTrainedOnceAndReusedWhileItsSettingsMatch() throws IOException {
        Path dir = tmp.resolve("quick-teacher");
        TrainOptions teacher =
                TinyData.options(dir, 1, 2).toBuilder().teacher(true).build();
        String first = captured(() -> TrainCommand.storyTeacher(teacher));
        assertTrue(first.contains("teacher: training the ReLU teacher"), first);
        assertTrue(Files.isRegularFile(dir.resolve(Trainer.MODEL)), "the teacher's weights");
        long written = Files.getLastModifiedTime(dir.resolve(Trainer.MODEL)).toMillis();

        String again = captured(() -> TrainCommand.storyTeacher(teacher));
        assertTrue(again.contains("teacher: reusing the ReLU teacher in " + dir), again);
        assertFalse(again.contains("training"), again);
        assertEquals(
                written, Files.getLastModifiedTime(dir.resolve(Trainer.MODEL)).toMillis(), "not trained again");

        TrainOptions otherDistillation = teacher.toBuilder()
                .distillation(new Distillation(0.5f, Distillation.Target.KL, 2, Distillation.Norm.MEAN, true))
                .build();
        String unchanged = captured(() -> TrainCommand.storyTeacher(otherDistillation));
        assertTrue(
                unchanged.contains("teacher: reusing the ReLU teacher in " + dir),
                "a teacher distils nothing, so other distillation settings (older defaults) keep it: " + unchanged);

        String other = captured(
                () -> TrainCommand.storyTeacher(teacher.toBuilder().seed(4).build()));
        assertTrue(other.contains("teacher: training the ReLU teacher"), "another seed trains anew: " + other);
    }

    @Test
    void onlyTheBareTrainIsTheMainJob() {
        assertTrue(parsed().mainJob());
        assertTrue(parsed("--seed", "3", "--device", "cpu").mainJob());
        for (String[] a : new String[][] {
            {"--no-distill"},
            {"--teacher"},
            {"--data", "d"},
            {"--preset", "quick"},
            {"--distill-from", "t"},
            {"--resume", "c"}
        }) {
            assertFalse(parsed(a).mainJob(), String.join(" ", a));
        }
    }

    @Test
    void theMainJobsStudentAndTheStudentAloneAreAsLongAndEvaluateOnce() {
        TrainOptions story = parsed().options(), alone = parsed("--no-distill").options();
        assertEquals(TrainArgs.STORY_STUDENT_EPOCHS, story.epochs());
        assertEquals(story.epochs(), alone.epochs(), "--no-distill trains as long as the main job's student");
        assertEquals(TrainArgs.STORY_STEPS_PER_EPOCH, story.stepsPerEpoch());
        assertEquals(story.stepsPerEpoch(), alone.stepsPerEpoch());
        assertEquals(TrainArgs.STORY_STEPS_PER_EPOCH, parsed().storyTeacher().stepsPerEpoch());
        assertEquals(0, story.evalEvery(), "the main job evaluates once, at the end");
        assertEquals(0, alone.evalEvery());
        assertEquals(0, parsed().storyTeacher().evalEvery());
        assertEquals(TrainArgs.STORY_TEACHER_EPOCHS, parsed().storyTeacher().epochs());
        TrainOptions preset = parsed("--preset", "quick").options();
        assertEquals(TrainOptions.preset("quick", false).epochs(), preset.epochs(), "a named preset keeps its length");
        assertEquals(TrainOptions.preset("quick", false).stepsPerEpoch(), preset.stepsPerEpoch());
        assertEquals(1, preset.evalEvery());
        assertEquals(
                5,
                parsed("--no-distill", "--epochs", "5", "--eval-every", "1")
                        .options()
                        .epochs());
    }

    @Test
    void theStartFromTheTeacherAndTheFittedHeadsAreDefaultsThatGoTogether() {
        String[] from = {"--distill-from", "t"};
        Distillation spec = parsed(from).options().distillation();
        assertTrue(spec.init() && spec.calibrate(), "SPEC: from the teacher's weights, heads fitted");
        Distillation own =
                parsed("--distill-from", "t", "--no-distill-init").options().distillation();
        assertFalse(own.init() || own.calibrate(), "from its own weights nothing is fitted");
        Distillation unfitted = parsed("--distill-from", "t", "--no-distill-calibrate")
                .options()
                .distillation();
        assertTrue(unfitted.init() && !unfitted.calibrate());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> parsed("--distill-from", "t", "--no-distill-init", "--distill-calibrate")
                        .options());
        assertTrue(e.getMessage().contains("--distill-calibrate"), e.getMessage());
    }

    private static TrainArgs parsed(String... args) {
        TrainCommand c = new TrainCommand();
        new CommandLine(c).parseArgs(args);
        return c.args;
    }

    private interface Body {
        Path run() throws IOException;
    }

    /** What {@code body} prints on standard output. */
    private static String captured(Body body) throws IOException {
        PrintStream old = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(old);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
