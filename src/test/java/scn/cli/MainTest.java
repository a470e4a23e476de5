package scn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

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
}
