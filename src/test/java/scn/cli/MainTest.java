package scn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import scn.backend.DeviceMemoryException;

class MainTest {
    private static String run(int expectedCode, String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            int code = Main.run(args);
            if (expectedCode >= 0) assertEquals(expectedCode, code, String.join(" ", args));
            else assertNotEquals(0, code, String.join(" ", args));
        } finally {
            System.setOut(out);
        }
        return buf.toString();
    }

    @Test
    void versionAndDevicesAndHelp() {
        assertTrue(run(0, "version").contains("Spiking CenterNet engine"));
        String devices = run(0, "devices");
        assertTrue(devices.contains("cpu:") && devices.contains("float lanes"), devices);
        assertTrue(run(0, "--help").contains("devices"));
    }

    @Test
    void unknownOptionsFail() {
        run(-1, "devices", "--no-such-option");
        run(-1, "no-such-command");
    }

    @Command(name = "step")
    static final class OutOfMemory implements Runnable {
        @Override
        public void run() {
            throw new DeviceMemoryException("device step: a batch of 64 does not fit on opencl:0 GPU");
        }
    }

    /** A batch the device cannot hold ends a command with its message on one line and exit code 2, no stack trace. */
    @Test
    void outOfDeviceMemoryIsOneLine() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new OutOfMemory())
                .setErr(new PrintWriter(err, true))
                .setExecutionExceptionHandler(Main::reportInputError)
                .execute();
        assertEquals(2, code);
        assertEquals(
                "step: device step: a batch of 64 does not fit on opencl:0 GPU",
                err.toString().strip());
    }
}
