package scn.train;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress people can follow, for every long-running command: on a terminal a live bar (units done,
 * ETA, and a message such as samples/s and the loss terms); when the output is a file or a pipe, where a
 * bar would be a stream of carriage returns, plain lines instead: one at the first update, then at most
 * one every {@link #QUIET_INTERVAL_S} seconds, one when the last unit is done, and on closing one for the
 * state not yet shown (a run stopped early says where it stopped).
 *
 * <p>Not thread-safe: one thread reports.
 */
public final class Progress implements AutoCloseable {
    /** Seconds between lines when the output is not a terminal. */
    public static final double QUIET_INTERVAL_S = 15;

    private final ProgressBar bar; // null when not on a terminal
    private final String task;
    private final String unit;
    private final long total;
    private final long startDone;
    private final PrintStream log;
    private final double intervalS;
    private final LongSupplier nanoTime;
    private final long startNanos;
    private double lastLineS = -1;
    private long lastDone = -1;
    private String lastMessage = "";
    private boolean lastShown = true;

    private Progress(Builder b) {
        this.task = b.task;
        this.unit = b.unit;
        this.total = b.total;
        this.startDone = b.done;
        this.log = b.log;
        this.intervalS = b.intervalS;
        this.nanoTime = b.nanoTime;
        this.startNanos = nanoTime.getAsLong();
        boolean terminal = b.terminal != null
                ? b.terminal
                : System.console() != null && System.console().isTerminal();
        this.bar = terminal
                ? new ProgressBarBuilder()
                        .setTaskName(task)
                        .setInitialMax(total)
                        .startsFrom(b.done, Duration.ZERO)
                        .setUnit(" " + unit, 1)
                        .setStyle(ProgressBarStyle.ASCII)
                        .setUpdateIntervalMillis(500)
                        .build()
                : null;
    }

    /** Progress of {@code task} over {@code total} units; set the rest on the builder, then {@link Builder#start()}. */
    public static Builder of(String task, long total) {
        return new Builder(task, total);
    }

    /** How a {@link Progress} reports; everything but the task and the total has a default. */
    public static final class Builder {
        private final String task;
        private final long total;
        private String unit = "steps";
        private long done;
        private PrintStream log = System.err;
        private double intervalS = QUIET_INTERVAL_S;
        private LongSupplier nanoTime = System::nanoTime;
        private Boolean terminal; // null: ask the console

        private Builder(String task, long total) {
            if (total < 0) throw new IllegalArgumentException("Progress: total must be >= 0, got " + total);
            this.task = task;
            this.total = total;
        }

        /** What is counted, plural: {@code steps} (the default), {@code samples}, {@code recordings}. */
        public Builder unit(String unit) {
            this.unit = unit;
            return this;
        }

        /** Units already done when this starts (a resumed run); 0 by default. */
        public Builder from(long done) {
            this.done = done;
            return this;
        }

        /** Where the lines go when not on a terminal; standard error by default (the bar always goes there). */
        public Builder lines(PrintStream log) {
            this.log = log;
            return this;
        }

        /** Seconds between lines when not on a terminal; {@link #QUIET_INTERVAL_S} by default. */
        public Builder every(double seconds) {
            this.intervalS = seconds;
            return this;
        }

        /** Tests: a clock in nanoseconds in place of {@link System#nanoTime()}. */
        Builder clock(LongSupplier nanoTime) {
            this.nanoTime = nanoTime;
            return this;
        }

        /** Tests: a bar (true) or lines (false), whatever the console is. */
        Builder terminal(boolean terminal) {
            this.terminal = terminal;
            return this;
        }

        public Progress start() {
            return new Progress(this);
        }
    }

    /** Reports {@code done} units. */
    public void update(long done) {
        update(done, "");
    }

    /** Reports {@code done} units and the message of the latest one (loss terms, throughput; may be empty). */
    public void update(long done, String message) {
        if (bar != null) {
            bar.stepTo(done);
            bar.setExtraMessage(message);
            return;
        }
        lastDone = done;
        lastMessage = message;
        double s = seconds();
        if (done == total || lastLineS < 0 || s - lastLineS >= intervalS) {
            line(s);
        } else {
            lastShown = false;
        }
    }

    private void line(double s) {
        lastLineS = s;
        lastShown = true;
        double perUnit = lastDone > startDone ? s / (lastDone - startDone) : 0;
        String message = lastMessage.isEmpty() ? "" : "  " + lastMessage;
        log.printf(
                Locale.ROOT,
                "%s: %d/%d %s%s  elapsed %s  eta %s%n",
                task,
                lastDone,
                total,
                unit,
                message,
                clock(s),
                clock(perUnit * (total - lastDone)));
    }

    private double seconds() {
        return (nanoTime.getAsLong() - startNanos) * 1e-9;
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
        else if (!lastShown) line(seconds());
    }
}
