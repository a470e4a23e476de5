package scn.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The run's metrics as JSON lines in {@code metrics.jsonl}: one {@code "type": "step"} object per
 * training step and one {@code "type": "eval"} object per evaluation, each written and flushed at once
 * so the file can be followed while the run goes on. The history is also kept in memory for the plots.
 *
 * <p>On resume the lines after the checkpoint's step are dropped (they belong to the part of the run
 * that is about to be repeated), so the file always tells one consistent run.
 */
public final class MetricsLog implements AutoCloseable {
    public static final String FILE = "metrics.jsonl";
    private static final Gson GSON = new Gson();

    private final BufferedWriter out;
    private final List<JsonObject> steps = new ArrayList<>();
    private final List<JsonObject> evals = new ArrayList<>();

    private MetricsLog(Path file, List<JsonObject> kept) throws IOException {
        for (JsonObject o : kept) (isEval(o) ? evals : steps).add(o);
        this.out = Files.newBufferedWriter(
                file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** A new log in {@code runDir}, or the existing one cut back to {@code upToStep} (inclusive) when resuming. */
    public static MetricsLog open(Path runDir, long upToStep) throws IOException {
        Path file = runDir.resolve(FILE);
        List<JsonObject> kept = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                    if (o.get("step").getAsLong() <= upToStep) kept.add(o);
                } catch (RuntimeException e) {
                    // a line cut short by a crash: it is dropped with the rest of the lost part
                }
            }
            Path tmp = runDir.resolve(FILE + ".tmp");
            List<String> lines = new ArrayList<>();
            for (JsonObject o : kept) lines.add(GSON.toJson(o));
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return new MetricsLog(file, kept);
    }

    /** Appends one record of {@code type} with the given fields (numbers, strings, and maps of them as objects). */
    public void write(String type, Map<String, ?> fields) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("type", type);
        fields.forEach((k, v) -> {
            if (v instanceof Number n) o.addProperty(k, Double.isFinite(n.doubleValue()) ? n : null);
            else if (v instanceof Map<?, ?> m) o.add(k, GSON.toJsonTree(m));
            else o.addProperty(k, String.valueOf(v));
        });
        (isEval(o) ? evals : steps).add(o);
        out.write(GSON.toJson(o));
        out.newLine();
        out.flush();
    }

    public List<JsonObject> steps() {
        return steps;
    }

    public List<JsonObject> evals() {
        return evals;
    }

    private static boolean isEval(JsonObject o) {
        return o.has("type") && "eval".equals(o.get("type").getAsString());
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
