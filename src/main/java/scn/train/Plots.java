package scn.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG plots of a run from its metrics: {@code loss.png} (each loss term against the step, smoothed over
 * a sliding window so the trend shows through the batch-to-batch noise) and {@code val_map.png}
 * (validation mAP@[.5:.95] and AP50 against the epoch).
 */
public final class Plots {
    public static final String LOSS = "loss.png", MAP = "val_map.png";
    private static final String[] TERMS = {"loss", "heatmap", "offset", "size", "distill"};

    static {
        System.setProperty("java.awt.headless", "true"); // plots are drawn off screen, also without a display
    }

    private Plots() {}

    /** Writes both plots into {@code runDir}. */
    public static void write(Path runDir, MetricsLog log) throws IOException {
        writeLoss(runDir.resolve(LOSS), log.steps());
        writeMap(runDir.resolve(MAP), log.evals());
    }

    private static void writeLoss(Path png, List<JsonObject> steps) throws IOException {
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(500)
                .title("Training loss (moving average)")
                .xAxisTitle("step")
                .yAxisTitle("loss")
                .build();
        chart.getStyler().setYAxisLogarithmic(true);
        int window = Math.max(1, steps.size() / 50);
        for (String term : TERMS) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            double sum = 0;
            List<Double> recent = new ArrayList<>();
            for (JsonObject o : steps) {
                double v = number(o.get(term));
                if (!(v > 0)) continue; // absent terms (no distillation) and zeros cannot go on a log axis
                recent.add(v);
                sum += v;
                if (recent.size() > window) sum -= recent.remove(0);
                xs.add(number(o.get("step")));
                ys.add(sum / recent.size());
            }
            if (xs.isEmpty()) continue;
            chart.addSeries(term, xs, ys).setMarker(SeriesMarkers.NONE);
        }
        if (chart.getSeriesMap().isEmpty()) chart.addSeries("loss", new double[] {0}, new double[] {1});
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void writeMap(Path png, List<JsonObject> evals) throws IOException {
        XYChart chart = new XYChartBuilder()
                .width(900)
                .height(500)
                .title("Validation AP (GEN1 protocol)")
                .xAxisTitle("epoch")
                .yAxisTitle("AP")
                .build();
        for (String key : new String[] {"map", "ap50"}) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (JsonObject o : evals) {
                xs.add(number(o.get("epoch")));
                ys.add(Math.max(0, number(o.get(key))));
            }
            if (xs.isEmpty()) {
                xs.add(0.0);
                ys.add(0.0);
            }
            XYSeries s = chart.addSeries(key.equals("map") ? "mAP@[.5:.95]" : "AP50", xs, ys);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static double number(JsonElement e) {
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }
}
