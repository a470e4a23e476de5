package scn.train;

import java.util.Locale;
import scn.backend.opencl.Devices;
import scn.eval.Protocol;

/**
 * Everything that decides a training run, kept in every checkpoint so that {@code --resume} continues
 * the same run. Paths are strings so the record serialises as it is.
 *
 * <p>Two presets. {@code full} is SPEC section 5 as written, for GEN1: width 1, AdamW at 1e-4 for the SNN
 * and 1e-3 for the teacher, cosine annealing to 1e-5 (epochs and batch size are ours: the paper does not
 * give them). {@code quick} is the preset of the no-argument {@code train} on the synthetic dataset: a
 * narrow network and a larger learning rate, so that it learns something useful within minutes on two
 * CPU cores (see the README for what it reaches and what more epochs give).
 *
 * @param data            GEN1-layout root ({@code train/ val/ test/}); null: the built-in synthetic set
 * @param runDir          where checkpoints, metrics, plots and the summary go
 * @param teacher         train the ReLU teacher instead of the SNN
 * @param distillFrom     a trained teacher's weights to distil from (SNN only), or null
 * @param evalEvery       evaluate on {@code val} every this many epochs (and always after the last); 0: only after the
 * last
 * @param checkpointEvery save a checkpoint every this many steps (and at every epoch end, on Ctrl-C and at the end)
 * @param flip            mirror samples left to right at random (ours: CenterNet's standard augmentation)
 * @param stepsPerEpoch   end each epoch after this many batches of its shuffled order (0: the whole split)
 * @param device          where the steps run: {@code cpu} or {@code opencl[:N]};
 *                        null, as in checkpoints from before the option, means {@code cpu}
 * @param headLrScale     the heads' output convolutions learn at this multiple of the learning rate (ours: they
 *                        turn spike rates in [0, 1] into logits and sizes of several units, weights AdamW moves by
 *                        about lr per step; the quick preset uses 10); 0, as in older checkpoints, means 1
 * @param protocol        how the evaluations on {@code val} score; null, as in checkpoints from before the option,
 *                        means {@link Protocol#GEN1}
 * @param distillation    how {@code distillFrom}'s outputs are matched; null, as in checkpoints from before the
 *                        option, means {@link Distillation#SPEC}
 * @param replicas        data-parallel replicas, each taking batches of {@code batch} from its own shard of every
 *                        epoch, their gradients averaged every step (CPU only; a run of several is started by the Spark
 *                        module, or by {@link Trainer#start(TrainOptions, java.io.PrintStream, Replica)}); 0, as in
 *                        checkpoints from before the option, means 1
 */
