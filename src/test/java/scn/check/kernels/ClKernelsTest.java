package scn.check.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scn.TestUtil;
import scn.backend.opencl.ClDevice;

/**
 * Every OpenCL kernel against its CPU reference, through whatever OpenCL device the machine has (PoCL
 * on the CPU in CI): the checks of {@link ClChecks} with the tolerances explained in
 * {@link ClCheckCases}, then coverage: the number of checks, every public entry of every {@code *Cl}
 * class named by a check (found by reflection), and every {@code __kernel} of every source launched.
 *
 * <p>Without an OpenCL platform the tests are skipped, except under {@code CI=true}, where a missing
 * platform means the CI image is broken and the tests fail.
 */
class ClKernelsTest {
    /**
     * Public entries of the {@code *Cl} classes, and kernels in {@code src/main/opencl}: a new one must be checked and
     * counted.
     */
    private static final int ENTRIES = 50;

    private static final int KERNELS = 63;

    private static ClDevice dev;
    private static ClChecks.Report report;

    @BeforeAll
    static void openDeviceAndRunChecks() {
        dev = ClDevice.open(TestUtil.openClTestDevice());
        report = ClChecks.run(dev);
    }

    @AfterAll
    static void close() {
        if (dev != null) dev.close();
    }

    @Test
    void everyKernelMatchesItsReference() {
        String failures = report.results().stream()
                .filter(r -> !r.ok())
                .map(r -> r.name() + ": " + r.failure())
                .collect(Collectors.joining("\n"));
        assertTrue(failures.isEmpty(), failures);
        assertEquals(ClCheckCases.COUNT, report.results().size(), "number of kernel checks");
    }

    @Test
    void everyEntryWasChecked() throws IOException {
        Set<String> found = new TreeSet<>();
        Path dir = Path.of(
                ClDevice.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .getPath(),
                "scn",
                "backend",
                "opencl");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String file = f.getFileName().toString();
                if (file.contains("$") || !file.endsWith("Cl.class")) continue;
                Class<?> cls;
                try {
                    cls = Class.forName("scn.backend.opencl." + file.substring(0, file.length() - ".class".length()));
                } catch (ClassNotFoundException e) {
                    throw new IOException(e);
                }
                for (Method m : cls.getDeclaredMethods()) {
                    int mod = m.getModifiers();
                    if (Modifier.isStatic(mod) && Modifier.isPublic(mod) && !m.isSynthetic())
                        found.add(cls.getSimpleName() + "." + m.getName());
                }
            }
        }
        assertEquals(
                found, new TreeSet<>(report.coveredEntries()), "OpenCL entries found vs checked against a reference");
        assertEquals(ENTRIES, found.size(), "number of OpenCL entries");
    }

    @Test
    void everyKernelWasLaunched() {
        assertEquals(List.of(), report.unlaunchedKernels(), "kernels no check launched");
        assertEquals(KERNELS, report.declaredKernels().size(), "number of kernels in the sources");
    }

    @Test
    void programListMatchesTheSourceFolder() throws IOException {
        Path dir = Path.of(
                ClDevice.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .getPath(),
                "opencl");
        try (Stream<Path> files = Files.list(dir)) {
            Set<String> onDisk = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".cl"))
                    .map(f -> f.substring(0, f.length() - 3))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(onDisk, new TreeSet<>(ClChecks.PROGRAMS));
        }
    }
}
