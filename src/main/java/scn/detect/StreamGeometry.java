package scn.detect;

import scn.nn.ModelConfig;

/**
 * How a sensor of any size meets a network trained on GEN1 (304×240): events are binned by an integer
 * factor {@code N} (pixel {@code (x, y)} goes to {@code (x / N, y / N)}; the encoding is binary, so a binned
 * pixel fires when any of its {@code N×N} pixels did), the binned frame is padded at the bottom and right
 * to a multiple of 32 (the encoder's stride) for the network, boxes are decoded and clipped in the binned
 * frame, and multiplied by {@code N} back into sensor pixels.
 *
 * <p>The binned frame is {@code ceil(W / N) × ceil(H / N)}, so every sensor pixel lands in it; where
 * {@code N} does not divide the size, the last column or row of bins is narrower, and boxes mapped back are
 * clipped to the sensor a second time.
 *
 * <p>The automatic factor is the largest that keeps the binned sensor at least as large as GEN1's in both
 * directions, {@code floor(min(W / 304, H / 240))}, and at least 1: objects then appear at the scale the
 * network was trained on or larger, never smaller. (A 1280×720 sensor gets 3, a 640×480 one 2.)
 */
public record StreamGeometry(int sensorWidth, int sensorHeight, int factor) {
    public static final int GEN1_WIDTH = ModelConfig.SENSOR_WIDTH;
    public static final int GEN1_HEIGHT = ModelConfig.SENSOR_HEIGHT;
    /** The network's input must be a multiple of this (its deepest stride). */
    public static final int ALIGN = 32;

    public StreamGeometry {
        if (sensorWidth < 1 || sensorHeight < 1) {
            throw new IllegalArgumentException("sensor size must be positive, got " + sensorWidth + "x" + sensorHeight);
        }
        if (factor < 1 || factor > Math.min(sensorWidth, sensorHeight)) {
            throw new IllegalArgumentException("downscale factor must be 1.." + Math.min(sensorWidth, sensorHeight)
                    + " for a " + sensorWidth + "x" + sensorHeight + " sensor, got " + factor);
        }
    }

    /** The automatic factor for a sensor: {@code max(1, floor(min(W / 304, H / 240)))}. */
    public static int autoFactor(int sensorWidth, int sensorHeight) {
        return Math.max(1, Math.min(sensorWidth / GEN1_WIDTH, sensorHeight / GEN1_HEIGHT));
    }

    /** The geometry with the automatic factor. */
    public static StreamGeometry auto(int sensorWidth, int sensorHeight) {
        return new StreamGeometry(sensorWidth, sensorHeight, autoFactor(sensorWidth, sensorHeight));
    }

    /** Width of the binned frame, {@code ceil(W / N)}. */
    public int width() {
        return ceilDiv(sensorWidth, factor);
    }

    /** Height of the binned frame, {@code ceil(H / N)}. */
    public int height() {
        return ceilDiv(sensorHeight, factor);
    }

    /** The network's input width: the binned width rounded up to a multiple of 32. */
    public int paddedWidth() {
        return ceilDiv(width(), ALIGN) * ALIGN;
    }

    /** The network's input height: the binned height rounded up to a multiple of 32. */
    public int paddedHeight() {
        return ceilDiv(height(), ALIGN) * ALIGN;
    }

    /** SPEC section 6's decoding (K = 100, stride 4), clipped to the binned frame, not to GEN1's. */
    public CenterNetDecoder.Config decoderConfig() {
        CenterNetDecoder.Config gen1 = CenterNetDecoder.GEN1;
        return new CenterNetDecoder.Config(gen1.maxDetections(), gen1.stride(), width(), height());
    }

    /** A detection in the binned frame as sensor pixels: every coordinate times {@code N}, clipped to the sensor. */
    public CenterNetDecoder.Detection toSensor(CenterNetDecoder.Detection d) {
        float x1 = clip(d.x() * factor, sensorWidth);
        float y1 = clip(d.y() * factor, sensorHeight);
        float x2 = clip((d.x() + d.w()) * factor, sensorWidth);
        float y2 = clip((d.y() + d.h()) * factor, sensorHeight);
        return new CenterNetDecoder.Detection(x1, y1, x2 - x1, y2 - y1, d.score(), d.classId());
    }

    @Override
    public String toString() {
        return sensorWidth + "x" + sensorHeight + " sensor / " + factor + " = " + width() + "x" + height()
                + ", network input " + paddedWidth() + "x" + paddedHeight();
    }

    private static float clip(float v, float limit) {
        return Math.min(Math.max(v, 0f), limit);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