public record TrainOptions(
        String preset,
        String data,
        String runDir,
        boolean teacher,
        String distillFrom,
        double width,
        double expansion,
        int epochs,
        int batch,
        float lr,
        float minLr,
        float weightDecay,
        long seed,
        int evalEvery,
        int checkpointEvery,
        boolean flip,
        int stepsPerEpoch,
        int workers,
        String device,
        float headLrScale,
        Protocol protocol,
        Distillation distillation,
        int replicas) {
    public TrainOptions {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        if (!(lr > 0) || !(minLr >= 0) || minLr > lr)
            throw new IllegalArgumentException("need 0 <= --min-lr <= --lr and --lr > 0, got " + minLr + ", " + lr);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("--weight-decay must be >= 0, got " + weightDecay);
        if (evalEvery < 0 || checkpointEvery < 0 || stepsPerEpoch < 0 || workers < 1) {
            throw new IllegalArgumentException(
                    "--eval-every, --checkpoint-every and --steps-per-epoch must be >= 0, --workers >= 1");
        }
        if (teacher && distillFrom != null)
            throw new IllegalArgumentException(
                    "--teacher and --distill-from exclude each other: the teacher is trained alone");
        device = device == null ? Devices.CPU : device.trim();
        if (headLrScale == 0) headLrScale = 1;
        if (!(headLrScale > 0)) throw new IllegalArgumentException("--head-lr-scale must be > 0, got " + headLrScale);
        if (protocol == null) protocol = Protocol.GEN1;
        if (distillation == null) distillation = Distillation.SPEC;
        if (replicas == 0) replicas = 1;
        if (replicas < 1) throw new IllegalArgumentException("--replicas must be at least 1, got " + replicas);
        int devices = Devices.list(device).size(); // checks each entry's spelling
        if (devices > 1 && replicas % devices != 0)
            throw new IllegalArgumentException("--device lists " + devices + " devices for " + replicas
                    + " replicas: give as many replicas as devices (or a multiple)");
    }

    /** Whether the steps run on the CPU (every replica's). */
    public boolean onCpu() {
        return Devices.list(device).stream().allMatch(Devices::isCpu);
    }

    /** The settings of preset {@code name} ({@code quick} or {@code full}) for an SNN or a teacher. */
    public static TrainOptions preset(String name, boolean teacher) {
        return presetBuilder(name, teacher).build();
    }

    /** A builder holding preset {@code name}'s settings, for a command line to override. */
    public static Builder presetBuilder(String name, boolean teacher) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "quick" ->
                new Builder()
                        .preset("quick")
                        .teacher(teacher)
                        .width(0.25)
                        .epochs(5)
                        .batch(2)
                        .lr(3e-2f)
                        .minLr(3e-4f)
                        .checkpointEvery(300)
                        .stepsPerEpoch(300)
                        .headLrScale(10f);
            case "full" ->
                new Builder()
                        .preset("full")
                        .teacher(teacher)
                        .width(1.0)
                        .epochs(50)
                        .batch(8)
                        .lr(teacher ? 1e-3f : 1e-4f)
                        .minLr(1e-5f)
                        .checkpointEvery(1000)
                        .stepsPerEpoch(0)
                        .headLrScale(1f);
            default -> throw new IllegalArgumentException("unknown preset '" + name + "': use quick or full");
        };
    }

    /** A builder starting from the neutral values (see {@link Builder}). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder()
                .preset(preset)
                .data(data)
                .runDir(runDir)
                .teacher(teacher)
                .distillFrom(distillFrom)
                .width(width)
                .expansion(expansion)
                .epochs(epochs)
                .batch(batch)
                .lr(lr)
                .minLr(minLr)
                .weightDecay(weightDecay)
                .seed(seed)
                .evalEvery(evalEvery)
                .checkpointEvery(checkpointEvery)
                .flip(flip)
                .stepsPerEpoch(stepsPerEpoch)
                .workers(workers)
                .device(device)
                .headLrScale(headLrScale)
                .protocol(protocol)
                .distillation(distillation)
                .replicas(replicas);
    }

    public TrainOptions withPaths(String data, String runDir, String distillFrom) {
        return toBuilder().data(data).runDir(runDir).distillFrom(distillFrom).build();
    }

    /** The same run on another device ({@code cpu} or {@code opencl[:N]}). */
    public TrainOptions withDevice(String device) {
        return toBuilder().device(device).build();
    }

    /** The same run, its evaluations scored with {@code protocol}. */
    public TrainOptions withProtocol(Protocol protocol) {
        return toBuilder().protocol(protocol).build();
    }

    /**
     * Options by name, so that nobody counts 22 positional arguments. Starts from the neutral values
     * (expansion 1.5, weight decay 1e-4, seed 1, evaluation every epoch, flips on, one worker, the CPU,
     * GEN1's protocol, one replica) and checks everything in {@link #build}.
     */
    public static final class Builder {
        private String preset = "custom", data, runDir, distillFrom, device = Devices.CPU;
        private boolean teacher, flip = true;
        private double width = 1.0, expansion = 1.5;
        private int epochs = 1, batch = 1, evalEvery = 1, checkpointEvery, stepsPerEpoch, workers = 1, replicas = 1;
        private float lr = 1e-4f, minLr = 1e-5f, weightDecay = 1e-4f, headLrScale = 1f;
        private long seed = 1;
        private Protocol protocol = Protocol.GEN1;
        private Distillation distillation = Distillation.SPEC;

        public Builder preset(String v) {
            preset = v;
            return this;
        }

        public Builder data(String v) {
            data = v;
            return this;
        }

        public Builder runDir(String v) {
            runDir = v;
            return this;
        }

        public Builder teacher(boolean v) {
            teacher = v;
            return this;
        }

        public Builder distillFrom(String v) {
            distillFrom = v;
            return this;
        }

        public Builder width(double v) {
            width = v;
            return this;
        }

        public Builder expansion(double v) {
            expansion = v;
            return this;
        }

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        public Builder batch(int v) {
            batch = v;
            return this;
        }

        public Builder lr(float v) {
            lr = v;
            return this;
        }

        public Builder minLr(float v) {
            minLr = v;
            return this;
        }

        public Builder weightDecay(float v) {
            weightDecay = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder evalEvery(int v) {
            evalEvery = v;
            return this;
        }

        public Builder checkpointEvery(int v) {
            checkpointEvery = v;
            return this;
        }

        public Builder flip(boolean v) {
            flip = v;
            return this;
        }

        public Builder stepsPerEpoch(int v) {
            stepsPerEpoch = v;
            return this;
        }

        public Builder workers(int v) {
            workers = v;
            return this;
        }

        public Builder device(String v) {
            device = v;
            return this;
        }

        public Builder headLrScale(float v) {
            headLrScale = v;
            return this;
        }

        public Builder protocol(Protocol v) {
            protocol = v;
            return this;
        }

        public Builder distillation(Distillation v) {
            distillation = v;
            return this;
        }

        public Builder replicas(int v) {
            replicas = v;
            return this;
        }

        public TrainOptions build() {
            return new TrainOptions(
                    preset,
                    data,
                    runDir,
                    teacher,
                    distillFrom,
                    width,
                    expansion,
                    epochs,
                    batch,
                    lr,
                    minLr,
                    weightDecay,
                    seed,
                    evalEvery,
                    checkpointEvery,
                    flip,
                    stepsPerEpoch,
                    workers,
                    device,
                    headLrScale,
                    protocol,
                    distillation,
                    replicas);
        }
    }

    /**
     * The cosine-annealed learning rate at {@code step} of {@code totalSteps}: {@code lr} at 0, {@code minLr} at the
     * end.
     */
    public float lrAt(long step, long totalSteps) {
        double progress = totalSteps <= 1 ? 0 : Math.min(1.0, (double) step / (totalSteps - 1));
        return (float) (minLr + (lr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
