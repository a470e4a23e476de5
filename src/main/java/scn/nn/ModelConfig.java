package scn.nn;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of a Spiking CenterNet (SPEC section 3): width multiplier, decoder expansion, time steps,
 * classes, whether it is the ReLU teacher, and the padded input size (GEN1's 256×320 unless given: the
 * network is fully convolutional, so any multiple of 32 works, and the checks run small ones). Checked on
 * construction.
 */
public record ModelConfig(
        double width, double expansion, int timeSteps, int classes, boolean teacher, int inputHeight, int inputWidth) {
    public static final int[] BASE_CHANNELS = {64, 128, 256, 512};
    public static final int INPUT_CHANNELS = 4;
    public static final int INPUT_HEIGHT = 256, INPUT_WIDTH = 320;
    public static final int SENSOR_HEIGHT = 240, SENSOR_WIDTH = 304;
    public static final int STRIDE = 4;

    public ModelConfig {
        if (!(width > 0) || Math.rint(BASE_CHANNELS[0] * width) < 1)
            throw new IllegalArgumentException("width must be > 0 and leave at least one channel, got " + width);
        if (!(expansion > 0)) throw new IllegalArgumentException("expansion must be > 0, got " + expansion);
        if (timeSteps < 1) throw new IllegalArgumentException("time steps must be >= 1, got " + timeSteps);
        if (classes < 1) throw new IllegalArgumentException("classes must be >= 1, got " + classes);
        if (inputHeight < 32 || inputWidth < 32 || inputHeight % 32 != 0 || inputWidth % 32 != 0) {
            throw new IllegalArgumentException("input size must be a multiple of 32 (the encoder's stride), got "
                    + inputHeight + "x" + inputWidth);
        }
    }

    /** At GEN1's padded input size, 256×320. */
    public ModelConfig(double width, double expansion, int timeSteps, int classes, boolean teacher) {
        this(width, expansion, timeSteps, classes, teacher, INPUT_HEIGHT, INPUT_WIDTH);
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
        return inputHeight / STRIDE;
    }

    public int gridWidth() {
        return inputWidth / STRIDE;
    }

    public ModelConfig asTeacher(boolean isTeacher) {
        return new ModelConfig(width, expansion, timeSteps, classes, isTeacher, inputHeight, inputWidth);
    }

    /** The same network at another padded input size. */
    public ModelConfig withInput(int height, int width) {
        return new ModelConfig(this.width, expansion, timeSteps, classes, teacher, height, width);
    }

    /** As checkpoint metadata. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", teacher ? "scn-r18-teacher" : "scn-r18");
        m.put("width", Double.toString(width));
        m.put("expansion", Double.toString(expansion));
        m.put("time_steps", Integer.toString(timeSteps));
        m.put("classes", Integer.toString(classes));
        if (inputHeight != INPUT_HEIGHT || inputWidth != INPUT_WIDTH) {
            m.put("input_height", Integer.toString(inputHeight));
            m.put("input_width", Integer.toString(inputWidth));
        }
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
                "scn-r18-teacher".equals(m.get("model")),
                Integer.parseInt(m.getOrDefault("input_height", Integer.toString(INPUT_HEIGHT))),
                Integer.parseInt(m.getOrDefault("input_width", Integer.toString(INPUT_WIDTH))));
    }

    @Override
    public String toString() {
        return (teacher ? "teacher" : "spiking") + " width " + width + ", expansion " + expansion + ", T " + timeSteps
                + ", classes " + classes
                + (inputHeight != INPUT_HEIGHT || inputWidth != INPUT_WIDTH
                        ? ", input " + inputHeight + "x" + inputWidth
                        : "");
    }
}
