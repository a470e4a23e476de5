package scn.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding the OpenCL loader for JOCL, over folders made for the test: which folders are searched and in what order,
 * which file is found, when a link is made for a child JVM and what the user is told. Last, in a child JVM, that
 * JOCL really loads the loader through the link folder put on {@code LD_LIBRARY_PATH}.
 */
class ClLoaderTest {
    @TempDir
    Path tmp;

    /** A folder holding empty files of the given names. */
    private Path dirWith(String dir, String... names) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(dir));
        for (String n : names) Files.createFile(d.resolve(n));
        return d;
    }

    @Test
    void searchesLdLibraryPathThenTheLinkerConfigurationThenTheSystemFolders() throws IOException {
        Path conf = Files.createDirectories(tmp.resolve("ld.so.conf.d"));
        Files.writeString(conf.resolve("gpu.conf"), "# a driver's folder\n/opt/gpu/lib\ninclude other/*.conf\n");
        Files.writeString(conf.resolve("ignored.txt"), "/not/a/conf\n");
        List<Path> dirs = ClLoader.searchDirs("/a::/b", conf, "amd64");
        assertEquals(List.of(Path.of("/a"), Path.of("/b"), Path.of("/opt/gpu/lib")), dirs.subList(0, 3));
        assertEquals(Path.of("/usr/lib/x86_64-linux-gnu"), dirs.get(3));
        assertFalse(dirs.contains(Path.of("/not/a/conf")));
        assertEquals(
                Path.of("/usr/lib/aarch64-linux-gnu"),
                ClLoader.searchDirs(null, tmp.resolve("absent"), "aarch64").get(0));
    }

    @Test
    void findsTheFirstFolderHoldingTheName() throws IOException {
        Path runtimeOnly = dirWith("runtime", ClLoader.VERSIONED), dev = dirWith("dev", ClLoader.NAME);
        Path dangling = Files.createDirectories(tmp.resolve("dangling"));
        Files.createSymbolicLink(dangling.resolve(ClLoader.NAME), tmp.resolve("nowhere"));
        List<Path> dirs = List.of(dangling, runtimeOnly, dev);
        assertEquals(Optional.of(dev.resolve(ClLoader.NAME)), ClLoader.find(dirs, ClLoader.NAME));
        assertEquals(Optional.of(runtimeOnly.resolve(ClLoader.VERSIONED)), ClLoader.find(dirs, ClLoader.VERSIONED));
    }

    @Test
    void linksTheVersionedLoaderOnlyWhenJoclsNameIsMissing() throws IOException {
        Path runtimeOnly = dirWith("runtime", ClLoader.VERSIONED), dev = dirWith("dev", ClLoader.NAME);
        Path link = Files.createDirectories(tmp.resolve("link"));
        Map<String, String> env = new HashMap<>(Map.of("LD_LIBRARY_PATH", "/before"));

        assertFalse(ClLoader.linkForChild(env, List.of(runtimeOnly, dev), link));
        assertFalse(ClLoader.linkForChild(env, List.of(), link));
        assertEquals(Map.of("LD_LIBRARY_PATH", "/before"), env);

        assertTrue(ClLoader.linkForChild(env, List.of(runtimeOnly), link));
        assertEquals(runtimeOnly.resolve(ClLoader.VERSIONED), Files.readSymbolicLink(link.resolve(ClLoader.NAME)));
        assertEquals(link + ":/before", env.get("LD_LIBRARY_PATH"));

        Map<String, String> bare = new HashMap<>();
        Path second = Files.createDirectories(tmp.resolve("second"));
        assertTrue(ClLoader.linkForChild(bare, List.of(runtimeOnly), second));
        assertEquals(second.toString(), bare.get("LD_LIBRARY_PATH"));
    }

    @Test
    void adviceNamesWhatToInstall() throws IOException {
        Path runtimeOnly = dirWith("runtime", ClLoader.VERSIONED), dev = dirWith("dev", ClLoader.NAME);
        assertEquals("", ClLoader.advice(List.of(runtimeOnly, dev)));
        String onlyVersioned = ClLoader.advice(List.of(runtimeOnly));
        assertTrue(
                onlyVersioned.contains("ocl-icd-opencl-dev")
                        && onlyVersioned.contains(
                                runtimeOnly.resolve(ClLoader.VERSIONED).toString()),
                onlyVersioned);
        String none = ClLoader.advice(List.of(runtimeOnly.resolveSibling("empty")));
        assertTrue(none.contains("ocl-icd-libopencl1") && none.contains("GPU driver"), none);
    }

    /**
     * A copy of this machine's loader, reachable only as {@code libOpenCL.so.1} in a folder of its own: the child JVM
     * maps the copy when the link folder is on its {@code LD_LIBRARY_PATH}, and the system's file when it is not.
     */
    @Test
    void joclLoadsThroughTheLinkFolder() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "Linux only");
        Optional<Path> system = ClLoader.find(ClLoader.searchDirs(), ClLoader.VERSIONED);
        Assumptions.assumeTrue(system.isPresent(), "no libOpenCL.so.1 on this machine");
        Path copy = Files.createDirectories(tmp.resolve("copy")).resolve(ClLoader.VERSIONED);
        Files.copy(system.get(), copy);
        Path link = Files.createDirectories(tmp.resolve("link"));

        Map<String, String> env = new HashMap<>(System.getenv());
        assertTrue(ClLoader.linkForChild(env, List.of(copy.getParent()), link));
        String linked = probe(env);
        assertTrue(linked.contains(copy.toString()), linked);
        String plain = probe(new HashMap<>(System.getenv()));
        assertFalse(plain.contains(copy.toString()), plain);
    }

    /** The OpenCL loader lines of {@link LoaderProbe}'s memory map, run in a JVM with environment {@code env}. */
    private static String probe(Map<String, String> env) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder b = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        LoaderProbe.class.getName())
                .redirectErrorStream(true);
        b.environment().clear();
        b.environment().putAll(env);
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
