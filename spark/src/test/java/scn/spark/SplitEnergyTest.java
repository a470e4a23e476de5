package scn.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.backend.SpikePath;
import scn.data.Dataset;
import scn.data.events.DataFormatException;
import scn.energy.EnergyEstimator;
import scn.energy.EnergyMeasurement;
import scn.eval.SplitEvaluation;
import scn.model.ModelFiles;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.train.Checkpoint;

/** The energy estimate over a split on Spark, one task per recording, is the local command's, figure for figure. */
class SplitEnergyTest {
    @TempDir
    static Path tmp;

    private static Path weights;

    /** An untrained network: its spikes still make counts to compare. */
    @BeforeAll
    static void weights() throws IOException {
        weights = tmp.resolve("model.safetensors");
        ModelFiles.save(weights, new SpikingCenterNet(new ModelConfig(0.0625, 1.5, 5, 2, false), 5));
    }

    @Test
    void figuresAndPathsAreTheLocalCommands() throws IOException {
        Path data = LocalSpark.data();
        SpikingCenterNet model = Checkpoint.loadModel(weights);
        // 13 samples asked, batches of 4: the local command measures 16, the first 11 (one recording) and 5 of the
        // next, in batches 4+4+4+4, the third across both recordings; the tasks' batches are 4+4+3 and 4+1
        long samples = 13;
        int batch = 4;
        EnergyMeasurement local;
        try (Dataset ds = SplitEvaluation.openSplit(data, "train")) {
            long measured = EnergyEstimator.samplesMeasured(samples, batch, ds.size());
            local = EnergyMeasurement.measure(model, "cpu", ds, measured, batch, SpikePath.Mode.AUTO, n -> {});
        }
        SplitEnergy.Result spark = SplitEnergy.run(
                LocalSpark.context(), weights, data, "train", samples, batch, SpikePath.Mode.AUTO, null);
        assertEquals(List.of("cpu", "cpu"), spark.devices(), "two recordings, two tasks, no GPU in local mode");
        EnergyMeasurement got = spark.measurement();
        assertEquals(16, local.counts().samples());
        assertTrue(local.counts().layers().size() > 40 && !local.paths().isEmpty());
        assertEquals(local.counts(), got.counts(), "every layer's integer counts");
        assertEquals(local.forwardPaths(), got.forwardPaths());
        assertEquals(local.json(model.config()), got.json(model.config()));
        assertEquals(printed(local, model.config()), printed(got, model.config()));
    }

    @Test
    void aMissingSplitIsNamed() {
        Path data = LocalSpark.data();
        DataFormatException e = assertThrows(
                DataFormatException.class,
                () -> SplitEnergy.run(LocalSpark.context(), weights, data, "nope", 0, 4, SpikePath.Mode.AUTO, null));
        assertTrue(e.getMessage().contains(data.toString()) && e.getMessage().contains("'nope'"), e.getMessage());
    }

    private static String printed(EnergyMeasurement m, ModelConfig config) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.print(config, SpikePath.Mode.AUTO, new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
