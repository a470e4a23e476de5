package scn.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scn.TestUtil;
import scn.backend.DeviceBuffer.Type;

/**
 * What the OpenCL runtime itself promises, apart from any kernel's numbers (those are {@code scn.check.kernels}'s):
 * a failed build names the compiler's log, and a bad selector or a misused buffer is a clear error. Skipped without
 * an OpenCL platform, except under {@code CI=true}.
 */
class ClDeviceTest {
    private static ClDevice dev;

    @BeforeAll
    static void openDevice() {
        dev = ClDevice.open(TestUtil.openClTestDevice());
    }

    @AfterAll
    static void close() {
        if (dev != null) dev.close();
    }

    @Test
    void buildErrorsCarryTheCompilerLog() {
        // plif.cl refuses to build without its time-step count, with an #error naming it.
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> dev.kernel("plif", "plif_forward", ""));
        assertTrue(e.getMessage().contains("Build log") && e.getMessage().contains("T_STEPS"), e.getMessage());
        IllegalStateException missing =
                assertThrows(IllegalStateException.class, () -> dev.kernel("gemm", "no_such_kernel", "-DRTS=16"));
        assertTrue(missing.getMessage().contains("no_such_kernel"), missing.getMessage());
    }

    @Test
    void selectionAndBufferMisuseAreClearErrors() {
        assertThrows(
                IllegalArgumentException.class,
                () -> Devices.open("opencl:" + ClPlatforms.devices().size()));
        assertThrows(IllegalArgumentException.class, () -> Devices.open("cuda"));
        assertThrows(IllegalArgumentException.class, () -> Devices.open("opencl:x"));
        try (ClBuffer b = dev.allocate(Type.FLOAT32, 3)) {
            assertThrows(IllegalArgumentException.class, () -> dev.write(b, new float[4]));
            assertThrows(IllegalArgumentException.class, () -> dev.write(b, new int[3]));
            assertThrows(IllegalArgumentException.class, () -> ElementwiseCl.relu(b, b, 4));
        }
    }
}
