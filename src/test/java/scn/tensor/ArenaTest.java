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

    /**
     * A step that keeps one array of 100 and uses, one after the other, 100 and 150 for a moment: taken
     * one at a time, the 150 cannot use the free 100 (350 held); planned from the recorded step, the 100
     * and the 150 share one array (250 held), and nothing is allocated after that.
     */
    @Test
    void aPlanFromTheRecordedStepPacksRequestsWhoseLifetimesDoNotOverlap() {
        Arena arena = new Arena();
        for (int step = 0; step < 4; step++) {
            arena.reset();
            try (var scope = arena.activate()) {
                float[] kept = Arena.floats(100);
                float[] brief = Arena.floats(100);
                assertNotSame(kept, brief);
                Arena.giveBack(brief);
                float[] later = Arena.floats(150);
                assertNotSame(kept, later);
                assertTrue(later.length >= 150 && brief.length >= 100);
                Arena.giveBack(later);
            }
            assertEquals(4 * (step == 0 ? 350 : 250), arena.allocatedBytes(), "step " + step);
            assertEquals(4 * 250, arena.peakInUseBytes());
        }
    }

    @Test
    void aStepThatDiffersFromThePlanStillGetsDistinctArrays() {
        Arena arena = new Arena();
        for (int step = 0; step < 3; step++) {
            arena.reset();
            try (var scope = arena.activate()) {
                float[] a = Arena.floats(100);
                float[] b = Arena.floats(100);
                Arena.giveBack(b);
                float[] c = Arena.floats(step == 2 ? 80 : 100); // step 2 asks for another size
                float[] d = Arena.floats(100); // and keeps c while asking for more
                assertNotSame(a, c);
                assertNotSame(a, d);
                assertNotSame(c, d);
            }
        }
    }

    @Test
    void withoutAnActiveArenaArraysAreFresh() {
        assertEquals(5, Arena.floats(5).length);
        assertFalse(Arena.giveBack(new byte[3]));
    }
}
