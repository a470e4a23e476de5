package scn.data;

import java.nio.file.Path;

/**
 * Where the engine keeps what it can rebuild: the default synthetic dataset and index caches of
 * read-only data folders. {@code -Dscn.cache=DIR}, else the environment variable {@code SCN_CACHE},
 * else {@code ~/.cache/scn}.
 */
public final class CacheDir {
    private CacheDir() {}

    public static Path root() {
        String prop = System.getProperty("scn.cache");
        if (prop != null && !prop.isBlank()) return Path.of(prop);
        String env = System.getenv("SCN_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".cache", "scn");
    }
}
