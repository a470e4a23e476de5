package scn.data.raw;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import scn.data.events.DataFormatException;

/**
 * The ASCII header of a Prophesee RAW file and what it says about the data after it: the encoding
 * ({@link RawFormat}) and the sensor size.
 *
 * <p>Layout: lines {@code "% key value\n"}; {@code "% end\n"} ends the header where present (Metavision
 * 4 and later write it), otherwise the first line that does not start with {@code "% "} does. Keys read:
 * <ul>
 *   <li>{@code format}: {@code EVT3;height=720;width=1280} (or {@code EVT2;...}), Metavision 4 and later;
 *   <li>{@code evt}: {@code 2.0} or {@code 3.0}, older files;
 *   <li>{@code geometry}: {@code 1280x720} (spaces around the x allowed);
 *   <li>{@code plugin_name}: the oldest files' only clue, through {@link RawSensors}' table.
 * </ul>
 * The format comes from {@code format}, else {@code evt}, else the plugin; the size from {@code format},
 * else {@code geometry}, else the plugin. Where two keys give the same thing they must agree. A file
 * without a header, with an encoding other than EVT 2.0 / 3.0, or whose header leaves the format or
 * the size unknown is refused, naming the file (and the header line where there is one).
 */
public record RawHeader(
        List<String> lines,
        RawFormat format,
        int width,
        int height,
        String formatFrom,
        String sizeFrom,
        long dataOffset) {
    /** Real headers are a few hundred bytes; a longer one is not a RAW header. */
    static final int MAX_HEADER_BYTES = 1 << 20;

    private static final Pattern GEOMETRY = Pattern.compile("(\\d+)\\s*[xX]\\s*(\\d+)");

    /** One header line: where it starts in the file, its key and its value. */
    private record Line(long offset, String key, String value) {
        String text() {
            return value.isEmpty() ? key : key + " " + value;
        }
    }

    /** Reads and interprets the header of {@code path}. */
    public static RawHeader read(Path path) throws IOException {
        List<Line> lines = new ArrayList<>();
        long dataOffset;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path))) {
            dataOffset = readLines(path, in, lines);
        }
        if (lines.isEmpty()) {
            throw DataFormatException.atOffset(
                    path,
                    0,
                    "no RAW header: a RAW file starts with '% ' lines naming its "
                            + "event format (e.g. '% format EVT3;height=720;width=1280' or '% evt 3.0')");
        }
        return interpret(path, lines, dataOffset);
    }

    /** Collects the header lines; returns the offset of the first data byte. */
    private static long readLines(Path path, InputStream in, List<Line> out) throws IOException {
        long pos = 0;
        while (true) {
            in.mark(2);
            int a = in.read();
            int b = in.read();
            in.reset();
            if (a != '%' || b != ' ') return pos;
            StringBuilder text = new StringBuilder();
            long start = pos;
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw DataFormatException.atOffset(
                            path, start, "header line has no end of line (truncated header)");
                }
                if (++pos > MAX_HEADER_BYTES) {
                    throw DataFormatException.atOffset(
                            path, start, "header longer than " + MAX_HEADER_BYTES + " bytes: not a RAW header");
                }
                text.append((char) c);
            }
            pos++;
            String line = text.substring(2).strip();
            if (line.equals("end")) return pos;
            int space = line.indexOf(' ');
            String key = space < 0 ? line : line.substring(0, space);
            String value = space < 0 ? "" : line.substring(space + 1).strip();
            out.add(new Line(start, key, value));
        }
    }

    private static RawHeader interpret(Path path, List<Line> lines, long dataOffset) throws DataFormatException {
        RawFormat format = null;
        String formatFrom = null;
        int width = -1;
        int height = -1;
        String sizeFrom = null;
        Line evt = find(lines, "evt");
        Line formatLine = find(lines, "format");
        Line geometry = find(lines, "geometry");
        Line plugin = find(lines, "plugin_name");
        if (formatLine != null) {
            String[] parts = formatLine.value().split(";");
            format = formatNamed(path, formatLine, parts[0].strip());
            formatFrom = "'% " + formatLine.text() + "'";
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                if (kv.length != 2) continue;
                if (kv[0].strip().equals("width")) width = size(path, formatLine, kv[1]);
                if (kv[0].strip().equals("height")) height = size(path, formatLine, kv[1]);
            }
            if ((width < 0) != (height < 0)) throw bad(path, formatLine, "gives only one of width and height");
            if (width > 0) sizeFrom = formatFrom;
        }
        if (evt != null) {
            RawFormat v = switch (evt.value()) {
                case "2.0" -> RawFormat.EVT2;
                case "3.0" -> RawFormat.EVT3;
                default ->
                    throw bad(
                            path,
                            evt,
                            "unknown event format version '" + evt.value()
                                    + "' (this reader decodes EVT 2.0 and EVT 3.0)");
            };
            if (format != null && format != v) throw bad(path, evt, "contradicts " + formatFrom);
            if (format == null) formatFrom = "'% " + evt.text() + "'";
            format = v;
        }
        if (geometry != null) {
            Matcher m = GEOMETRY.matcher(geometry.value());
            if (!m.matches()) throw bad(path, geometry, "is not 'W x H'");
            int w = size(path, geometry, m.group(1));
            int h = size(path, geometry, m.group(2));
            if (sizeFrom != null && (w != width || h != height)) throw bad(path, geometry, "contradicts " + sizeFrom);
            if (sizeFrom == null) sizeFrom = "'% " + geometry.text() + "'";
            width = w;
            height = h;
        }
        RawSensors.Sensor sensor = plugin == null ? null : RawSensors.forPlugin(plugin.value());
        if (sensor != null) {
            String from = "'% " + plugin.text() + "' (" + sensor.name() + ")";
            if (format == null && sensor.format() != null) {
                format = sensor.format();
                formatFrom = from;
            }
            if (sizeFrom == null) {
                width = sensor.width();
                height = sensor.height();
                sizeFrom = from;
            }
        }
        if (format == null) {
            throw new DataFormatException(
                    path,
                    "the RAW header names no event format: no '% format' or '% evt' line"
                            + (plugin == null
                                    ? " and no '% plugin_name'"
                                    : " and plugin '" + plugin.value() + "' does not imply one"));
        }
        if (sizeFrom == null) {
            throw new DataFormatException(
                    path,
                    "the RAW header gives no sensor size: no '% format ...;width=W;height=H' or "
                            + "'% geometry WxH' line"
                            + (plugin == null
                                    ? " and no '% plugin_name'"
                                    : " and plugin '" + plugin.value() + "' does not imply a sensor"));
        }
        List<String> text = lines.stream().map(Line::text).toList();
        return new RawHeader(text, format, width, height, formatFrom, sizeFrom, dataOffset);
    }

    private static Line find(List<Line> lines, String key) {
        for (Line l : lines) {
            if (l.key().equals(key)) return l;
        }
        return null;
    }

    private static RawFormat formatNamed(Path path, Line line, String name) throws DataFormatException {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "EVT2" -> RawFormat.EVT2;
            case "EVT3" -> RawFormat.EVT3;
            default -> throw bad(path, line, "names format '" + name + "' (this reader decodes EVT2 and EVT3)");
        };
    }

    private static int size(Path path, Line line, String text) throws DataFormatException {
        try {
            int v = Integer.parseInt(text.strip());
            if (v > 0 && v <= RawFormat.MAX_SIZE) return v;
        } catch (NumberFormatException e) {
            // reported below, with the line
        }
        throw bad(path, line, "gives an impossible sensor size '" + text.strip() + "' (1.." + RawFormat.MAX_SIZE + ")");
    }

    private static DataFormatException bad(Path path, Line line, String problem) {
        return DataFormatException.atOffset(path, line.offset(), "header line '% " + line.text() + "' " + problem);
    }
}
