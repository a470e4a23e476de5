package scn.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser for the small subset of Python literals a {@code .npy} header is written in: dicts, lists,
 * tuples, quoted strings, integers, {@code True}, {@code False} and {@code None}. Dicts become
 * {@link Map}, lists and tuples become {@link List}, integers {@link Long}, booleans {@link Boolean} and
 * {@code None} {@code null}. Anything else is a syntax error reported with its character position.
 */
final class PyLiteral {
    private final String s;
    private int pos;

    private PyLiteral(String s) {
        this.s = s;
    }

    /** Parses one literal that must make up the whole text (surrounding white space allowed). */
    static Object parse(String text) {
        PyLiteral p = new PyLiteral(text);
        Object v = p.value();
        p.skipSpace();
        if (p.pos != text.length()) throw p.error("unexpected text after the literal");
        return v;
    }

    private Object value() {
        skipSpace();
        if (pos >= s.length()) throw error("unexpected end of header");
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> dict();
            case '[' -> sequence('[', ']');
            case '(' -> sequence('(', ')');
            case '\'', '"' -> string();
            default -> {
                if (c == '-' || Character.isDigit(c)) yield integer();
                if (s.startsWith("True", pos)) {
                    pos += 4;
                    yield Boolean.TRUE;
                }
                if (s.startsWith("False", pos)) {
                    pos += 5;
                    yield Boolean.FALSE;
                }
                if (s.startsWith("None", pos)) {
                    pos += 4;
                    yield null;
                }
                throw error("unexpected character '" + c + "'");
            }
        };
    }

    private Map<String, Object> dict() {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        while (true) {
            skipSpace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            Object key = value();
            if (!(key instanceof String k)) throw error("dictionary key is not a string");
            skipSpace();
            expect(':');
            map.put(k, value());
            skipSpace();
            if (peek() == ',') pos++;
            else if (peek() != '}') throw error("expected ',' or '}'");
        }
    }

    private List<Object> sequence(char open, char close) {
        List<Object> list = new ArrayList<>();
        pos++;
        while (true) {
            skipSpace();
            if (peek() == close) {
                pos++;
                return list;
            }
            list.add(value());
            skipSpace();
            if (peek() == ',') pos++;
            else if (peek() != close) throw error("expected ',' or '" + close + "'");
        }
    }

    private String string() {
        char quote = s.charAt(pos++);
        StringBuilder b = new StringBuilder();
        while (pos < s.length() && s.charAt(pos) != quote) {
            char c = s.charAt(pos++);
            if (c == '\\' && pos < s.length()) c = s.charAt(pos++);
            b.append(c);
        }
        expect(quote);
        return b.toString();
    }

    private Long integer() {
        int start = pos;
        if (s.charAt(pos) == '-') pos++;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
        if (pos < s.length() && s.charAt(pos) == 'L') pos++; // Python 2 long suffix, written by old numpy
        try {
            return Long.parseLong(s.substring(start, s.charAt(pos - 1) == 'L' ? pos - 1 : pos));
        } catch (NumberFormatException e) {
            throw error("bad integer");
        }
    }

    private char peek() {
        if (pos >= s.length()) throw error("unexpected end of header");
        return s.charAt(pos);
    }

    private void expect(char c) {
        if (pos >= s.length() || s.charAt(pos) != c) throw error("expected '" + c + "'");
        pos++;
    }

    private void skipSpace() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at character " + pos + " of the header");
    }
}
