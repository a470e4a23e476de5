package scn.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Discovery answers the same however often it is asked, with or without OpenCL: on a machine without
 * the library, JOCL's class fails to initialise once and every later use throws another error, which
 * must also read as "no devices" (the OpenCL tests then skip, or fail under {@code CI=true}).
 */
class ClPlatformsTest {
    @Test
    void askingTwiceGivesTheSameAnswer() {
        List<String> first =
                ClPlatforms.devices().stream().map(ClPlatforms.Info::describe).toList();
        String why = ClPlatforms.unavailableReason();
        List<String> second =
                ClPlatforms.devices().stream().map(ClPlatforms.Info::describe).toList();
        assertEquals(first, second);
        assertEquals(why, ClPlatforms.unavailableReason());
    }
}
