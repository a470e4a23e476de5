package scn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Progress when the output is not a terminal: whole lines, at most one per interval, on a clock the test moves. */
class ProgressTest {
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(7 * SECOND);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private Progress.Builder quiet(String task, long total) {
        return Progress.of(task, total)
                .lines(new PrintStream(bytes, true, StandardCharsets.UTF_8))
                .clock(now::get)
                .terminal(false);
    }

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void oneLinePerIntervalThenTheLast() {
        // 100 samples, one every 2 s: lines at 0 s and then every 16 s (the first update at least 15 s on), and at 100
        try (Progress p = quiet("detect", 100).unit("samples").start()) {
            for (int done = 1; done <= 100; done++) {
                now.addAndGet(2 * SECOND);
                p.update(done);
            }
        }
        String text = text();
        assertFalse(text.contains("\r"), text);
        assertTrue(text.endsWith("\n"), text);
        List<String> lines = text.lines().toList();
        assertEquals("detect: 1/100 samples  elapsed 0:00:02  eta 0:03:18", lines.getFirst());
        assertEquals("detect: 9/100 samples  elapsed 0:00:18  eta 0:03:02", lines.get(1));
        assertEquals("detect: 100/100 samples  elapsed 0:03:20  eta 0:00:00", lines.getLast());
        assertEquals(
                List.of(1, 9, 17, 25, 33, 41, 49, 57, 65, 73, 81, 89, 97, 100),
                lines.stream().map(ProgressTest::done).toList());
        for (int i = 1; i < lines.size() - 1; i++) {
            long apart = seconds(lines.get(i)) - seconds(lines.get(i - 1));
            assertTrue(apart >= 15, "at most one line per interval: " + lines);
        }
    }

    @Test
    void aRunStoppedEarlySaysWhereOnClosingAndMessagesAndResumedCountsShow() {
        try (Progress p = quiet("train", 50).from(20).every(60).start()) {
            now.addAndGet(10 * SECOND);
            p.update(21, "loss 1.500");
            now.addAndGet(10 * SECOND);
            p.update(22, "loss 1.400"); // within the minute: kept back, shown on closing
        }
        assertEquals(
                List.of(
                        "train: 21/50 steps  loss 1.500  elapsed 0:00:10  eta 0:04:50",
                        "train: 22/50 steps  loss 1.400  elapsed 0:00:20  eta 0:04:40"),
                text().lines().toList());
    }

    @Test
    void nothingMoreOnClosingWhenTheLastStateWasShown() {
        try (Progress p = quiet("energy", 4).unit("samples").start()) {
            p.update(2);
            p.update(4);
        }
        assertEquals(2, text().lines().count(), text());
    }

    private static int done(String line) {
        return Integer.parseInt(line.substring(line.indexOf(' ') + 1, line.indexOf('/')));
    }

    private static long seconds(String line) {
        String clock = line.substring(line.indexOf("elapsed ") + 8, line.indexOf("  eta"));
        String[] hms = clock.split(":");
        return Long.parseLong(hms[0]) * 3600 + Long.parseLong(hms[1]) * 60 + Long.parseLong(hms[2]);
    }
}
