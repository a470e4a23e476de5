package scn.data.raw;

import java.util.List;
import java.util.Locale;

/**
 * What a RAW header's {@code % plugin_name} implies when the header names neither the sensor size
 * ({@code % format ...;width=W;height=H} or {@code % geometry WxH}) nor, for the oldest files, the event
 * format ({@code % evt}). Files written by Metavision 2 and 3 carry only a plugin name (and a system ID).
 *
 * <p>The table follows OpenEB's own fallback for such files (its system-ID table in
 * {@code psee_raw_file_header.cpp} and the plugin names of those systems):
 *
 * <pre>
 * plugin name contains   sensor    size       format
 * gen31_evk3             Gen3.1    640x480    EVT 3.0
 * gen31                  Gen3.1    640x480    EVT 2.0   (fx3, evk2)
 * gen3_                  Gen3.0    640x480    EVT 2.0
 * gen41_evk2             Gen4.1    1280x720   EVT 2.0
 * gen41                  Gen4.1    1280x720   EVT 3.0   (evk3)
 * gen4_                  Gen4.0    1280x720   EVT 2.0
 * imx636                 IMX636    1280x720   EVT 3.0
 * genx320                GenX320   320x320    (none: the camera offers several; the header must say)
 * </pre>
 *
 * The first matching row wins. Names that identify a board and not a sensor ({@code imx8}: NXP's i.MX8
 * processor; {@code hal_plugin_prophesee}: the universal plugin) imply nothing: such files must carry a
 * {@code % format} or {@code % geometry} line. Not a registry of cameras: only what old headers need.
 */
final class RawSensors {
    /** One row of the table; {@code format} is null when the sensor alone does not fix it. */
    record Sensor(String key, String name, int width, int height, RawFormat format) {}

    private static final List<Sensor> TABLE = List.of(
            new Sensor("gen31_evk3", "Gen3.1", 640, 480, RawFormat.EVT3),
            new Sensor("gen31", "Gen3.1", 640, 480, RawFormat.EVT2),
            new Sensor("gen3_", "Gen3.0", 640, 480, RawFormat.EVT2),
            new Sensor("gen41_evk2", "Gen4.1", 1280, 720, RawFormat.EVT2),
            new Sensor("gen41", "Gen4.1", 1280, 720, RawFormat.EVT3),
            new Sensor("gen4_", "Gen4.0", 1280, 720, RawFormat.EVT2),
            new Sensor("imx636", "IMX636", 1280, 720, RawFormat.EVT3),
            new Sensor("genx320", "GenX320", 320, 320, null));

    private RawSensors() {}

    /** The sensor a plugin name implies, or null. */
    static Sensor forPlugin(String pluginName) {
        String name = pluginName.toLowerCase(Locale.ROOT);
        for (Sensor s : TABLE) {
            if (name.contains(s.key())) return s;
        }
        return null;
    }
}
