package scn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.data.Boxes;
import scn.model.ModelFiles;
import scn.nn.ModelConfig;
import scn.nn.SpikingCenterNet;
import scn.train.TinyData;

/** {@code evaluate} on hand-made box files, and {@code detect}, {@code eval} and {@code energy} on the tiny set. */
class EvaluationCommandsTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    private static void boxFile(Path file, Boxes.Dtype dtype, double[]... rows) throws IOException {
        Boxes b = new Boxes();
        for (double[] r : rows)
            b.add((long) r[0], (float) r[1], (float) r[2], (float) r[3], (float) r[4], (int) r[5], 0, (float) r[6]);
        b.write(file, dtype, 1);
    }

    @Test
    void evaluateFollowsProphesee() throws IOException {
        Path gt = Files.createDirectories(tmp.resolve("gt")), dt = Files.createDirectories(tmp.resolve("dt"));
        // recording a: one car, found exactly; a pedestrian detection although no pedestrian exists anywhere
        boxFile(gt.resolve("a_bbox.npy"), Boxes.Dtype.GEN1, new double[] {600000, 10, 10, 40, 40, 0, 1});
        boxFile(
                dt.resolve("a_bbox.npy"),
                Boxes.Dtype.PROPHESEE,
                new double[] {600000, 10, 10, 40, 40, 0, 0.9},
                new double[] {650000, 100, 100, 30, 30, 1, 0.95});
        // recording b: one car and no detection file at all; recording c: detections without ground truth
        boxFile(gt.resolve("b_bbox.npy"), Boxes.Dtype.GEN1, new double[] {700000, 50, 50, 40, 40, 0, 1});
        boxFile(dt.resolve("c_bbox.npy"), Boxes.Dtype.PROPHESEE, new double[] {700000, 50, 50, 40, 40, 0, 0.99});
        Path json = tmp.resolve("ap.json");
        Run r = run("evaluate", "--gt", gt.toString(), "--dt", dt.toString(), "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(
                r.err().contains("'c'") && r.err().contains("1 of 2 ground-truth files have no detection file"),
                r.err());
        // cars: 2 objects, one found with precision 1 -> precision 1 up to recall 0.5, then 0: 51 of 101 recall points
        double half = 51.0 / 101;
        JsonObject o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(half, o.get("map").getAsDouble(), 1e-6);
        assertEquals(half, o.get("ap50").getAsDouble(), 1e-6);
        assertEquals(half, o.get("ap75").getAsDouble(), 1e-6);
        assertEquals(-1, o.get("ap_small").getAsDouble());
        assertEquals(half, o.get("ap_medium").getAsDouble(), 1e-6);
        assertEquals(-1, o.get("ap_large").getAsDouble());
        assertTrue(r.out().matches("(?s).*mAP@\\[\\.5:\\.95\\] +0\\.5050.*"), r.out());
        String gen1 = "{\"name\": \"gen1\", \"skip_us\": 500000, \"min_diag\": 30, \"min_side\": 10, "
                + "\"time_tol_us\": 50000}";
        assertEquals(JsonParser.parseString(gen1), o.get("protocol"));
        String line = "protocol: gen1 (t > 500000 us, diagonal >= 30 px, sides >= 10 px, time tolerance 50000 us)";
        assertTrue(r.out().contains(line), r.out());
    }

    @Test
    void evaluateTakesAProtocolByNameOrByItsValues() throws IOException {
        Path gt = Files.createDirectories(tmp.resolve("gt")), dt = Files.createDirectories(tmp.resolve("dt"));
        // a 15 px wide pedestrian, found; a car, missed: gen1 scores both classes, Prophesee's script the car alone
        boxFile(gt.resolve("a_bbox.npy"), Boxes.Dtype.GEN1, new double[] {600000, 10, 10, 15, 40, 1, 1}, new double[] {
            600000, 100, 100, 40, 40, 0, 1
        });
        boxFile(dt.resolve("a_bbox.npy"), Boxes.Dtype.PROPHESEE, new double[] {600000, 10, 10, 15, 40, 1, 0.9});
        Path json = tmp.resolve("ap.json");
        String[] common = {"evaluate", "--gt", gt.toString(), "--dt", dt.toString(), "--json", json.toString()};

        assertEquals(0, run(common).code());
        assertEquals(0.5, map(json), 1e-9);
        Run psee = run(concat(common, "--protocol", "psee-gen1"));
        assertEquals(0, psee.code(), psee.err());
        assertEquals(0.0, map(json), 1e-9);
        assertEquals("psee-gen1", protocol(json).get("name").getAsString());
        assertEquals(100000, protocol(json).get("skip_us").getAsLong());
        assertTrue(
                psee.out().contains("protocol: psee-gen1 (t > 100000 us, diagonal >= 30 px, sides >= 20 px"),
                psee.out());

        // an override wins over the named value, and the protocol is then named custom
        Run custom = run(concat(common, "--protocol", "psee-gen1", "--min-side", "10"));
        assertEquals(0, custom.code(), custom.err());
        assertEquals(0.5, map(json), 1e-9);
        String customJson = "{\"name\": \"custom\", \"skip_us\": 100000, \"min_diag\": 30, \"min_side\": 10, "
                + "\"time_tol_us\": 50000}";
        assertEquals(JsonParser.parseString(customJson), protocol(json));

        Run unknown = run(concat(common, "--protocol", "gen2"));
        assertEquals(2, unknown.code());
        String known = "unknown protocol 'gen2': known protocols are gen1, psee-gen1, gen4";
        assertTrue(unknown.err().contains(known), unknown.err());
        for (String command : new String[] {"eval", "train"}) {
            Run r = run(command, "--protocol", "gen2");
            assertEquals(2, r.code(), command);
            assertTrue(r.err().contains("known protocols are gen1, psee-gen1, gen4"), r.err());
        }
        Run negative = run(concat(common, "--skip-us", "-1"));
        assertEquals(2, negative.code());
        assertTrue(negative.err().contains("evaluate: the time skip must be >= 0"), negative.err());
        Run resumed =
                run("train", "--resume", tmp.resolve("checkpoint.safetensors").toString(), "--protocol", "gen4");
        assertEquals(2, resumed.code());
        assertTrue(
                resumed.err().contains("a resumed run scores with the protocol stored in its checkpoint"),
                resumed.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static double map(Path json) throws IOException {
        return JsonParser.parseString(Files.readString(json))
                .getAsJsonObject()
                .get("map")
                .getAsDouble();
    }

    private static JsonObject protocol(Path json) throws IOException {
        return JsonParser.parseString(Files.readString(json)).getAsJsonObject().getAsJsonObject("protocol");
    }

    @Test
    void evaluateRefusesAnEmptyGroundTruthFolder() throws IOException {
        Path gt = Files.createDirectories(tmp.resolve("gt"));
        Run r = run("evaluate", "--gt", gt.toString(), "--dt", gt.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no ground truth"), r.err());
    }

    @Test
    void detectEvalAndEnergyOnATinySplit() throws IOException {
        Path data = TinyData.root();
        Path weights = tmp.resolve("model.safetensors");
        ModelFiles.save(weights, new SpikingCenterNet(new ModelConfig(0.0625, 1.5, 5, 2, false), 4));
        Path out = tmp.resolve("dets");
        Run d = run(
                "detect",
                "--checkpoint",
                weights.toString(),
                "--data",
                data.toString(),
                "--split",
                "val",
                "--out",
                out.toString(),
                "--png",
                "--png-every",
                "5");
        assertEquals(0, d.code(), d.err());
        // not a terminal: whole lines, not a bar's carriage returns
        assertFalse(d.err().contains("\r"), d.err());
        assertTrue(d.err().matches("(?s).*detect: (\\d+)/\\1 samples  elapsed [^\n]*\n.*"), d.err());
        Set<String> gtNames = new TreeSet<>(), dtNames = new TreeSet<>();
        try (var s = Files.list(data.resolve("val"))) {
            s.filter(p -> p.toString().endsWith("_bbox.npy"))
                    .forEach(p -> gtNames.add(p.getFileName().toString()));
        }
        try (var s = Files.list(out)) {
            s.filter(p -> p.toString().endsWith("_bbox.npy"))
                    .forEach(p -> dtNames.add(p.getFileName().toString()));
        }
        assertEquals(gtNames, dtNames);
        Path one = out.resolve(dtNames.iterator().next());
        assertTrue(
                Files.readString(one, StandardCharsets.ISO_8859_1).contains("'class_confidence'"),
                "Prophesee's 40-byte dtype");
        Boxes dets = Boxes.read(one);
        Set<Long> labelTimes = new TreeSet<>();
        for (long t : Boxes.read(data.resolve("val").resolve(one.getFileName())).timestamps()) labelTimes.add(t);
        for (int i = 0; i < dets.size(); i++)
            assertTrue(labelTimes.contains(dets.t(i)), "t is a label timestamp: " + dets.t(i));
        try (var s = Files.list(out.resolve("png"))) {
            assertTrue(s.findAny().isPresent(), "pictures");
        }

        Path a = tmp.resolve("a.json"), b = tmp.resolve("b.json");
        assertEquals(
                0,
                run("evaluate", "--gt", data.resolve("val").toString(), "--dt", out.toString(), "--json", a.toString())
                        .code());
        Run e = run(
                "eval",
                "--checkpoint",
                weights.toString(),
                "--data",
                data.toString(),
                "--split",
                "val",
                "--json",
                b.toString());
        assertEquals(0, e.code(), e.err());
        assertEquals(Files.readString(a), Files.readString(b), "eval = detect + evaluate");
        Run g4 = run(
                "eval",
                "--checkpoint",
                weights.toString(),
                "--data",
                data.toString(),
                "--split",
                "val",
                "--protocol",
                "gen4",
                "--json",
                b.toString());
        assertEquals(0, g4.code(), g4.err());
        assertEquals("gen4", protocol(b).get("name").getAsString());
        assertTrue(g4.out().contains("protocol: gen4 (t > 500000 us, diagonal >= 60 px, sides >= 20 px"), g4.out());

        Path energy = tmp.resolve("energy.json");
        Run en = run(
                "energy",
                "--checkpoint",
                weights.toString(),
                "--data",
                data.toString(),
                "--split",
                "val",
                "--samples",
                "4",
                "--json",
                energy.toString());
        assertEquals(0, en.code(), en.err());
        assertTrue(en.out().contains("encoder.stem.conv") && en.out().contains("teacher"), en.out());
        JsonObject j = JsonParser.parseString(Files.readString(energy)).getAsJsonObject();
        assertTrue(j.get("energy_mj").getAsDouble() > 0
                && j.get("teacher_energy_mj").getAsDouble() > j.get("energy_mj").getAsDouble());
        assertEquals(43, j.getAsJsonArray("layers").size());
        assertEquals(
                "sparse",
                layer(j, "encoder.stem.conv").get("path").getAsString(),
                "5 % input: below the stem's crossover");
        assertTrue(en.out().contains("sparse"), en.out());

        Run dense = run(
                "energy",
                "--checkpoint",
                weights.toString(),
                "--data",
                data.toString(),
                "--split",
                "val",
                "--samples",
                "2",
                "--spikes",
                "dense",
                "--json",
                energy.toString());
        assertEquals(0, dense.code(), dense.err());
        j = JsonParser.parseString(Files.readString(energy)).getAsJsonObject();
        int convolutions = 0;
        for (var l : j.getAsJsonArray("layers")) {
            JsonObject o = l.getAsJsonObject();
            if (o.get("name").getAsString().endsWith(".residual")) {
                assertTrue(!o.has("path"), o.toString());
            } else {
                assertEquals("dense", o.get("path").getAsString(), o.toString());
                convolutions++;
            }
        }
        assertEquals(35, convolutions);
        assertEquals(
                2,
                run("energy", "--checkpoint", weights.toString(), "--data", data.toString(), "--spikes", "fast")
                        .code());
    }

    private static JsonObject layer(JsonObject report, String name) {
        for (var l : report.getAsJsonArray("layers"))
            if (l.getAsJsonObject().get("name").getAsString().equals(name)) return l.getAsJsonObject();
        throw new AssertionError("no layer " + name + " in " + report);
    }

    @Test
    void missingDataAndForeignCheckpointsAreClearErrors() throws IOException {
        Run r = run("eval", "--checkpoint", tmp.resolve("none.safetensors").toString(), "--data", tmp.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("does not exist"), r.err());
        Path weights = tmp.resolve("model.safetensors");
        ModelFiles.save(weights, new SpikingCenterNet(new ModelConfig(0.0625, 1.5, 5, 2, false), 4));
        r = run(
                "detect",
                "--checkpoint",
                weights.toString(),
                "--data",
                tmp.resolve("nowhere").toString(),
                "--out",
                tmp.resolve("o").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("does not exist"), r.err());
        r = run("train", "--resume", weights.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not a training checkpoint"), r.err());
    }

    @Test
    void trainReportsEnergyAndTheTeachersScoreBesideTheStudents() throws IOException {
        String data = TinyData.root().toString();
        String[] tiny = {"--data", data, "--width", "0.0625", "--epochs", "1", "--steps-per-epoch", "1", "--batch", "2"
        };
        Path teacher = tmp.resolve("teacher"), student = tmp.resolve("student");
        Run t = run(concat(concat(new String[] {"train", "--teacher"}, tiny), "--run-dir", teacher.toString()));
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("teacher energy (val, "), t.out());
        Run s = run(concat(
                concat(new String[] {"train"}, tiny),
                "--run-dir",
                student.toString(),
                "--distill-from",
                teacher.resolve("model.safetensors").toString(),
                "--distill-target",
                "kl",
                "--distill-temperature",
                "2"));
        assertEquals(0, s.code(), s.err());
        assertTrue(
                s.out()
                        .contains(
                                "(kl T=2 sum α=1 heatmap, starting from the teacher's weights, heads fitted to its outputs)"),
                s.out());
        assertTrue(s.out().contains("paper (GEN1, width 1)"), s.out());
        JsonObject ts = JsonParser.parseString(Files.readString(teacher.resolve("summary.json")))
                .getAsJsonObject();
        JsonObject ss = JsonParser.parseString(Files.readString(student.resolve("summary.json")))
                .getAsJsonObject();
        assertEquals(ts.get("val_map").getAsDouble(), ss.get("teacher_val_map").getAsDouble());
        double rate = ss.get("firing_rate").getAsDouble();
        assertTrue(rate > 0 && rate < 1, "firing rate " + rate);
        // spikes make accumulates where the teacher multiplies: the student's energy is below the teacher's MACs
        double energy = ss.get("energy_mj_per_step").getAsDouble();
        assertTrue(energy > 0 && energy < ss.get("teacher_energy_mj_per_step").getAsDouble(), ss.toString());
        assertEquals(1, ss.get("epochs").getAsJsonPrimitive().getAsNumber().intValue());
        assertFalse(
                Files.readString(student.resolve("summary.json")).contains("\"epochs\": 1.0"),
                "whole numbers stay whole");
    }
}
