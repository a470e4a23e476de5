package scn.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.ToNumberPolicy;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import scn.data.Batch;
import scn.data.DataLoader;
import scn.data.Dataset;
import scn.data.synth.SyntheticDataset;
import scn.dist.Ring;
import scn.eval.Protocol;
import scn.eval.SplitEvaluation;
import scn.model.ModelFiles;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;

/**
 * The training run of SPEC section 5: epochs of shuffled batches, AdamW with cosine annealing and
 * gradient-norm clipping, optional distillation from a frozen teacher, evaluation on {@code val} with
 * the GEN1 protocol, checkpoints, metrics, plots and a summary in the run directory.
 *
 * <p>Stopping and resuming: a checkpoint is written every {@code checkpointEvery} steps, after every
 * epoch, at the end, and when the process is asked to stop (Ctrl-C, SIGTERM): a shutdown hook asks the
 * loop to stop at the next step boundary and waits for the checkpoint. {@link #resume} rebuilds the run
 * from a checkpoint and continues with the very batch that would have come next. A step whose loss or
 * gradient is not finite stops the run, naming the step and the last good checkpoint.
 *
 * <p>The steps run where {@link TrainOptions#device()} says ({@link TrainingBackend}); the host model and
 * optimiser are what checkpoints hold, brought up to date from the device before every save, so a run
 * resumes on the device it was started on (or another one, given {@code device} on resume).
 *
 * <p>Data-parallel: a run of {@link TrainOptions#replicas()} replicas runs one {@code Trainer} per replica, each given
 * its place in their {@link Ring} ({@link #start(TrainOptions, PrintStream, Ring)}). Every replica reads its own shard
 * of each epoch's shuffled order ({@link DataLoader#shardOrder}) in batches of {@code batch}, and every step averages
 * the replicas' gradients ({@link ReplicaTraining}). Before the first step the replicas check that they agree on the
 * run, the data and the weights. Replica 0 alone touches the run directory: metrics, evaluations, checkpoints, plots,
 * the final weights and the summary, which therefore read as a single run's (the loss terms being the replicas' mean
 * and samples/s counting all replicas).
 */
public final class Trainer {
    public static final String SUMMARY = "summary.json";
    public static final String MODEL = "model.safetensors";
    /** How long a shutdown waits for the loop to reach a step boundary and save. */
    private static final long SHUTDOWN_WAIT_S = 300;

    private static final Gson GSON = new Gson();

    /** The outcome of {@link #run()}; {@code stopped} when interrupted before the last epoch. */
    public record Summary(
            Map<String, Double> val, int epochs, long steps, double seconds, boolean stopped, Path checkpoint) {
        public double valMap() {
            return val.getOrDefault("map", -1.0);
        }
    }

    private final TrainOptions options;
    private final Path runDir;
    private final Path data;
    private final SpikingCenterNet model;
    private final TrainingBackend backend;
    private final PrintStream out;
    private final Ring ring; // null: a run of one
    private final boolean lead; // writes the run directory: alone, or replica 0
    private Runnable afterEachStep = () -> {}; // an observer's: the Spark module's digests, the tests' copies
    private long globalStep;
    private int epoch;
    private int batchInEpoch;
    private double priorSeconds;
    private int perEpoch = 1;
    private Path lastCheckpoint;
    private boolean fresh;
    /** Samples of train the heads are fitted on ({@link Distillation#calibrate}). */
    static final int CALIBRATION_BATCH = 8;

    private SpikingCenterNet calibrationTeacher; // a fresh run's teacher, whose outputs the heads are fitted to
    private int fromTeacher; // a fresh run's parameter tensors taken from its teacher (Distillation.init)
    private long stopAfterStep = -1; // tests: behave as if asked to stop once this step is done
    private volatile boolean stopRequested;
    private final CountDownLatch finished = new CountDownLatch(1);

