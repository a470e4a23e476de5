package scn.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import scn.autograd.Tape;
import scn.data.Dataset;
import scn.energy.EnergyEstimator;
import scn.eval.SplitEvaluation;
import scn.nn.SpikingCenterNet;
import scn.train.Checkpoint;
import scn.train.Distillation;
import scn.train.TrainOptions;
import scn.train.Trainer;

/**
 * {@code engine train}: the training run. Without {@code --data} it trains the {@code quick} preset on
 * the built-in synthetic dataset (generated on first use) and prints the validation mAP; with
 * {@code --data DIR} it trains the {@code full} preset (SPEC section 5) on a GEN1-layout folder. Every
 * setting of the preset can be overridden; {@code --resume} continues a run from its checkpoint with
 * the settings stored there.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train the spiking detector (or its ReLU teacher) with AdamW, cosine annealing and evaluation on val.",
            "With no arguments: the quick preset on the built-in synthetic dataset."
        })
final class TrainCommand implements Callable<Integer> {
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
    String distillTarget;

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
    String distillNorm;

    @Option(
            names = "--distill-regression",
            description = "Also distil the offset and size heads (L1, weighted by the teacher's confidence).")
    boolean distillRegression;

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

    @Override
    public Integer call() throws IOException {
        Trainer trainer;
        try {
            if (resume != null && protocolOptions.given()) {
                System.err.println("train: a resumed run scores with the protocol stored in its checkpoint; "
                        + "drop --protocol and its overrides (score the weights with 'eval --protocol' instead)");
                return 2;
            }
            if (resume != null) {
                trainer = Trainer.resume(resume, runDir == null ? null : runDir.toString(), device.device, System.out);
            } else {
                TrainOptions o = options();
                trainer = Trainer.start(o, System.out);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("train: " + e.getMessage());
            return 2;
        }
        System.out.println("backend: " + trainer.backend());
        System.out.println("run directory: " + trainer.runDir());
        Trainer.Summary s = trainer.run();
        if (s.stopped()) return 130;
        System.out.printf(Locale.ROOT, "%ndone: %d epochs, %d steps in %.0f s%n", s.epochs(), s.steps(), s.seconds());
        System.out.printf(
                Locale.ROOT,
                "val mAP@[.5:.95] %.4f  AP50 %.4f  AP75 %.4f%n",
                s.valMap(),
                s.val().getOrDefault("ap50", -1.0),
                s.val().getOrDefault("ap75", -1.0));
        System.out.println("protocol: " + trainer.protocol().describe());
        report(trainer, s);
        System.out.println("summary: " + trainer.runDir().resolve(Trainer.SUMMARY) + ", weights: "
                + trainer.runDir().resolve(Trainer.MODEL));
        return 0;
    }

    /** Samples of val the energy estimate runs over after training. */
    static final int ENERGY_SAMPLES = 64;

    /**
     * What the paper reports beside the mAP, for the weights just trained: the firing rate and the energy per
     * time step (SPEC section 8, on {@link #ENERGY_SAMPLES} val samples) next to the ReLU teacher's dense MAC
     * energy, the distilled teacher's own val mAP, and the paper's figures for context. Printed, and added to
     * {@code summary.json}.
     */
    private static void report(Trainer trainer, Trainer.Summary s) throws IOException {
        TrainOptions o = trainer.options();
        Map<String, Object> fields = new LinkedHashMap<>();
        SpikingCenterNet model = Checkpoint.loadModel(trainer.runDir().resolve(Trainer.MODEL));
        EnergyEstimator.Report e;
        try (Dataset val = SplitEvaluation.openSplit(Path.of(o.data()), "val");
                var noGrad = Tape.noGrad()) {
            e = EnergyEstimator.measure(model, val, ENERGY_SAMPLES, o.batch(), done -> {});
        }
        fields.put("firing_rate", e.firingRate());
        fields.put("energy_mj_per_step", e.energyPj() * 1e-9);
        fields.put("teacher_energy_mj_per_step", e.teacherEnergyPj() * 1e-9);
        fields.put("energy_samples", e.samples());
        System.out.printf(
                Locale.ROOT,
                "%s (val, %d samples, per sample and time step): %s %.2f %%, %.4f mJ; the ReLU teacher's dense MACs: %.4f mJ%n",
                o.teacher() ? "teacher energy" : "energy",
                e.samples(),
                o.teacher() ? "non-zero inputs" : "firing rate",
                100 * e.firingRate(),
                e.energyPj() * 1e-9,
                e.teacherEnergyPj() * 1e-9);
        if (o.distillFrom() != null) {
            Double teacherMap = teacherValMap(Path.of(o.distillFrom()));
            if (teacherMap != null) {
                fields.put("teacher_val_map", teacherMap);
                System.out.printf(
                        Locale.ROOT,
                        "teacher: val mAP %.4f (%s); the student reaches %.0f %% of it%n",
                        teacherMap,
                        o.distillFrom(),
                        100 * s.valMap() / teacherMap);
            }
        }
        System.out.println(
                "paper (GEN1, width 1): 0.223 mAP, firing rate 17.4 %, 0.999 mJ with distillation; 0.205 mAP, 10.8 %, 0.619 mJ without");
        Trainer.addToSummary(trainer.runDir(), fields);
    }

    /**
     * The val mAP of the teacher in {@code weights}, from the summary of the run that trained it when it lies
     * beside them (as {@code train --teacher} leaves it); null when there is none.
     */
    static Double teacherValMap(Path weights) throws IOException {
        Path summary = weights.toAbsolutePath().getParent().resolve(Trainer.SUMMARY);
        if (!Files.isRegularFile(summary)) return null;
        JsonObject m = JsonParser.parseString(Files.readString(summary)).getAsJsonObject();
        return m.has("val_map") && m.get("val_map").isJsonPrimitive()
                ? m.get("val_map").getAsDouble()
                : null;
    }

    private TrainOptions options() {
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
                .epochs(or(epochs, p.epochs()))
                .batch(or(batch, p.batch()))
                .lr(or(lr, p.lr()))
                .minLr(or(minLr, Math.min(p.minLr(), or(lr, p.lr()))))
                .weightDecay(or(weightDecay, p.weightDecay()))
                .seed(or(seed, p.seed()))
                .evalEvery(or(evalEvery, p.evalEvery()))
                .checkpointEvery(or(checkpointEvery, p.checkpointEvery()))
                .flip(!noFlip && p.flip())
                .stepsPerEpoch(or(stepsPerEpoch, p.stepsPerEpoch()))
                .workers(or(workers, p.workers()))
                .device(device.spec())
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
                || distillRegression;
        if (given && distillFrom == null)
            throw new IllegalArgumentException("the --distill-* options need --distill-from TEACHER");
        Distillation spec = Distillation.SPEC;
        return new Distillation(
                or(distillWeight, spec.weight()),
                distillTarget == null
                        ? spec.target()
                        : choice(Distillation.Target.class, "--distill-target", distillTarget),
                or(distillTemperature, spec.temperature()),
                distillNorm == null ? spec.norm() : choice(Distillation.Norm.class, "--distill-norm", distillNorm),
                distillRegression);
    }

    private static <E extends Enum<E>> E choice(Class<E> type, String option, String value) {
        for (E e : type.getEnumConstants()) if (e.name().equalsIgnoreCase(value.trim())) return e;
        StringBuilder names = new StringBuilder();
        for (E e : type.getEnumConstants())
            names.append(names.isEmpty() ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
        throw new IllegalArgumentException(option + " must be one of " + names + ", got '" + value + "'");
    }

    private static <T> T or(T given, T preset) {
        return given != null ? given : preset;
    }
}
