package scn.check.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;
import scn.TestUtil;
import scn.backend.opencl.ClPlatforms;
import scn.cli.Main;

/**
 * {@code engine devices} lists the OpenCL devices; {@code engine check-kernels} passes on one and refuses a bad
 * selector.
 */
class CheckKernelsCommandTest {
    private static String run(int expectedCode, String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            assertEquals(expectedCode, Main.run(args), String.join(" ", args));
        } finally {
            System.setOut(out);
        }
        return buf.toString();
    }

    @Test
    void devicesAndCheckKernels() {
        int index = TestUtil.openClTestDevice();
        int all = ClPlatforms.devices().size();
        String devices = run(0, "devices");
        assertTrue(devices.contains("opencl:" + index + " ") && devices.contains("max work-group"), devices);
        String report = run(0, "check-kernels", "--device", "opencl:" + index);
        assertTrue(report.contains(ClCheckCases.COUNT + " checks, 0 failed"), report);
        run(2, "check-kernels", "--device", "opencl:" + all);
    }
}
