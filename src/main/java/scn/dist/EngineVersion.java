package scn.dist;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The engine's version as the build wrote it into {@code scn/engine.properties}. Replicas of a data-parallel run
 * compare it (with the Java runtime) before their first step, since replicas that compute differently would drift
 * apart.
 */
public final class EngineVersion {
    private static final String RESOURCE = "/scn/engine.properties";
    private static final String VERSION = read();

    private EngineVersion() {}

    /** The version, e.g. {@code 0.1.0}. */
    public static String version() {
        return VERSION;
    }

    /** The engine's version and the Java runtime in one line: what replicas must have in common. */
    public static String identity() {
        return "engine " + VERSION + " on Java " + Runtime.version() + " (" + System.getProperty("os.arch") + ")";
    }

    private static String read() {
        try (InputStream in = EngineVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null)
                throw new IllegalStateException(
                        "the build left out " + RESOURCE + ": the engine cannot tell its version");
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            if (v == null || v.isBlank() || v.startsWith("${"))
                throw new IllegalStateException(RESOURCE + " holds no version (was it filtered by the build?): " + v);
            return v.trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
