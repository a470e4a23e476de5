package scn.data.raw;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tests' RAW writer: words put together from Prophesee's format pages (not from the decoders), one
 * method per word type, then written after a header. The test chooses every word, so it can cover each
 * type, the edges of vector masks, loops, and streams that break the rules.
 */
final class RawWords {
    final RawFormat format;
    private final List<Integer> words = new ArrayList<>();

    RawWords(RawFormat format) {
        this.format = format;
    }

    static RawWords evt2() {
        return new RawWords(RawFormat.EVT2);
    }

    static RawWords evt3() {
        return new RawWords(RawFormat.EVT3);
    }

    /** Any word: {@code type} in the top 4 bits, {@code payload} below. */
    RawWords word(int type, int payload) {
        int bits = format.wordBytes() * 8 - 4;
        if ((payload >>> bits) != 0) {
            throw new IllegalArgumentException("payload " + payload + " wider than " + bits + " bits");
        }
        words.add(type << bits | payload);
        return this;
    }

    int size() {
        return words.size();
    }

    // EVT 2.0: [31:28] type, CD: [27:22] time low, [21:11] x, [10:0] y.

    RawWords cd(int polarity, int timeLow, int x, int y) {
        return word(polarity, timeLow << 22 | x << 11 | y);
    }

    RawWords timeHigh2(long timeHigh) {
        return word(0x8, (int) timeHigh);
    }

    // EVT 3.0: [15:12] type.

    RawWords addrY(int y) {
        return word(0x0, y);
    }

    RawWords addrX(int x, int polarity) {
        return word(0x2, polarity << 11 | x);
    }

    RawWords vectBaseX(int x, int polarity) {
        return word(0x3, polarity << 11 | x);
    }

    RawWords vect12(int mask) {
        return word(0x4, mask);
    }

    RawWords vect8(int mask) {
        return word(0x5, mask);
    }

    RawWords timeLow(int low) {
        return word(0x6, low);
    }

    RawWords timeHigh3(int high) {
        return word(0x8, high);
    }

    /** The words, little-endian. */
    byte[] bytes() {
        ByteBuffer b = ByteBuffer.allocate(words.size() * format.wordBytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) {
            if (format == RawFormat.EVT2) b.putInt(w);
            else b.putShort((short) w);
        }
        return b.array();
    }

    /** The header lines given (each without "% "), "% end", then the words. */
    Path write(Path file, String... headerLines) throws IOException {
        StringBuilder h = new StringBuilder();
        for (String line : headerLines) h.append("% ").append(line).append('\n');
        h.append("% end\n");
        byte[] head = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] body = bytes();
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        Files.write(file, all);
        return file;
    }

    /** A header with the format line Metavision 4 and later write. */
    Path write(Path file, int width, int height) throws IOException {
        String name = format == RawFormat.EVT2 ? "EVT2" : "EVT3";
        return write(
                file, "camera_integrator_name Prophesee", "format " + name + ";height=" + height + ";width=" + width);
    }
}
