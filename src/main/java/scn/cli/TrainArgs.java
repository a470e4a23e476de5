package scn.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scn.backend.opencl.Devices;
import scn.train.Distillation;
import scn.train.TrainOptions;

/**
 * The options of {@code engine train}, as a picocli mixin, so that another front end of the same training run (the
 * Spark module's {@code train}) takes exactly the same options with the same meaning and defaults.
 */
public final class TrainArgs {
    @Option(
            names = "--data",
            description = "GEN1-layout data folder (train/ val/ test/). Default: the built-in synthetic dataset.")
    Path data;

    @Option(
            names = "--run-dir",
            description = "Where checkpoints, metrics, plots and summary.json go (default: runs/<preset>-<time>).")
    Path runDir;

    @Option(names = "--preset", description = "quick or full (default: quick without --data, full with it).")
    String preset;

    @Option(names = "--teacher", description = "Train the ReLU teacher (lr 1e-3 in the full preset).")
    boolean teacher;

    @Option(
            names = "--no-distill",
            description =
                    "Without --data, --teacher and --distill-from: train the student alone, as long as the main "
                            + "job's distilled student, without its teacher (the comparison the main job's gain is measured by).")
    boolean noDistill;

    @Option(
            names = "--distill-from",
            description = "A trained teacher's weights (model.safetensors or a checkpoint) to distil into the SNN.")
    Path distillFrom;

    @Option(
            names = "--distill-weight",
            paramLabel = "A",
            description = "Weight of the distillation term in the loss (default 1, SPEC).")
    Float distillWeight;

    @Option(
            names = "--distill-target",
            paramLabel = "prob|logit|kl",
            description = "What is matched per heatmap cell: sigmoid probabilities squared (prob, SPEC), logits "
                    + "squared (logit), or the Bernoulli divergence of soft targets (kl).")
    Distillation.Target distillTarget;

    @Option(
            names = "--distill-temperature",
            paramLabel = "T",
            description = "Temperature of prob and kl: logits divided by T, the term multiplied by T² (default 1).")
    Float distillTemperature;

    @Option(
            names = "--distill-norm",
            paramLabel = "sum|mean|objects",
            description = "What the sum over heatmap cells is divided by: the batch size (sum, SPEC), the number of "
                    + "cells (mean) or of objects (objects).")
    Distillation.Norm distillNorm;

    @Option(
            names = "--distill-regression",
            description = "Also distil the offset and size heads (L1, weighted by the teacher's confidence).")
    boolean distillRegression;

    @Option(
            names = "--distill-features",
            paramLabel = "B",
            description = "Weight of a second term that matches the attention maps (Σ_c f², unit length) of the"
                    + " decoder's three outputs, the student's spike rates against the teacher's activations"
                    + " (default 0: none).")
    Float distillFeatures;

    @Option(
            names = "--distill-init",
            negatable = true,
            description =
                    "Start the student from the teacher's weights, all but its PLIF time constants (default, SPEC);"
                            + " --no-distill-init starts it from its own random ones.")
    Boolean distillInit;

    @Option(
            names = "--distill-calibrate",
            negatable = true,
            description = "After starting from the teacher's weights, fit each head's outputs to the teacher's on one"
                    + " batch of the training set (scale and shift per channel).")
    Boolean distillCalibrate;

    @Option(
            names = "--resume",
            description =
                    "Continue the run of this checkpoint exactly where it stopped (on its own device unless --device is given).")
    Path resume;

    @Mixin
    DeviceOption device;

    @Option(names = "--epochs", description = "Epochs.")
    Integer epochs;

    @Option(names = "--batch", description = "Batch size.")
    Integer batch;

    @Option(names = "--lr", description = "Peak learning rate (full preset: 1e-4 SNN, 1e-3 teacher).")
    Float lr;

    @Option(names = "--min-lr", description = "Learning rate at the end of the cosine schedule.")
    Float minLr;

    @Option(names = "--weight-decay", description = "AdamW decoupled weight decay (default 1e-4).")
    Float weightDecay;

    @Option(names = "--width", description = "Channel width multiplier.")
    Double width;

    @Option(names = "--seed", description = "Seed of the weights, the data order and the flips.")
    Long seed;

    @Option(names = "--eval-every", description = "Evaluate on val every N epochs (always after the last).")
    Integer evalEvery;

    @Option(
            names = "--checkpoint-every",
            description = "Save a checkpoint every N steps (also after each epoch, on Ctrl-C, at the end).")
    Integer checkpointEvery;

    @Option(
            names = "--steps-per-epoch",
            description = "Cut each epoch after N batches of its shuffled order (0: whole split).")
    Integer stepsPerEpoch;

    @Option(names = "--no-flip", description = "No random left-right mirroring.")
    boolean noFlip;

    @Option(names = "--workers", description = "Data loading threads (default 1).")
    Integer workers;

    @Option(
            names = "--head-lr-scale",
            description =
                    "The heads' output convolutions learn at this multiple of the learning rate (quick preset 10, full 1).")
    Float headLrScale;

    @Mixin
    ProtocolOptions protocolOptions;

    /** The checkpoint to continue from, or null for a new run. */
    public Path resume() {
        return resume;
    }

    /** {@code --run-dir} as given, or null (a resumed run then stays in its own). */
    public String runDirOrNull() {
        return runDir == null ? null : runDir.toString();
    }

