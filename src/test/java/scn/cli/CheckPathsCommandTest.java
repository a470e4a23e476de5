package scn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.check.Draw;
import scn.data.NpyWriter;
import scn.model.ModelFiles;

/**
 * {@code check-paths} end to end: on the shared chaotic fixture (one stem neuron 1.4e-7 from the
 * threshold flips, and an end-to-end comparison sees a different network) it passes, with that one flip
 * explained; on random draws saved to files it passes in child JVMs with 1 and 3 worker threads, so the
 * threads' share of every sum is checked too.
 */
class CheckPathsCommandTest {
    private static final Path FIXTURE = Path.of("../shared/fixtures/fastpath-divergence");

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
    void theChaoticFixturePassesWithItsOneStemFlipExplained(@TempDir Path dir) throws IOException {
        assumeTrue(Files.isDirectory(FIXTURE), "the shared fixture is not here (a user's clone)");
        Path json = dir.resolve("check.json");
        int code = run(
                "check-paths",
                "--width",
                "0.25",
                "--weights",
                FIXTURE.resolve("weights.safetensors").toString(),
                "--input",
                FIXTURE.resolve("input.npy").toString(),
                "--boxes",
                FIXTURE.resolve("boxes.npy").toString(),
                "--json",
                json.toString());
        assertEquals(0, code, "check-paths on the fixture");
        JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertTrue(root.get("passed").getAsBoolean());
        var rows = root.getAsJsonArray("rows");
        assertEquals(39, rows.size(), "every layer has a row");
        JsonObject stem = rows.get(0).getAsJsonObject();
        assertEquals("encoder.stem", stem.get("layer").getAsString());
        assertEquals(1, stem.get("flips").getAsLong(), "the one stem neuron near the threshold");
        assertEquals(1, stem.get("explained").getAsLong());
        assertTrue(stem.get("closest").getAsDouble() < 0.1, "it lies far inside the bound: " + stem.get("closest"));
    }

    /** Saves a draw as check-paths' files and runs the command in a child JVM with {@code threads} workers. */
    private static void checkInChild(long seed, int threads, String spikes, Path dir)
            throws IOException, InterruptedException {
        Draw d = Draw.of(seed);
        Path weights = dir.resolve("w" + seed + ".safetensors"),
                input = dir.resolve("x" + seed + ".npy"),
                boxes = dir.resolve("b" + seed + ".npy");
        ModelFiles.save(weights, d.model());
        NpyWriter.writeUint8(input, d.input().spikes().data(), d.input().shape());
        NpyWriter.writeFloat32(boxes, d.boxes().data(), d.boxes().shape());
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules",
                "jdk.incubator.vector",
                "-Dscn.threads=" + threads,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "check-paths",
                "--weights",
                weights.toString(),
                "--input",
                input.toString(),
                "--width",
                Double.toString(d.config().width()),
                "--spikes",
                spikes));
        if (d.training()) cmd.addAll(List.of("--boxes", boxes.toString()));
        else cmd.add("--eval");
        if (d.config().teacher()) cmd.add("--teacher");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child finishes");
        assertEquals(0, p.exitValue(), d + " with " + threads + " threads, spikes " + spikes + ":\n" + out);
        assertTrue(
                out.contains("passed: every difference is within float32 round-off")
                        && out.contains(threads + " threads"),
                out);
    }

    @Test
    void randomDrawsPassWithOneAndThreeThreads(@TempDir Path dir) throws Exception {
        checkInChild(4, 3, "sparse", dir); // a student, training step, batch 3
        checkInChild(3, 1, "dense", dir); // the teacher
        checkInChild(8, 3, "auto", dir); // a student's evaluation forward
    }
}
