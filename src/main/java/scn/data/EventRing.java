package scn.data;

import scn.data.events.Events;

/**
 * The most recent events of a stream, oldest first, in a circular buffer: what a detector running over a
 * whole recording keeps so that its memory follows the window (SPEC section 4: 100 ms) and not the
 * recording. Events enter at the back in time order ({@link #add}) and leave at the front once they are
 * older than the next window ({@link #dropBefore}).
 *
 * <p>The buffer grows (doubling) when a burst holds more events than it has room for, and never shrinks:
 * its size is the densest window's. {@link #peakSize()} says how many events were ever held at once,
 * which is how a test checks that memory stays flat over a long recording.
 */
public final class EventRing {
    private Events buffer; // [capacity] circular: slots head, head+1, ... (mod capacity)
    private int head;
    private int size;
    private int peakSize;

    public EventRing(int initialCapacity) {
        buffer = new Events(initialCapacity);
        buffer.resize(Math.max(1, initialCapacity));
    }

    /** Appends an event; {@code time} must not be earlier than the last one's. */
    public void add(long time, int x, int y, int polarity) {
        int capacity = buffer.size();
        if (size == capacity) {
            grow();
            capacity = buffer.size();
        }
        int i = head + size;
        if (i >= capacity) i -= capacity;
        buffer.t()[i] = time;
        buffer.x()[i] = (short) x;
        buffer.y()[i] = (short) y;
        buffer.p()[i] = (byte) polarity;
        size++;
        if (size > peakSize) peakSize = size;
    }

    /** Drops the events earlier than {@code time} (they are at the front, as times never decrease). */
    public void dropBefore(long time) {
        long[] t = buffer.t();
        int capacity = buffer.size();
        while (size > 0 && t[head] < time) {
            head = head + 1 == capacity ? 0 : head + 1;
            size--;
        }
    }

    /**
     * Encodes the held events (SPEC section 4) for the window ending at {@code tL} into {@code out} at
     * {@code at}, which must already be cleared; events outside the window are ignored. Returns how many
     * fell in it.
     */
    public int encode(long tL, int width, byte[] out, Encoder.Layout at) {
        int capacity = buffer.size();
        int firstEnd = Math.min(capacity, head + size); // the held events are [head, firstEnd) then [0, wrapped)
        int wrapped = head + size - firstEnd;
        return Encoder.encode(buffer, head, firstEnd, tL, width, false, out, at)
                + Encoder.encode(buffer, 0, wrapped, tL, width, false, out, at);
    }

    /** Events held now. */
    public int size() {
        return size;
    }

    /** The most events ever held at once. */
    public int peakSize() {
        return peakSize;
    }

    /** Room before the buffer grows. */
    public int capacity() {
        return buffer.size();
    }

    private void grow() {
        int capacity = buffer.size();
        Events bigger = new Events(2 * capacity);
        bigger.resize(2 * capacity);
        int first = Math.min(size, capacity - head); // unwrap: oldest first, from slot 0
        copy(buffer, head, bigger, 0, first);
        copy(buffer, 0, bigger, first, size - first);
        buffer = bigger;
        head = 0;
    }

    private static void copy(Events from, int a, Events to, int b, int n) {
        System.arraycopy(from.t(), a, to.t(), b, n);
        System.arraycopy(from.x(), a, to.x(), b, n);
        System.arraycopy(from.y(), a, to.y(), b, n);
        System.arraycopy(from.p(), a, to.p(), b, n);
    }
}
