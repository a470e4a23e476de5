package scn.data.raw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scn.data.EventFiles;
import scn.data.FollowedFile;
import scn.data.FollowedFileTest;
import scn.data.GrowingFile;
import scn.data.events.EventStream;
import scn.data.events.Events;

/**
 * Following RAW files while they are written, in pieces that cut words (and EVT 3.0's multi-word vectors)
 * anywhere: the same events as the finished file, through the decoder's checkpoints.
 */
class FollowedRawTest {
    @TempDir
    Path dir;

    @Test
    void growingEvt2AndEvt3FilesReadWhole() throws Exception {
        for (boolean evt3 : new boolean[] {false, true}) {
            SplittableRandom rnd = new SplittableRandom(evt3 ? 3 : 2);
            List<RawEventEncoder.Ev> events = RawRoundTripTest.events(40_000, 1000, rnd);
            RawEventEncoder.Encoded enc = evt3 ? RawEventEncoder.evt3(events, rnd) : RawEventEncoder.evt2(events, rnd);
            Path whole =
                    enc.words().write(dir.resolve("whole" + evt3 + ".raw"), RawRoundTripTest.W, RawRoundTripTest.H);
            Events expected;
            try (EventStream s = EventFiles.open(whole)) {
                expected = FollowedFileTest.readAll(s);
            }
            Path growing = dir.resolve("growing" + evt3 + ".raw");
            GrowingFile writer = GrowingFile.start(whole, growing, 25, 999, 2); // odd pieces: words cut in half
            Events got;
            int openings;
            FollowedFile.Options quick = new FollowedFile.Options(Duration.ofMillis(300), Duration.ofMillis(5));
            try (FollowedFile f = FollowedFile.open(growing, quick)) {
                got = FollowedFileTest.readAll(f);
                openings = f.openings();
            }
            writer.finish();
            FollowedFileTest.assertSameEvents(expected, got);
            assertTrue(openings > 10, "opened again as it grew: " + openings);
            assertEquals(Files.size(whole), Files.size(growing));
        }
    }
}
