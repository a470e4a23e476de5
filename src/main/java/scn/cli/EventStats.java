package scn.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import scn.data.events.Events;

/**
 * What {@code inspect} reports about a run of events, accumulated batch by batch so a file of any size is
 * summarised in bounded memory: count, polarity balance, extent, time span and rate.
 */
final class EventStats {
    long events;
    long on;
    int maxX = -1;
    int maxY = -1;
    long firstTime = -1;
    long lastTime = -1;

    /** Adds events {@code [0, ev.size())}; their times must not decrease, nor start before the last batch's. */
    void add(Events ev) {
        int n = ev.size();
        if (n == 0) return;
        if (firstTime < 0) firstTime = ev.t()[0];
        lastTime = ev.t()[n - 1];
        short[] x = ev.x();
        short[] y = ev.y();
        byte[] p = ev.p();
        for (int i = 0; i < n; i++) {
            on += p[i];
            maxX = Math.max(maxX, x[i]);
            maxY = Math.max(maxY, y[i]);
        }
        events += n;
    }

    double seconds() {
        return events == 0 ? 0 : (lastTime - firstTime) * 1e-6;
    }

    /** Events per second over the span from the first to the last event (0 when it has no length). */
    double rate() {
        return seconds() > 0 ? events / seconds() : 0;
    }

    /** The share of ON events (polarity 1), or 0 without events. */
    double onFraction() {
        return events == 0 ? 0 : on / (double) events;
    }

    /** The events, polarity and time lines, as inspect prints them. */
    String text(long clamped) {
        return String.format(
                "  events: %d (ON %d, OFF %d), x <= %d, y <= %d, %d timestamps clamped forward%n"
                        + "  polarity: %.1f%% ON%n  time: %d .. %d µs, duration %.3f s, rate %.3f Mev/s",
                events,
                on,
                events - on,
                maxX,
                maxY,
                clamped,
                100 * onFraction(),
                Math.max(0, firstTime),
                Math.max(0, lastTime),
                seconds(),
                rate() * 1e-6);
    }

    /** The JSON fields: events, t_first_us, t_last_us (null without events), duration, rate, polarity, extent. */
    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("events", events);
        m.put("t_first_us", events == 0 ? null : firstTime);
        m.put("t_last_us", events == 0 ? null : lastTime);
        m.put("duration_s", seconds());
        m.put("rate_ev_per_s", rate());
        m.put("on", on);
        m.put("off", events - on);
        m.put("on_fraction", onFraction());
        m.put("x_max", events == 0 ? null : maxX);
        m.put("y_max", events == 0 ? null : maxY);
        return m;
    }
}
