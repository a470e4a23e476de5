package scn.nn;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of a Spiking CenterNet (SPEC section 3): width multiplier, decoder expansion, time steps,
 * classes, and whether it is the ReLU teacher. Checked on construction.
 */
public record ModelConfig(double width, double expansion, int timeSteps, int classes, boolean teacher) {
    public static final int[] BASE_CHANNELS = {64, 128, 256, 512};
    public static final int INPUT_CHANNELS = 4;
    public static final int INPUT_HEIGHT = 256, INPUT_WIDTH = 320;
    public static final int SENSOR_HEIGHT = 240, SENSOR_WIDTH = 304;
    public static final int STRIDE = 4;

    public ModelConfig {
        if (!(width > 0) || Math.rint(BASE_CHANNELS[0] * width) < 1) throw new IllegalArgumentException("width must be > 0 and leave at least one channel, got " + width);
        if (!(expansion > 0)) throw new IllegalArgumentException("expansion must be > 0, got " + expansion);
        if (timeSteps < 1) throw new IllegalArgumentException("time steps must be >= 1, got " + timeSteps);
        if (classes < 1) throw new IllegalArgumentException("classes must be >= 1, got " + classes);
    }

    public static ModelConfig defaults() {
        return new ModelConfig(1.0, 1.5, 5, 2, false);
    }

    /** Channels of encoder stage {@code i}: {@code round(c_i · width)}, ties to even. */
    public int channels(int i) {
        return (int) Math.rint(BASE_CHANNELS[i] * width);
    }

    public int expanded(int c) {
        return (int) Math.rint(c * expansion);
    }

    public int gridHeight() {
        return INPUT_HEIGHT / STRIDE;
    }

    public int gridWidth() {
        return INPUT_WIDTH / STRIDE;
    }

    public ModelConfig asTeacher(boolean isTeacher) {
        return new ModelConfig(width, expansion, timeSteps, classes, isTeacher);
    }

    /** As checkpoint metadata. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", teacher ? "scn-r18-teacher" : "scn-r18");
        m.put("width", Double.toString(width));
        m.put("expansion", Double.toString(expansion));
        m.put("time_steps", Integer.toString(timeSteps));
        m.put("classes", Integer.toString(classes));
        return m;
    }

    /** From checkpoint metadata; missing keys take the defaults. */
    public static ModelConfig fromMetadata(Map<String, String> m) {
        ModelConfig d = defaults();
        return new ModelConfig(
                Double.parseDouble(m.getOrDefault("width", Double.toString(d.width()))),
                Double.parseDouble(m.getOrDefault("expansion", Double.toString(d.expansion()))),
                Integer.parseInt(m.getOrDefault("time_steps", Integer.toString(d.timeSteps()))),
                Integer.parseInt(m.getOrDefault("classes", Integer.toString(d.classes()))),
                "scn-r18-teacher".equals(m.get("model")));
    }

    @Override
    public String toString() {
        return (teacher ? "teacher" : "spiking") + " width " + width + ", expansion " + expansion + ", T " + timeSteps + ", classes " + classes;
    }
}
