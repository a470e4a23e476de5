package scn.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import scn.backend.opencl.Devices;
import scn.data.Dataset;
import scn.dist.MemoryTransport;
import scn.dist.Ring;
import scn.dist.Transport;
import scn.energy.EnergyEstimator;
import scn.eval.SplitEvaluation;
import scn.train.Checkpoint;
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
    @Mixin
    TrainArgs args;

    @Override
    public Integer call() throws IOException {
        Trainer trainer;
        try {
            if (args.resume() != null && args.protocolGiven()) {
                System.err.println("train: a resumed run scores with the protocol stored in its checkpoint; "
                        + "drop --protocol and its overrides (score the weights with 'eval --protocol' instead)");
                return 2;
            }
            if (args.resume() != null) {
                String devices = args.device() != null
                        ? args.device()
                        : Checkpoint.load(args.resume()).options().device();
                if (Devices.list(devices).size() > 1) return inProcess(devices, null);
                trainer = Trainer.resume(args.resume(), args.runDirOrNull(), args.device(), System.out);
            } else {
                TrainOptions o = args.options();
                if (args.mainJob()) {
                    Path teacher = storyTeacher(args.storyTeacher());
                    if (teacher == null) return 130; // stopped while the teacher trained: its checkpoint resumes it
                    o = o.toBuilder().distillFrom(teacher.toString()).build();
                    System.out.println("student: the spiking network, distilling the teacher ("
                            + o.distillation().describe() + "); 'train --no-distill' trains it alone for comparison");
                }
                int devices = Devices.list(o.device()).size();
                if (devices > 1)
                    return inProcess(o.device(), o.toBuilder().replicas(devices).build());
                trainer = Trainer.start(o, System.out);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("train: " + e.getMessage());
            return 2;
        }
        announce(trainer);
        return finish(trainer, trainer.run());
    }

    private static void announce(Trainer trainer) {
        System.out.println("backend: " + trainer.backend());
        System.out.println("run directory: " + trainer.runDir());
    }

    /**
     * A data-parallel run of one replica per device of the list {@code devices} in this process (a new run of
     * {@code options}, or the resume of {@code args.resume()} when it is null): the replicas' gradients are averaged
     * by the same ring all-reduce as on Spark, over memory. Replica 0 reports and writes the run.
     */
    private Integer inProcess(String devices, TrainOptions options) throws IOException {
        int n = Devices.list(devices).size();
        List<Transport> ring = MemoryTransport.ring(n, Duration.ofMinutes(10));
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Trainer[] replicas = new Trainer[n];
        for (int r = 0; r < n; r++) {
            PrintStream out = r == 0 ? System.out : quiet;
            replicas[r] = options != null
                    ? Trainer.start(options, out, new Ring(ring.get(r)))
                    : Trainer.resume(args.resume(), args.runDirOrNull(), devices, out, new Ring(ring.get(r)));
        }
        announce(replicas[0]);
        ExecutorService pool = Executors.newFixedThreadPool(n - 1);
        try {
            List<Future<Trainer.Summary>> others = new ArrayList<>();
            for (int r = 1; r < n; r++) others.add(pool.submit(replicas[r]::run));
            Integer code = finish(replicas[0], replicas[0].run());
            for (Future<Trainer.Summary> f : others) f.get();
            return code;
        } catch (InterruptedException | ExecutionException e) {
            throw new IOException("a replica failed: " + (e.getCause() != null ? e.getCause() : e), e);
        } finally {
            pool.shutdownNow();
            for (Transport t : ring) t.close();
        }
    }

    /** The report of a finished (or stopped) run. */
    private Integer finish(Trainer trainer, Trainer.Summary s) throws IOException {
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

    /**
     * The main job's teacher, the paper's first step: reused from {@code options.runDir()} when a finished run with
     * these very settings lies there (said so, with its val mAP), else trained there now. Its weights, or null when
     * the run was stopped (Ctrl-C) before it finished.
     */
    static Path storyTeacher(TrainOptions options) throws IOException {
        Path dir = Path.of(options.runDir()), weights = dir.resolve(Trainer.MODEL);
        TrainOptions trained = finishedRun(dir);
        if (trained != null && Trainer.sameRun(trained, options)) {
            Double map = teacherValMap(weights);
            System.out.printf(
                    Locale.ROOT,
                    "teacher: reusing the ReLU teacher in %s (val mAP %s), trained with these settings; delete the"
                            + " folder to train it again%n",
                    dir,
                    map == null ? "unknown" : String.format(Locale.ROOT, "%.4f", map));
            return weights;
        }
        System.out.println("teacher: training the ReLU teacher briefly (" + options.epochs() + " epochs) in " + dir
                + ", which later runs with the same settings reuse");
        if (Files.exists(dir)) deleteRun(dir); // another configuration's, or unfinished: it is ours to replace
        Trainer t = Trainer.start(options, System.out);
        System.out.println("backend: " + t.backend());
        Trainer.Summary s = t.run();
        if (s.stopped()) return null;
        System.out.printf(
                Locale.ROOT, "teacher: val mAP %.4f after %d steps in %.0f s%n%n", s.valMap(), s.steps(), s.seconds());
        return weights;
    }

    /** The options of the finished run in {@code dir} (its summary and final weights written), or null. */
    private static TrainOptions finishedRun(Path dir) {
        Path checkpoint = dir.resolve(Checkpoint.FILE);
        if (!Files.isRegularFile(dir.resolve(Trainer.SUMMARY))
                || !Files.isRegularFile(dir.resolve(Trainer.MODEL))
                || !Files.isRegularFile(checkpoint)) return null;
        try {
            return Checkpoint.load(checkpoint).options();
        } catch (IOException | RuntimeException e) {
            return null; // unreadable: trained again
        }
    }

    /** Deletes the files of a run folder (the folder's own files only: a run writes no subfolders). */
    private static void deleteRun(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) if (Files.isRegularFile(f)) Files.delete(f);
        }
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
        EnergyEstimator.Report e;
        try (Dataset val = SplitEvaluation.openSplit(Path.of(o.data()), "val")) {
            // the run leaves its final weights in the host model, as it saved them
            e = EnergyEstimator.measure(trainer.model(), val, ENERGY_SAMPLES, o.batch(), done -> {});
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
}
