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

    /** The distillation twin checks its buffers and settings before anything is launched. */
    @Test
    void distillationRefusesMisfitArguments() {
        try (ClBuffer f = dev.allocate(Type.FLOAT32, 12);
                ClBuffer i = dev.allocate(Type.INT32, 12);
                ClBuffer stats = dev.allocate(Type.FLOAT32, 2)) {
            int kl = DistillationLossCl.KL;
            IllegalArgumentException shortDz = assertThrows(
                    IllegalArgumentException.class, () -> DistillationLossCl.heatmap(stats, 0, f, f, f, 13, kl, 1, 1));
            assertTrue(shortDz.getMessage().contains("dz"), shortDz.getMessage());
            assertThrows(
                    IllegalArgumentException.class, () -> DistillationLossCl.heatmap(stats, 0, f, i, f, 12, kl, 1, 1));
            assertThrows(
                    IllegalArgumentException.class, () -> DistillationLossCl.heatmap(stats, 2, f, f, f, 12, kl, 1, 1));
            assertThrows(
                    IllegalArgumentException.class, () -> DistillationLossCl.heatmap(stats, 0, f, f, f, 12, 3, 1, 1));
            assertThrows(
                    IllegalArgumentException.class, () -> DistillationLossCl.heatmap(stats, 0, f, f, f, 12, kl, 0, 1));
            assertThrows(
                    IllegalArgumentException.class, () -> DistillationLossCl.heatmap(stats, 0, f, f, f, 12, kl, 1, 0));
            // [B=1, 2, 6 cells] maps fit in 12, but the teacher's logits of 3 classes need 18
            IllegalArgumentException logits = assertThrows(
                    IllegalArgumentException.class,
                    () -> DistillationLossCl.regression(stats, 1, f, f, f, f, f, f, f, 1, 3, 6, 0.1f));
            assertTrue(logits.getMessage().contains("teacher logits"), logits.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> DistillationLossCl.regression(stats, 1, f, i, f, f, f, f, f, 1, 2, 6, 0.1f));
        }
    }
}
