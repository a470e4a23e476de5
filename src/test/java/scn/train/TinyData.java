package scn.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import scn.data.synth.SyntheticDataset;

/**
 * A tiny synthetic GEN1-layout dataset for the training tests, generated once per test JVM: four
 * recordings of 1.2 s (two for train, one each for val and test), about ten labelled samples each.
 */
public final class TinyData {
    private static Path root, deviceRoot;

    private TinyData() {}

    public static synchronized Path root() {
        if (root == null) {
            try {
                Path dir = Files.createTempDirectory("scn-tiny-");
                SyntheticDataset.generate(dir, new SyntheticDataset.Config(4, 1, 1.2, 10.0, 5000, 2), s -> {});
                root = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }

    /**
     * A smaller set for the tests that run on an OpenCL device, where PoCL takes seconds per sample: three
     * recordings of 0.65 s, one per split, labelled at 5 Hz: three samples each, the last one after the
     * first 0.5 s, which the GEN1 evaluation skips.
     */
    public static synchronized Path deviceRoot() {
        if (deviceRoot == null) {
            try {
                Path dir = Files.createTempDirectory("scn-device-");
                SyntheticDataset.generate(dir, new SyntheticDataset.Config(3, 1, 0.65, 5.0, 5000, 2), s -> {});
                deviceRoot = dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return deviceRoot;
    }

    /**
     * Two steps of batch 1 on the device set at width 0.0625 on {@code device}, evaluation only at the end;
     * lr 1e-4 as in the device step test, so that one weight whose tiny gradient has opposite signs on
     * two devices moves apart by at most 2e-4 (AdamW's first update is about ±lr whatever the gradient).
     */
    public static TrainOptions onDevice(Path runDir, String device) {
        return TrainOptions.builder()
                .preset("test")
                .data(deviceRoot().toString())
                .runDir(runDir.toString())
                .width(0.0625)
                .epochs(1)
                .batch(1)
                .lr(1e-4f)
                .minLr(1e-5f)
                .seed(3)
                .evalEvery(0)
                .checkpointEvery(0)
                .flip(false)
                .stepsPerEpoch(2)
                .device(device)
                .build();
    }

    /** Options for a short run on the tiny set: width 0.0625, batch 4, the quick preset's learning rates, no flips. */
    public static TrainOptions options(Path runDir, int epochs, int stepsPerEpoch) {
        return TrainOptions.builder()
                .preset("test")
                .data(root().toString())
                .runDir(runDir.toString())
                .width(0.0625)
                .epochs(epochs)
                .batch(4)
                .lr(1e-2f)
                .minLr(1e-4f)
                .seed(3)
                .evalEvery(0)
                .checkpointEvery(2)
                .flip(false)
                .stepsPerEpoch(stepsPerEpoch)
                .build();
    }

    /**
     * The run that learns: width 0.125, batch 2, 5 epochs of the 22 training samples, seed 1. About 45
     * steps is where the detections begin to overlap objects at all (val mAP 0.0006 after 5 epochs).
     */
    public static TrainOptions learning(Path runDir) {
        return TrainOptions.builder()
                .preset("test")
                .data(root().toString())
                .runDir(runDir.toString())
                .width(0.125)
                .epochs(5)
                .batch(2)
                .lr(1e-2f)
                .minLr(1e-4f)
                .seed(1)
                .evalEvery(0)
                .checkpointEvery(50)
                .flip(false)
                .stepsPerEpoch(0)
                .build();
    }
}
