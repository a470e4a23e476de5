package scn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.autograd.Parameter;
import scn.data.NpyWriter;
import scn.model.ModelFiles;
import scn.model.io.SafeTensors;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.tensor.Tensor;

/**
 * {@code dump-step} end to end on a tiny network: the file holds every output, loss and gradient; and
 * the whole step on the fast CPU paths agrees with the same step on the scalar references.
 */
class DumpStepCommandTest {
    private static final ModelConfig TINY = new ModelConfig(0.0625, 1.5, 5, 2, false);

    private static int run(String... args) {
        PrintStream out = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream()));
        try {
            return Main.run(args);
        } finally {
            System.setOut(out);
        }
    }

    @Test
    void writesOutputsLossesAndEveryGradientAndFastMatchesReference(@TempDir Path dir) throws IOException {
        SpikingCenterNet model = new SpikingCenterNet(TINY, 5);
        Path weights = dir.resolve("w.safetensors"), x = dir.resolve("x.npy"), b = dir.resolve("b.npy");
        ModelFiles.save(weights, model);
        SplittableRandom r = new SplittableRandom(9);
        byte[] spikes = new byte[5 * 2 * 4 * 240 * 304]; // [T, B, 4, 240, 304]
        for (int i = 0; i < spikes.length; i++) spikes[i] = (byte) (r.nextDouble() < 0.15 ? 1 : 0);
        NpyWriter.writeUint8(x, spikes, 5, 2, 4, 240, 304);
        NpyWriter.writeFloat32(
                b,
                new float[] {
                    20, 30, 60, 40, 0, 150, 100, 20, 50, 1, 0, 0, 0, 0, -1, 100, 60, 90, 70, 0, 0, 0, 0, 0, -1, 0, 0, 0,
                    0, -1
                },
                2,
                3,
                5);

        Path fast = dir.resolve("fast.safetensors"), ref = dir.resolve("ref.safetensors");
        String[] common = {
            "dump-step",
            "--weights",
            weights.toString(),
            "--input",
            x.toString(),
            "--boxes",
            b.toString(),
            "--width",
            "0.0625"
        };
        assertEquals(0, run(concat(common, "--out", fast.toString())));
        assertEquals(0, run(concat(common, "--out", ref.toString(), "--reference")));

        Map<String, Tensor> f = SafeTensors.read(fast), rf = SafeTensors.read(ref);
        for (String k : new String[] {"out.heatmap", "out.offset", "out.size"})
            assertEquals(4, f.get(k).rank(), k);
        float total = f.get("loss.total").item();
        assertEquals(
                f.get("loss.heatmap").item()
                        + f.get("loss.offset").item()
                        + 0.1f * f.get("loss.size").item(),
                total,
                1e-5);
        assertTrue(Float.isFinite(total) && total > 0);
        for (Parameter p : model.parameters()) assertTrue(f.containsKey("grad." + p.name()), p.name());

        // Float sums run in other orders on the two paths, so values differ by round-off; a spike can
        // flip where a potential sits within round-off of the threshold, which moves a few gradients
        // further. Outputs and losses must agree closely, and nearly all gradient values too.
        assertEquals(rf.get("loss.total").item(), total, 1e-3 * Math.abs(total));
        scn.TestUtil.assertClose(
                "out.heatmap",
                rf.get("out.heatmap").data(),
                f.get("out.heatmap").data(),
                1e-3,
                1e-3);
        long values = 0, off = 0;
        for (Parameter p : model.parameters()) {
            float[] a = rf.get("grad." + p.name()).data(),
                    c = f.get("grad." + p.name()).data();
            double scale = scn.TestUtil.maxAbs(a);
            for (int i = 0; i < a.length; i++) {
                values++;
                if (Math.abs(a[i] - c[i]) > 1e-3 * scale + 1e-6) off++;
            }
        }
        assertTrue(off <= values / 100, off + " of " + values + " gradient values differ beyond round-off");
    }

    @Test
    void badInputsNameTheFileAndShapes(@TempDir Path dir) throws IOException {
        Path weights = dir.resolve("w.safetensors"), x = dir.resolve("x.npy"), b = dir.resolve("b.npy");
        ModelFiles.save(weights, new SpikingCenterNet(TINY, 5));
        NpyWriter.writeFloat32(x, new float[5 * 4 * 10 * 10], 5, 1, 4, 10, 10);
        NpyWriter.writeFloat32(b, new float[5], 1, 1, 5);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            assertEquals(
                    1,
                    run(
                            "dump-step",
                            "--weights",
                            weights.toString(),
                            "--input",
                            x.toString(),
                            "--boxes",
                            b.toString(),
                            "--out",
                            dir.resolve("o").toString(),
                            "--width",
                            "0.0625"));
        } finally {
            System.setErr(saved);
        }
        assertTrue(err.toString().contains("x.npy") && err.toString().contains("[5, 1, 4, 10, 10]"), err.toString());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
