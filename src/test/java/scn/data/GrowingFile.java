package scn.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The tests' camera: a background thread writing the bytes of a finished file to another file in pieces
 * of {@code chunk} bytes, {@code pauseMillis} apart, so the pieces cut headers, records and words
 * anywhere. {@link #finish} waits for it and rethrows what it failed with.
 */
public final class GrowingFile {
    private final Thread thread;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile long finishedNanos;

    private GrowingFile(Path target, byte[] bytes, int first, int chunk, long pauseMillis) {
        thread = new Thread(
                () -> {
                    try (OutputStream o = Files.newOutputStream(target, StandardOpenOption.APPEND)) {
                        for (int at = first; at < bytes.length; at += chunk) {
                            Thread.sleep(pauseMillis);
                            o.write(bytes, at, Math.min(chunk, bytes.length - at));
                            o.flush();
                        }
                        finishedNanos = System.nanoTime();
                    } catch (IOException | InterruptedException e) {
                        failure.set(e);
                    }
                },
                "growing " + target.getFileName());
    }

    /** Writes the first {@code first} bytes of {@code source} to {@code target} now, and the rest in the background. */
    public static GrowingFile start(Path source, Path target, int first, int chunk, long pauseMillis)
            throws IOException {
        byte[] bytes = Files.readAllBytes(source);
        Files.write(target, Arrays.copyOf(bytes, Math.min(first, bytes.length)));
        GrowingFile g = new GrowingFile(target, bytes, first, chunk, pauseMillis);
        g.thread.start();
        return g;
    }

    /** Waits for the writer; returns System.nanoTime() at its last write. */
    public long finish() throws Exception {
        thread.join();
        if (failure.get() != null) throw failure.get();
        return finishedNanos;
    }
}
