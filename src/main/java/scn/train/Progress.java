package scn.train;

import java.io.PrintStream;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress people can follow: on a terminal a live bar (steps done, ETA, samples/s and the loss terms
 * as its message); when standard error is a file or a pipe, where a bar would be a stream of carriage
 * returns, one plain line every {@code quietIntervalS} seconds and at the last step.
 */
public final class Progress implements AutoCloseable {
    private final ProgressBar bar; // null when not on a terminal
    private final PrintStream log;
    private final long total;
    private final double quietIntervalS;
    private final long startNanos = System.nanoTime();
    private final long startDone;
    private double lastLineS = -1;

    /** A bar for {@code total} steps, {@code done} of them already done (a resumed run). */
    public Progress(String task, long done, long total, PrintStream log, double quietIntervalS) {
        this.log = log;
        this.total = total;
        this.startDone = done;
        this.quietIntervalS = quietIntervalS;
        boolean terminal = System.console() != null && System.console().isTerminal();
        this.bar = terminal
                ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total).startsFrom(done, Duration.ZERO).setStyle(ProgressBarStyle.ASCII)
                        .setUpdateIntervalMillis(500).build()
                : null;
    }

    /** Reports {@code done} steps and the message of the latest one (loss terms, throughput). */
    public void update(long done, String message) {
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(message);
            return;
        }
        double s = (System.nanoTime() - startNanos) * 1e-9;
        if (done == total || lastLineS < 0 || s - lastLineS >= quietIntervalS) {
            lastLineS = s;
            double perStep = done > startDone ? s / (done - startDone) : 0;
            log.printf("step %d/%d  %s  elapsed %s  eta %s%n", done, total, message, clock(s), clock(perStep * (total - done)));
        }
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
