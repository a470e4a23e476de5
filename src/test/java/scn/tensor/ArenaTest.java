package scn.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ArenaTest {
    @Test
    void countsWhatIsHeldInUseAndAtMostInUse() {
        Arena arena = new Arena();
        try (var scope = arena.activate()) {
            float[] a = Arena.floats(100);
            byte[] b = Arena.bytes(40);
            int[] c = Arena.ints(10);
            assertEquals(400 + 40 + 40, arena.inUseBytes());
            assertTrue(Arena.giveBack(a));
            assertTrue(Arena.giveBack(b));
            assertTrue(Arena.giveBack(c));
            assertEquals(0, arena.inUseBytes());
            assertEquals(480, arena.peakInUseBytes());
            assertEquals(480, arena.allocatedBytes());
            assertSame(a, Arena.floats(100), "a given-back array serves the next request of its size");
            assertFalse(Arena.giveBack(new float[100]), "an array the arena did not hand out is left alone");
        }
        arena.reset();
        assertEquals(0, arena.inUseBytes());
        assertEquals(0, arena.peakInUseBytes());
        assertEquals(480, arena.allocatedBytes());
    }

    @Test
    void aStepThatRepeatsAllocatesNothingNew() {
        Arena arena = new Arena();
        for (int step = 0; step < 3; step++) {
            arena.reset();
            try (var scope = arena.activate()) {
                assertNotSame(Arena.floats(64), Arena.floats(64));
            }
        }
        assertEquals(2 * 64 * 4, arena.allocatedBytes());
    }

    @Test
    void withoutAnActiveArenaArraysAreFresh() {
        assertEquals(5, Arena.floats(5).length);
        assertFalse(Arena.giveBack(new byte[3]));
    }
}