    private Trainer(TrainOptions options, SpikingCenterNet model, SpikingCenterNet teacher, PrintStream out, Ring ring)
            throws IOException {
        int replicas = ring == null ? 1 : ring.size();
        if (options.replicas() != replicas) {
            throw new IllegalArgumentException(
                    options.replicas() > 1 && ring == null
                            ? "a run of " + options.replicas()
                                    + " replicas trains on Spark (the spark/ module's jar and"
                                    + " spark-submit), not alone"
                            : "the run is for " + options.replicas() + " replicas, but " + replicas + " were started");
        }
        this.options = options;
        this.runDir = Path.of(options.runDir());
        this.data = Path.of(options.data());
        this.model = model;
        this.out = out;
        this.ring = ring;
        this.lead = ring == null || ring.rank() == 0;
        if (lead) prepareRunDir(runDir);
        this.backend = TrainingBackend.open(options, model, teacher, ring, () -> stopRequested);
    }

    /** A new run; {@code options.data()} null means the built-in synthetic dataset (generated once). */
    public static Trainer start(TrainOptions options, PrintStream out) throws IOException {
        return start(options, out, null);
    }

    /**
     * Replica {@code ring.rank()} of a new data-parallel run of {@code ring.size()} replicas (as many as
     * {@code options.replicas()}); every replica calls it with the same options. A null ring: a run of one.
     */
    public static Trainer start(TrainOptions options, PrintStream out, Ring ring) throws IOException {
        String dataDir = options.data() != null
                ? options.data()
                : SyntheticDataset.ensureDefault().toString();
        TrainOptions o = options.withPaths(dataDir, options.runDir(), options.distillFrom());
        ModelConfig config = new ModelConfig(o.width(), o.expansion(), 5, 2, o.teacher());
        SpikingCenterNet teacher = o.distillFrom() == null ? null : loadTeacher(Path.of(o.distillFrom()), config);
        SpikingCenterNet student = new SpikingCenterNet(config, o.seed());
        int fromTeacher = teacher != null && o.distillation().init() ? student.copyParametersFrom(teacher) : 0;
        Trainer t = new Trainer(o, student, teacher, out, ring);
        t.fresh = true;
        t.fromTeacher = fromTeacher;
        t.calibrationTeacher = teacher;
        return t;
    }

    /**
     * Whether {@code trained} (a finished run's options) describes the run {@code wanted} would start: the same
     * settings and data, wherever the steps ran (the device does not change what is trained, up to round-off), and
     * whatever distillation settings a run that distils from no teacher carries.
     */
    public static boolean sameRun(TrainOptions trained, TrainOptions wanted) throws IOException {
        String data = wanted.data() != null
                ? wanted.data()
                : SyntheticDataset.ensureDefault().toString();
        TrainOptions w = wanted.withPaths(data, wanted.runDir(), wanted.distillFrom());
        TrainOptions t = trained.withDevice(w.device());
        // A run that distils from nothing is not changed by how it would distil: a teacher trained before the
        // distillation defaults changed is still the same teacher.
        if (t.distillFrom() == null && w.distillFrom() == null)
            t = t.toBuilder().distillation(w.distillation()).build();
        return t.equals(w);
    }

    /**
     * Continues the run a checkpoint belongs to, on its own device and in its own run directory unless {@code runDir}
     * is given.
     */
    public static Trainer resume(Path checkpoint, String runDir, PrintStream out) throws IOException {
        return resume(checkpoint, runDir, null, out);
    }

    /**
     * As {@link #resume(Path, String, PrintStream)}, on {@code device} ({@code cpu}, {@code opencl[:N]}) unless it is
     * null.
     */
    public static Trainer resume(Path checkpoint, String runDir, String device, PrintStream out) throws IOException {
        return resume(checkpoint, runDir, device, out, null);
    }

    /**
     * Replica {@code ring.rank()} of a data-parallel run continuing from {@code checkpoint} (which replica 0 wrote);
     * every replica calls it with the same checkpoint. The run must have as many replicas as when it was saved: its
     * position counts steps of that many shards.
     */
    public static Trainer resume(Path checkpoint, String runDir, PrintStream out, Ring ring) throws IOException {
        return resume(checkpoint, runDir, null, out, ring);
    }

