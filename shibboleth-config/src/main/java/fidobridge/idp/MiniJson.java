package fidobridge.idp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader (RFC 8259) for the bridge's ticket record.
 *
 * <p>The IdP web application has no JSON library we can count on across versions, and the
 * record is small and flat, so this reader is self-contained. It is stricter than most:</p>
 * <ul>
 * <li>input must be valid UTF-8; strings may not hold raw control characters or unpaired
 *     surrogates (also not through {@code \\u} escapes);</li>
 * <li>duplicate object keys are an error (a record with two {@code principal} members must
 *     never be read differently by the bridge and the IdP);</li>
 * <li>numbers keep their source text ({@link Num#raw}) so a MAC can cover them exactly;</li>
 * <li>nesting depth and input size are limited; nothing may follow the top-level value.</li>
 * </ul>
 *
 * <p>Values map to: object → {@code Map<String,Object>} (insertion order), array →
 * {@code List<Object>}, string → {@code String}, number → {@link Num}, {@code true}/{@code false}
 * → {@code Boolean}, {@code null} → {@link #NULL}.</p>
 */
public final class MiniJson {

    /** Largest input accepted, in bytes. */
    public static final int MAX_BYTES = 64 * 1024;

    /** Deepest nesting of arrays and objects accepted. */
    public static final int MAX_DEPTH = 16;

    /** The JSON {@code null} (a Map cannot hold a Java null usefully). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** A JSON number, kept as written. */
    public static final class Num {
        /** The number exactly as it appears in the input. */
        public final String raw;

        Num(final String raw) {
            this.raw = raw;
        }

        /** Whether this is an integer: no fraction, no exponent. */
        public boolean isInteger() {
            return raw.indexOf('.') < 0 && raw.indexOf('e') < 0 && raw.indexOf('E') < 0;
        }

        @Override
        public String toString() {
            return raw;
        }
    }

    /** Malformed input. */
    public static final class JsonException extends Exception {
        private static final long serialVersionUID = 1L;

        JsonException(final String message) {
            super(message);
        }
    }

    private final String s;
    private int pos;

    private MiniJson(final String s) {
        this.s = s;
    }

    /** Parses UTF-8 bytes. */
    public static Object parse(final byte[] utf8) throws JsonException {
        if (utf8.length > MAX_BYTES) {
            throw new JsonException("input larger than " + MAX_BYTES + " bytes");
        }
        final String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8)).toString();
        } catch (final CharacterCodingException e) {
            throw new JsonException("input is not valid UTF-8");
        }
        return parse(text);
    }

    /** Parses a string (already decoded). */
    public static Object parse(final String text) throws JsonException {
        if (text.length() > MAX_BYTES) {
            throw new JsonException("input larger than " + MAX_BYTES + " characters");
        }
        final MiniJson p = new MiniJson(text);
        p.skipWs();
        final Object v = p.value(0);
        p.skipWs();
        if (p.pos != text.length()) {
            throw p.error("unexpected data after the value");
        }
        return v;
    }

    private JsonException error(final String what) {
        return new JsonException(what + " at offset " + pos);
    }

    private void skipWs() {
        while (pos < s.length()) {
            final char c = s.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                pos++;
            } else {
                break;
            }
        }
    }

    private Object value(final int depth) throws JsonException {
        if (pos >= s.length()) {
            throw error("unexpected end of input");
        }
        final char c = s.charAt(pos);
        switch (c) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return NULL;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected character");
        }
    }

    private void literal(final String word) throws JsonException {
        if (!s.startsWith(word, pos)) {
            throw error("bad literal");
        }
        pos += word.length();
    }

    private Map<String, Object> object(final int depth) throws JsonException {
        if (depth > MAX_DEPTH) {
            throw error("nesting too deep");
        }
        pos++; // '{'
        final Map<String, Object> m = new LinkedHashMap<>();
        skipWs();
        if (pos < s.length() && s.charAt(pos) == '}') {
            pos++;
            return Collections.unmodifiableMap(m);
        }
        while (true) {
            skipWs();
            if (pos >= s.length() || s.charAt(pos) != '"') {
                throw error("expected a member name");
            }
            final String key = string();
            skipWs();
            if (pos >= s.length() || s.charAt(pos) != ':') {
                throw error("expected ':'");
            }
            pos++;
            skipWs();
            final Object v = value(depth);
            if (m.containsKey(key)) {
                throw error("duplicate member \"" + key + "\"");
            }
            m.put(key, v);
            skipWs();
            if (pos >= s.length()) {
                throw error("unexpected end of input");
            }
            final char c = s.charAt(pos++);
            if (c == '}') {
                return Collections.unmodifiableMap(m);
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> array(final int depth) throws JsonException {
        if (depth > MAX_DEPTH) {
            throw error("nesting too deep");
        }
        pos++; // '['
        final List<Object> l = new ArrayList<>();
        skipWs();
        if (pos < s.length() && s.charAt(pos) == ']') {
            pos++;
            return Collections.unmodifiableList(l);
        }
        while (true) {
            skipWs();
            l.add(value(depth));
            skipWs();
            if (pos >= s.length()) {
                throw error("unexpected end of input");
            }
            final char c = s.charAt(pos++);
            if (c == ']') {
                return Collections.unmodifiableList(l);
            }
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']'");
            }
        }
    }

    private String string() throws JsonException {
        pos++; // opening quote
        final StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= s.length()) {
                throw error("unterminated string");
            }
            final char c = s.charAt(pos++);
            if (c == '"') {
                break;
            }
            if (c < 0x20) {
                pos--;
                throw error("control character in string");
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (pos >= s.length()) {
                throw error("unterminated escape");
            }
            final char e = s.charAt(pos++);
            switch (e) {
                case '"': b.append('"'); break;
                case '\\': b.append('\\'); break;
                case '/': b.append('/'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                case 't': b.append('\t'); break;
                case 'u': b.append(hex4()); break;
                default:
                    pos--;
                    throw error("bad escape");
            }
        }
        // Unpaired surrogates (raw, or made with \\u escapes) are not text.
        final String out = b.toString();
        for (int i = 0; i < out.length(); i++) {
            final char c = out.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= out.length() || !Character.isLowSurrogate(out.charAt(i + 1))) {
                    throw error("unpaired surrogate in string");
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                throw error("unpaired surrogate in string");
            }
        }
        return out;
    }

    private char hex4() throws JsonException {
        if (pos + 4 > s.length()) {
            throw error("short \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            final int d = Character.digit(s.charAt(pos + i), 16);
            if (d < 0 || s.charAt(pos + i) > 'f') {
                throw error("bad \\u escape");
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private Num number() throws JsonException {
        final int start = pos;
        if (s.charAt(pos) == '-') {
            pos++;
        }
        if (pos >= s.length()) {
            throw error("bad number");
        }
        if (s.charAt(pos) == '0') {
            pos++;
            if (pos < s.length() && isDigit(s.charAt(pos))) {
                throw error("leading zero in number");
            }
        } else if (isDigit(s.charAt(pos))) {
            while (pos < s.length() && isDigit(s.charAt(pos))) {
                pos++;
            }
        } else {
            throw error("bad number");
        }
        if (pos < s.length() && s.charAt(pos) == '.') {
            pos++;
            if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                throw error("bad fraction");
            }
            while (pos < s.length() && isDigit(s.charAt(pos))) {
                pos++;
            }
        }
        if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
            pos++;
            if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                pos++;
            }
            if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                throw error("bad exponent");
            }
            while (pos < s.length() && isDigit(s.charAt(pos))) {
                pos++;
            }
        }
        return new Num(s.substring(start, pos));
    }

    private static boolean isDigit(final char c) {
        return c >= '0' && c <= '9';
    }
}
