package scn.backend.opencl;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the OpenCL ICD loader for JOCL. JOCL 2.0.5 ({@code org.jocl.LibInitializer}) asks the dynamic linker for
 * {@code libOpenCL.so} by that one name on Linux, and no system property names another. A GPU driver brings the
 * loader as {@code libOpenCL.so.1} (package {@code ocl-icd-libopencl1}); the unversioned name is a link that only the
 * development package ({@code ocl-icd-opencl-dev}) installs. The dynamic linker reads {@code LD_LIBRARY_PATH} once,
 * when a process starts, so this process cannot fix its own search: where only the versioned file exists, the JVM
 * that {@code scn.cli.Main} starts gets a private folder holding the link {@code libOpenCL.so} first on its
 * {@code LD_LIBRARY_PATH} ({@link #linkForChild}), and a JVM that finds no loader says what to install
 * ({@link #advice}).
 */
public final class ClLoader {
    /** The name JOCL asks the dynamic linker for. */
    static final String NAME = "libOpenCL.so";
    /** The name the loader's runtime package and GPU drivers install. */
    static final String VERSIONED = NAME + ".1";

    private static final String LD_LIBRARY_PATH = "LD_LIBRARY_PATH";

    private ClLoader() {}

    /**
     * The folders the dynamic linker searches, as far as a reader can tell: those of {@code ldLibraryPath} first, then
     * those of {@code /etc/ld.so.conf.d}, then the usual system folders for {@code osArch} (Debian's multiarch and
     * the lib64 layout).
     */
    static List<Path> searchDirs(String ldLibraryPath, Path ldSoConfD, String osArch) {
        Set<Path> dirs = new LinkedHashSet<>();
        if (ldLibraryPath != null) {
            for (String d : ldLibraryPath.split(File.pathSeparator)) if (!d.isBlank()) dirs.add(Path.of(d));
        }
        if (Files.isDirectory(ldSoConfD)) {
            try (DirectoryStream<Path> confs = Files.newDirectoryStream(ldSoConfD, "*.conf")) {
                for (Path conf : confs) {
                    for (String line : Files.readAllLines(conf)) {
                        String d = line.strip();
                        if (d.startsWith("/")) dirs.add(Path.of(d));
                    }
                }
            } catch (IOException e) {
                // An unreadable configuration leaves the usual folders, which hold the loader on common systems.
            }
        }
        String multiarch = switch (osArch) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64", "arm64" -> "aarch64-linux-gnu";
            default -> osArch + "-linux-gnu";
        };
        for (String d : new String[] {
            "/usr/lib/" + multiarch, "/lib/" + multiarch, "/usr/lib64", "/lib64", "/usr/lib", "/lib", "/usr/local/lib"
        }) dirs.add(Path.of(d));
        return List.copyOf(dirs);
    }

    /** This machine's {@link #searchDirs}. */
    static List<Path> searchDirs() {
        return searchDirs(System.getenv(LD_LIBRARY_PATH), Path.of("/etc/ld.so.conf.d"), System.getProperty("os.arch"));
    }

    /** The first of {@code dirs} that holds {@code name}, a file or a link that leads to one. */
    static Optional<Path> find(List<Path> dirs, String name) {
        for (Path d : dirs) {
            Path p = d.resolve(name);
            if (Files.isRegularFile(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /**
     * Readies {@code env}, the environment of a JVM about to start, for JOCL: when no folder of {@code dirs} holds
     * {@code libOpenCL.so} and one holds {@code libOpenCL.so.1}, links the latter as {@code libOpenCL.so} in
     * {@code linkDir} and puts {@code linkDir} first on {@code LD_LIBRARY_PATH}. Returns whether it did.
     */
    static boolean linkForChild(Map<String, String> env, List<Path> dirs, Path linkDir) throws IOException {
        if (find(dirs, NAME).isPresent()) return false;
        Optional<Path> versioned = find(dirs, VERSIONED);
        if (versioned.isEmpty()) return false;
        Files.createSymbolicLink(linkDir.resolve(NAME), versioned.get());
        String before = env.get(LD_LIBRARY_PATH);
        env.put(
                LD_LIBRARY_PATH,
                before == null || before.isEmpty() ? linkDir.toString() : linkDir + File.pathSeparator + before);
        return true;
    }

    /**
     * As {@link #linkForChild(Map, List, Path)} on this machine, in a new private temporary folder: the folder, which
     * the caller deletes with {@link #removeLinkDir} once the child has ended, or null when no link was needed (a
     * loader JOCL finds, none at all, or not Linux).
     */
    public static Path linkForChild(Map<String, String> env) throws IOException {
        if (!linux()) return null;
        List<Path> dirs = searchDirs();
        if (find(dirs, NAME).isPresent() || find(dirs, VERSIONED).isEmpty()) return null;
        Path dir = Files.createTempDirectory("scn-opencl-");
        linkForChild(env, dirs, dir);
        return dir;
    }

    /** Deletes a folder {@link #linkForChild(Map)} made, with its link. */
    public static void removeLinkDir(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(NAME));
        Files.deleteIfExists(dir);
    }

    /**
     * What a user whose JVM could not load the loader should do, given the folders searched: nothing to add when
     * {@code libOpenCL.so} is there (JOCL's own message then says why it failed), otherwise which package to install.
     */
    static String advice(List<Path> dirs) {
        if (find(dirs, NAME).isPresent()) return "";
        Optional<Path> versioned = find(dirs, VERSIONED);
        if (versioned.isPresent()) {
            return "JOCL loads " + NAME + " and this machine has only " + versioned.get()
                    + ": install ocl-icd-opencl-dev, or start the engine with 'java -jar engine.jar', which links "
                    + VERSIONED + " for the JVM it starts, or put a folder holding a link " + NAME + " -> "
                    + versioned.get() + " first on " + LD_LIBRARY_PATH;
        }
        List<String> where = new ArrayList<>();
        for (Path d : dirs) where.add(d.toString());
        return "no OpenCL ICD loader (" + VERSIONED + ") in " + String.join(", ", where)
                + ": install ocl-icd-libopencl1 and ocl-icd-opencl-dev, and a GPU driver with OpenCL"
                + " (or pocl-opencl-icd to run the kernels on the CPU)";
    }

    /** {@link #advice(List)} for this machine; nothing elsewhere than on Linux, where JOCL finds the loader itself. */
    static String advice() {
        return linux() ? advice(searchDirs()) : "";
    }

    private static boolean linux() {
        return System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux");
    }
}