    /** As {@link #resume(Path, String, PrintStream, Ring)}, on {@code device} (a list, one per replica in turn). */
    public static Trainer resume(Path checkpoint, String runDir, String device, PrintStream out, Ring ring)
            throws IOException {
        Checkpoint.Loaded c = Checkpoint.load(checkpoint);
        TrainOptions o = c.options();
        int replicas = ring == null ? 1 : ring.size();
        if (o.replicas() != replicas)
            throw new IOException(checkpoint + " belongs to a run of " + o.replicas() + " replica(s) and cannot go on"
                    + " with " + replicas + ": its position counts steps of " + o.replicas() + " shards"
                    + (o.replicas() > 1
                            ? " (resume it on Spark with " + o.replicas() + " replicas, or with its --device list)"
                            : ""));
        if (runDir != null) o = o.withPaths(o.data(), runDir, o.distillFrom());
        if (device != null) o = o.withDevice(device);
        SpikingCenterNet teacher = o.distillFrom() == null ? null : loadTeacher(Path.of(o.distillFrom()), c.config());
        Trainer t = new Trainer(o, new SpikingCenterNet(c.config(), o.seed()), teacher, out, ring);
        try {
            c.restore(t.model, t.backend.optimizer()); // on the host; run() sends it to the device
        } catch (IOException | RuntimeException e) {
            t.backend.close();
            throw e;
        }
        t.globalStep = c.position().step();
        t.epoch = c.position().epoch();
        t.batchInEpoch = c.position().batchInEpoch();
        t.priorSeconds = c.position().seconds();
        t.lastCheckpoint = checkpoint;
        return t;
    }

    private static SpikingCenterNet loadTeacher(Path file, ModelConfig student) throws IOException {
        SpikingCenterNet teacher = Checkpoint.loadModel(file);
        if (!teacher.config().teacher())
            throw new IOException(file + " is a spiking network (" + teacher.config()
                    + "), not a teacher: train one with 'train --teacher'");
        // SPEC 3: the teacher is the student's network with ReLU in place of PLIF, so the heatmaps compare pixel for
        // pixel and class for class; a narrower or wider teacher would still run, and teach the wrong thing.
        if (!teacher.config().equals(student.asTeacher(true))) {
            throw new IOException(file + ": the teacher (" + teacher.config() + ") is not the student's network ("
                    + student + "): distillation needs the same width, expansion, time steps, classes and input"
                    + " size; train a teacher with the student's settings ('train --teacher')");
        }
        return teacher;
    }

