package scn.data;

import java.util.HashMap;
import java.util.Map;

/**
 * A 5×7 pixel font for the few words pictures of detections need: class names, scores and times
 * ({@code car 0.87}, {@code pedestrian}, {@code t 12.350 s}). Drawn pixel by pixel, so pictures need no
 * system fonts (a headless server may have none, and AWT text then fails) and come out the same on every
 * machine, which lets tests compare them.
 *
 * <p>Only the characters below exist; any other is an error rather than a blank.
 */
public final class BitmapFont {
    public static final int GLYPH_WIDTH = 5;
    public static final int GLYPH_HEIGHT = 7;
    /** Horizontal distance from one character to the next, in font pixels. */
    public static final int ADVANCE = GLYPH_WIDTH + 1;

    /** Draws one pixel of text; {@link #draw} calls it for every lit pixel. */
    @FunctionalInterface
    public interface Pixels {
        void set(int x, int y);
    }

    private static final Map<Character, long[]> GLYPHS = new HashMap<>();

    static {
        glyph('0', ".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###.");
        glyph('1', "..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###.");
        glyph('2', ".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####");
        glyph('3', "#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###.");
        glyph('4', "...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#.");
        glyph('5', "#####", "#....", "####.", "....#", "....#", "#...#", ".###.");
        glyph('6', "..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###.");
        glyph('7', "#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#...");
        glyph('8', ".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###.");
        glyph('9', ".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##..");
        glyph('.', ".....", ".....", ".....", ".....", ".....", ".##..", ".##..");
        glyph(':', ".....", ".##..", ".##..", ".....", ".##..", ".##..", ".....");
        glyph('-', ".....", ".....", ".....", "#####", ".....", ".....", ".....");
        glyph(' ', ".....", ".....", ".....", ".....", ".....", ".....", ".....");
        glyph('a', ".....", ".....", ".###.", "....#", ".####", "#...#", ".####");
        glyph('c', ".....", ".....", ".###.", "#....", "#....", "#...#", ".###.");
        glyph('d', "....#", "....#", ".##.#", "#..##", "#...#", "#...#", ".####");
        glyph('e', ".....", ".....", ".###.", "#...#", "#####", "#....", ".###.");
        glyph('g', ".....", ".####", "#...#", "#...#", ".####", "....#", ".###.");
        glyph('i', "..#..", ".....", ".##..", "..#..", "..#..", "..#..", ".###.");
        glyph('m', ".....", ".....", "##.#.", "#.#.#", "#.#.#", "#...#", "#...#");
        glyph('n', ".....", ".....", "#.##.", "##..#", "#...#", "#...#", "#...#");
        glyph('p', ".....", ".....", "####.", "#...#", "####.", "#....", "#....");
        glyph('r', ".....", ".....", "#.##.", "##..#", "#....", "#....", "#....");
        glyph('s', ".....", ".....", ".###.", "#....", ".###.", "....#", "####.");
        glyph('t', ".#...", ".#...", "###..", ".#...", ".#...", ".#..#", "..##.");
        glyph('x', ".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#");
    }

    private BitmapFont() {}

    private static void glyph(char c, String... rows) {
        long[] bits = new long[GLYPH_HEIGHT]; // [row] bit x set where lit
        for (int y = 0; y < GLYPH_HEIGHT; y++) {
            for (int x = 0; x < GLYPH_WIDTH; x++) {
                if (rows[y].charAt(x) == '#') bits[y] |= 1L << x;
            }
        }
        GLYPHS.put(c, bits);
    }

    /** Whether every character of {@code text} can be drawn. */
    public static boolean canDraw(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (!GLYPHS.containsKey(text.charAt(i))) return false;
        }
        return true;
    }

    /** Width of {@code text} drawn at {@code size} image pixels per font pixel. */
    public static int width(String text, int size) {
        return text.isEmpty() ? 0 : (text.length() * ADVANCE - 1) * size;
    }

    /** Height of a line at {@code size} image pixels per font pixel. */
    public static int height(int size) {
        return GLYPH_HEIGHT * size;
    }

    /** Draws {@code text} with its top-left corner at {@code (x, y)}, each font pixel {@code size × size}. */
    public static void draw(String text, int x, int y, int size, Pixels out) {
        for (int i = 0; i < text.length(); i++) {
            long[] g = GLYPHS.get(text.charAt(i));
            if (g == null) {
                throw new IllegalArgumentException(
                        "BitmapFont has no glyph for '" + text.charAt(i) + "' in \"" + text + "\"");
            }
            int left = x + i * ADVANCE * size;
            for (int gy = 0; gy < GLYPH_HEIGHT; gy++) {
                for (int gx = 0; gx < GLYPH_WIDTH; gx++) {
                    if ((g[gy] >>> gx & 1) == 0) continue;
                    for (int dy = 0; dy < size; dy++) {
                        for (int dx = 0; dx < size; dx++) out.set(left + gx * size + dx, y + gy * size + dy);
                    }
                }
            }
        }
    }
}