    /** {@code --device} as given, or null. */
    public String device() {
        return device.device;
    }

    /**
     * Epochs of the main job's teacher and student, and their steps: brief, so that the whole main job, the dataset's
     * generation included, takes under ten minutes on two cores with room for a slower machine (docs/EXPERIMENTS.md,
     * "The main job in ten minutes"). Both evaluate on val once, at the end; {@code --eval-every}, {@code --epochs}
     * and {@code --steps-per-epoch} override the student's.
     */
    static final int STORY_TEACHER_EPOCHS = 2, STORY_STUDENT_EPOCHS = 3, STORY_STEPS_PER_EPOCH = 300;

    /**
     * Whether this run is the main job's student or, with {@code --no-distill}, the same student alone: a new run on
     * the synthetic set's quick preset, neither a teacher nor distilling a given one.
     */
    private boolean storyStudent() {
        return data == null && preset == null && !teacher && distillFrom == null && resume == null;
    }

    /** The main job's teacher lives here, so that a later main job with the same settings reuses it. */
    static final Path STORY_TEACHER_DIR = Path.of("runs", "quick-teacher");

    /**
     * Whether this is the main job, which tells the paper's story (a teacher, then the student distilling it): the
     * synthetic set's quick preset, with neither a teacher nor one to distil from, nor a resume, nor {@code
     * --no-distill} given.
     */
    public boolean mainJob() {
        return storyStudent() && !noDistill;
    }

    /**
     * The main job's teacher: the quick preset's ReLU teacher trained {@link #STORY_TEACHER_EPOCHS} epochs with this
     * run's seed, device and loader settings, in {@link #STORY_TEACHER_DIR}.
     */
    public TrainOptions storyTeacher() {
        TrainOptions p = TrainOptions.preset("quick", true);
        return TrainOptions.presetBuilder("quick", true)
                .runDir(STORY_TEACHER_DIR.toString())
                .epochs(STORY_TEACHER_EPOCHS)
                .stepsPerEpoch(STORY_STEPS_PER_EPOCH)
                .evalEvery(0)
                .seed(or(seed, p.seed()))
                .flip(!noFlip && p.flip())
                .workers(or(workers, p.workers()))
                .device(device.spec())
                .protocol(protocolOptions.protocol())
                .build();
    }

    /** Whether {@code --protocol} or one of its overrides was given (a resumed run keeps its checkpoint's). */
    public boolean protocolGiven() {
        return protocolOptions.given();
    }

    /**
     * A new run's options: the preset ({@code quick} without {@code --data}, {@code full} with it) with what was given
     * on the command line; the run directory {@code runs/<preset>-<time>} unless given.
     */
    public TrainOptions options() {
        String name = preset != null ? preset : data == null ? "quick" : "full";
        TrainOptions p = TrainOptions.preset(name, teacher);
        String dir = runDir != null
                ? runDir.toString()
                : Path.of(
                                "runs",
                                name
                                        + (teacher ? "-teacher-" : "-")
                                        + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                        .toString();
        return TrainOptions.presetBuilder(name, teacher)
                .data(data == null ? null : data.toString())
                .runDir(dir)
                .distillFrom(distillFrom == null ? null : distillFrom.toString())
                .width(or(width, p.width()))
                .epochs(or(epochs, storyStudent() ? STORY_STUDENT_EPOCHS : p.epochs()))
                .batch(or(batch, p.batch()))
                .lr(or(lr, p.lr()))
                .minLr(or(minLr, Math.min(p.minLr(), or(lr, p.lr()))))
                .weightDecay(or(weightDecay, p.weightDecay()))
                .seed(or(seed, p.seed()))
                .evalEvery(or(evalEvery, storyStudent() ? 0 : p.evalEvery()))
                .checkpointEvery(or(checkpointEvery, p.checkpointEvery()))
                .flip(!noFlip && p.flip())
                .stepsPerEpoch(or(stepsPerEpoch, storyStudent() ? STORY_STEPS_PER_EPOCH : p.stepsPerEpoch()))
                .workers(or(workers, p.workers()))
                .device(device.spec())
                .replicas(Devices.list(device.spec()).size()) // several devices: one replica on each, in this process
                .headLrScale(or(headLrScale, p.headLrScale()))
                .protocol(protocolOptions.protocol())
                .distillation(distillation())
                .build();
    }

    /** The distillation settings given, over SPEC's; refused when given without a teacher to distil from. */
    private Distillation distillation() {
        boolean given = distillWeight != null
                || distillTarget != null
                || distillTemperature != null
                || distillNorm != null
                || distillRegression
                || distillFeatures != null
                || distillInit != null
                || distillCalibrate != null;
        if (given && distillFrom == null)
            throw new IllegalArgumentException("the --distill-* options need --distill-from TEACHER");
        Distillation spec = Distillation.SPEC;
        boolean init = or(distillInit, spec.init());
        return new Distillation(
                or(distillWeight, spec.weight()),
                or(distillTarget, spec.target()),
                or(distillTemperature, spec.temperature()),
                or(distillNorm, spec.norm()),
                distillRegression,
                or(distillFeatures, spec.features()),
                init,
                distillCalibrate != null ? distillCalibrate : spec.calibrate() && init);
    }

    private static <T> T or(T given, T preset) {
        return given != null ? given : preset;
    }
}