    private static void prepareRunDir(Path dir) throws IOException {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-test", "");
            Files.delete(probe);
        } catch (IOException e) {
            throw new IOException("the run directory " + dir + " is not writable (" + e.getMessage() + ")", e);
        }
    }

    /** Makes the run stop (and save) after step {@code step}, as Ctrl-C would at that step boundary. */
    void stopAfter(long step) {
        stopAfterStep = step;
    }

    /** Runs {@code hook} after every step, on the training thread (an observer: the Spark module, the tests). */
    public void afterEachStep(Runnable hook) {
        afterEachStep = hook;
    }

    /** The optimizer steps done so far: where a resumed run starts, where a finished one ended. */
    public long stepsDone() {
        return globalStep;
    }

    /** A 64-bit digest of the parameters' exact bits: equal on replicas whose weights are equal. */
    public long weightsDigest() {
        return ReplicaTraining.digestOfValues(model.parameters());
    }

    public SpikingCenterNet model() {
        return model;
    }

    public Path runDir() {
        return runDir;
    }

    /** The run's options, its data folder resolved (the built-in synthetic set's, when none was given). */
    public TrainOptions options() {
        return options;
    }

    /**
     * Adds {@code fields} to the summary a finished run wrote in {@code runDir} (replacing those of the same
     * name), atomically as the run writes it: for figures measured after training, such as energy.
     */
    public static void addToSummary(Path runDir, Map<String, ?> fields) throws IOException {
        Path file = runDir.resolve(SUMMARY);
        Map<String, Object> m;
        try {
            m = new GsonBuilder()
                    .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE) // whole numbers stay whole
                    .create()
                    .fromJson(
                            Files.readString(file, StandardCharsets.UTF_8),
                            new TypeToken<LinkedHashMap<String, Object>>() {}.getType());
        } catch (JsonParseException e) {
            throw new IOException(file + " is not a run summary: " + e.getMessage(), e);
        }
        m.putAll(fields);
        writeSummaryFile(runDir, m);
    }

    /** Writes {@code summary} as the run's {@code summary.json}, atomically: a reader sees the old file or the new. */
    private static void writeSummaryFile(Path runDir, Map<String, Object> summary) throws IOException {
        Path tmp = runDir.resolve(SUMMARY + ".tmp");
        Files.writeString(
                tmp, new GsonBuilder().setPrettyPrinting().create().toJson(summary) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, runDir.resolve(SUMMARY), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** How the run's evaluations score. */
    public Protocol protocol() {
        return options.protocol();
    }

    /** Where the steps run, in one line. */
    public String backend() {
        return backend.describe();
    }

    /** Trains to the end (or until asked to stop), evaluating, saving and writing the summary. */
    public Summary run() throws IOException {
        Thread hook = new Thread(this::stopAndWait, "scn-train-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        // replicas other than 0 neither evaluate nor write: no val split and no metrics file for them
        try (Dataset train = SplitEvaluation.openSplit(data, "train");
                Dataset val = lead ? SplitEvaluation.openSplit(data, "val") : null;
                DataLoader loader = new DataLoader(
                        train,
                        DataLoader.Options.of(options.batch(), options.seed(), true, options.flip())
                                .withWorkers(options.workers())
                                .withShard(ring == null ? 0 : ring.rank(), options.replicas()));
                MetricsLog metrics = lead ? MetricsLog.open(runDir, globalStep) : null) {
            return loop(train, val, loader, metrics);
        } finally {
            backend.close();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook is running and now sees `finished`
            }
        }
    }

    private Summary loop(Dataset train, Dataset val, DataLoader loader, MetricsLog metrics) throws IOException {
        perEpoch = options.stepsPerEpoch() > 0
                ? Math.min(options.stepsPerEpoch(), loader.batchesPerEpoch())
                : loader.batchesPerEpoch();
        long total = (long) perEpoch * options.epochs();
        out.printf(
                "training %s on %s: %d samples, %d steps of batch %s per epoch, %d epochs, lr %s -> %s (cosine)%s%n",
                model.config(),
                data,
                train.size(),
                perEpoch,
                options.replicas() == 1
                        ? options.batch()
                        : options.batch() + " on each of " + options.replicas() + " replicas",
                options.epochs(),
                options.lr(),
                options.minLr(),
                options.distillFrom() != null
                        ? ", distilling from " + options.distillFrom() + " ("
                                + options.distillation().describe() + ")"
                        : "");
        if (globalStep > 0)
            out.printf("resuming at step %d (epoch %d, batch %d)%n", globalStep, epoch + 1, batchInEpoch);
        out.println("evaluation on val: protocol " + options.protocol().describe());
        if (fresh && fromTeacher > 0)
            out.printf(
                    "the student starts from the teacher's weights (%d of its %d parameter tensors; its PLIF time"
                            + " constants start at their defaults)%n",
                    fromTeacher, model.parameters().size());
        if (fresh) {
            double[] prior = HeadPriors.apply(model, train);
            if (prior != null)
                out.printf(
                        Locale.ROOT,
                        "regression heads start at the mean training target: size %.2f x %.2f cells, offset (%.2f, %.2f)%n",
                        prior[0],
                        prior[1],
                        prior[2],
                        prior[3]);
        }
        if (fresh && fromTeacher > 0 && options.distillation().calibrate()) {
            backend.upload(); // the fit runs where the steps will, on the values they start from (priors included)
            try (DataLoader one =
                    new DataLoader(train, DataLoader.Options.of(CALIBRATION_BATCH, options.seed(), true, false))) {
                float[][] a = HeadCalibration.apply(
                        model, calibrationTeacher, one.epoch(0).iterator().next());
                out.printf(
                        Locale.ROOT,
                        "the heads are fitted to the teacher's outputs on %d training samples: scales heatmap %s,"
                                + " offset %s, size %s%n",
                        CALIBRATION_BATCH,
                        scales(a[0]),
                        scales(a[1]),
                        scales(a[2]));
            }
        }
        backend.upload(); // the priors, or the restored checkpoint, to where the steps run
        if (ring != null) agreeOnStart(train);
        Map<String, Double> lastEval = lead ? lastEvaluation(metrics) : Map.of();
        long sessionStart = System.nanoTime();
        long sessionSteps = 0;
        try (Progress progress =
                Progress.of("train", total).from(globalStep).lines(out).start()) {
            while (epoch < options.epochs()) {
                Iterator<Batch> batches = loader.epoch(epoch).iterator();
                for (int i = 0; i < batchInEpoch; i++)
                    batches.next(); // the part of the epoch done before the checkpoint
                while (batchInEpoch < perEpoch) {
                    if (backend.stopBeforeNextStep(stopRequested)) return stop(lastEval, sessionStart);
                    Batch batch = batches.next();
                    float lr = options.lrAt(globalStep, total);
                    TrainStep.Result r = backend.run(batch.input(), batch.boxes(), lr);
                    if (!r.finite()) throw diverged(r);
                    globalStep++;
                    batchInEpoch++;
                    sessionSteps++;
                    double seconds = (System.nanoTime() - sessionStart) * 1e-9;
                    double samplesPerS = sessionSteps * options.batch() * options.replicas() / Math.max(1e-9, seconds);
                    if (lead) metrics.write("step", stepFields(r, lr, samplesPerS, seconds));
                    afterEachStep.run();
                    progress.update(
                            globalStep,
                            String.format(
                                    Locale.ROOT,
                                    "%.1f samples/s loss %.3f hm %.3f off %.3f size %.3f%s",
                                    samplesPerS,
                                    r.total(),
                                    r.heatmap(),
                                    r.offset(),
                                    r.size(),
                                    options.distillFrom() != null
                                            ? String.format(Locale.ROOT, " kd %.3f", r.distill())
                                            : ""));
                    // at the end of an epoch the epoch's own checkpoint follows, after its evaluation
                    if (options.checkpointEvery() > 0
                            && globalStep % options.checkpointEvery() == 0
                            && batchInEpoch < perEpoch) save(sessionStart);
                    if (globalStep == stopAfterStep) stopRequested = true;
                }
                epoch++;
                batchInEpoch = 0;
                boolean last = epoch == options.epochs();
                if (lead && (last || (options.evalEvery() > 0 && epoch % options.evalEvery() == 0))) {
                    lastEval = evaluate(val);
                    Map<String, Object> fields = new LinkedHashMap<>();
                    fields.put("step", globalStep);
                    fields.put("epoch", epoch);
                    fields.putAll(lastEval);
                    fields.put("protocol", options.protocol().toMap());
                    metrics.write("eval", fields);
                    out.printf(
                            Locale.ROOT,
                            "%nepoch %d: val mAP %.4f, AP50 %.4f, AP75 %.4f (protocol %s)%n",
                            epoch,
                            lastEval.get("map"),
                            lastEval.get("ap50"),
                            lastEval.get("ap75"),
                            options.protocol().name());
                    Plots.write(runDir, metrics);
                }
                save(sessionStart);
            }
        }
        Summary s = new Summary(lastEval, options.epochs(), globalStep, elapsed(sessionStart), false, lastCheckpoint);
        if (!lead) return s;
        Plots.write(runDir, metrics);
        backend.download();
        ModelFiles.save(runDir.resolve(MODEL), model);
        writeSummary(s);
        return s;
    }

    private Map<String, Object> stepFields(TrainStep.Result r, float lr, double samplesPerS, double seconds) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("step", globalStep);
        f.put("epoch", epoch + (double) batchInEpoch / perEpoch);
        f.put("lr", lr);
        f.put("loss", r.total());
        f.put("heatmap", r.heatmap());
        f.put("offset", r.offset());
        f.put("size", r.size());
        if (options.distillFrom() != null) f.put("distill", r.distill());
        f.put("grad_norm", r.gradNorm());
        f.put("samples_per_s", samplesPerS);
        f.put("seconds", priorSeconds + seconds);
        return f;
    }

    /** Runs the model on every {@code val} sample and scores it against the split's box files by the run's protocol. */
    Map<String, Double> evaluate(Dataset val) throws IOException {
        var split = new SplitEvaluation.Split(val, data.resolve("val"), options.protocol());
        return SplitEvaluation.run(backend.forward(), split, options.batch(), null)
                .toMap();
    }

    private static Map<String, Double> lastEvaluation(MetricsLog metrics) {
        Map<String, Double> m = new LinkedHashMap<>();
        if (metrics.evals().isEmpty()) return m;
        var last = metrics.evals().get(metrics.evals().size() - 1);
        for (String k : new String[] {"map", "ap50", "ap75", "ap_small", "ap_medium", "ap_large"}) {
            if (last.has(k) && !last.get(k).isJsonNull()) m.put(k, last.get(k).getAsDouble());
        }
        return m;
    }

    /**
     * Fails unless every replica is about to run the same thing: the options, the position in the data, the size of
     * the training split, and bit for bit the weights and optimizer moments (all built from the seed or read from
     * one checkpoint, so a difference means a different build, data or file).
     */
    private void agreeOnStart(Dataset train) throws IOException {
        ring.agree("the options", GSON.toJson(options));
        ring.agree(
                "where the run stands and its data",
                String.format(
                        Locale.ROOT,
                        "step %d (epoch %d, batch %d), %d training samples in %s",
                        globalStep,
                        epoch,
                        batchInEpoch,
                        train.size(),
                        data));
        ring.agree(
                "the weights and optimizer state",
                String.format(
                        Locale.ROOT,
                        "weights %x, moments %x after %d optimizer steps",
                        ReplicaTraining.digestOfValues(model.parameters()),
                        ReplicaTraining.digest(backend.optimizer().moments()),
                        backend.optimizer().steps()));
    }

    private void save(long sessionStart) throws IOException {
        if (!lead) return; // replica 0 saves for all: their weights and moments are the same
        backend.download();
        lastCheckpoint = Checkpoint.save(
                runDir,
                model,
                backend.optimizer(),
                options,
                new Checkpoint.Position(globalStep, epoch, batchInEpoch, elapsed(sessionStart)));
    }

    private double elapsed(long sessionStart) {
        return priorSeconds + (System.nanoTime() - sessionStart) * 1e-9;
    }

    private Summary stop(Map<String, Double> lastEval, long sessionStart) throws IOException {
        save(sessionStart);
        if (lead)
            out.printf(
                    "%nstopped at step %d; checkpoint saved to %s%nresume with: train --resume %s%n",
                    globalStep, lastCheckpoint, lastCheckpoint);
        else out.printf("%nstopped at step %d with the other replicas; replica 0 saved the checkpoint%n", globalStep);
        return new Summary(lastEval, epoch, globalStep, elapsed(sessionStart), true, lastCheckpoint);
    }

    private IOException diverged(TrainStep.Result r) {
        String what = Float.isFinite(r.total()) ? "the gradient norm is " + r.gradNorm() : "the loss is " + r.total();
        return new IOException(String.format(
                Locale.ROOT,
                "training diverged at step %d (epoch %d, batch %d): %s (heatmap %s, offset %s, size %s); the step was not applied. "
                        + "Last good checkpoint: %s",
                globalStep + 1,
                epoch + 1,
                batchInEpoch + 1,
                what,
                r.heatmap(),
                r.offset(),
                r.size(),
                lastCheckpoint == null
                        ? "none (no checkpoint was written yet)"
                        : lastCheckpoint + " (resume from it with a lower --lr)"));
    }

    private void writeSummary(Summary s) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        for (var e : s.val().entrySet()) m.put("val_" + e.getKey(), e.getValue());
        if (options.replicas() > 1) m.put("replicas", options.replicas());
        m.put("protocol", options.protocol().toMap());
        m.put("epochs", s.epochs());
        m.put("steps", s.steps());
        m.put("seconds", Math.round(s.seconds() * 10) / 10.0);
        m.put("model", model.config().toMetadata());
        m.put("options", options);
        m.put("checkpoint", String.valueOf(s.checkpoint()));
        m.put("weights", runDir.resolve(MODEL).toString());
        writeSummaryFile(runDir, m);
    }

    /** The shutdown hook: ask the loop to stop at the next step boundary and wait until it has saved. */
    private void stopAndWait() {
        stopRequested = true;
        try {
            if (!finished.await(SHUTDOWN_WAIT_S, TimeUnit.SECONDS))
                System.err.println("train: gave up waiting for the checkpoint after " + SHUTDOWN_WAIT_S + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String scales(float[] a) {
        StringBuilder b = new StringBuilder();
        for (float v : a) b.append(b.isEmpty() ? "" : "/").append(String.format(Locale.ROOT, "%.2f", v));
        return b.toString();
    }
}
