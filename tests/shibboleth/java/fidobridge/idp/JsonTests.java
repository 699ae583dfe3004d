package fidobridge.idp;

import static fidobridge.idp.T.check;
import static fidobridge.idp.T.eq;
import static fidobridge.idp.T.raises;
import static fidobridge.idp.T.test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** The strict JSON reader. */
final class JsonTests {

    private JsonTests() {
    }

    private static Object parse(final String s) throws Exception {
        return MiniJson.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    private static void bad(final String s) throws Exception {
        raises(MiniJson.JsonException.class, () -> parse(s));
    }

    static void run() {
        T.suite("json reader");

        test("objects, arrays, literals, numbers keep their text", () -> {
            final Object o = parse(" {\"a\":[1,-2,3.5e+2,0],\"b\":{\"c\":true,\"d\":false,\"e\":null},\"f\":\"x\"} ");
            check(o instanceof Map, "object");
            final Map<?, ?> m = (Map<?, ?>) o;
            final List<?> a = (List<?>) m.get("a");
            eq("1", ((MiniJson.Num) a.get(0)).raw, "1");
            eq("-2", ((MiniJson.Num) a.get(1)).raw, "-2");
            eq("3.5e+2", ((MiniJson.Num) a.get(2)).raw, "3.5e+2");
            check(!((MiniJson.Num) a.get(2)).isInteger(), "3.5e+2 is not an integer");
            check(((MiniJson.Num) a.get(3)).isInteger(), "0 is an integer");
            final Map<?, ?> b = (Map<?, ?>) m.get("b");
            eq(Boolean.TRUE, b.get("c"), "true");
            eq(Boolean.FALSE, b.get("d"), "false");
            check(b.get("e") == MiniJson.NULL, "null");
            eq("x", m.get("f"), "string");
            eq(List.of(), parse("[]"), "empty array");
            eq(Map.of(), parse("{ }"), "empty object");
        });

        test("string escapes including \\u and surrogate pairs", () -> {
            eq("a\"b\\c/d\b\f\n\r\t", parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\""), "simple escapes");
            eq("é", parse("\"\\u00e9\""), "\\u00e9");
            eq("é", parse("\"\\u00E9\""), "\\u00E9 upper case");
            eq("山田 花子", parse("\"山田 花子\""), "raw UTF-8");
            eq("😀", parse("\"\\ud83d\\ude00\""), "escaped surrogate pair");
            eq("😀", parse("\"😀\""), "raw 4-byte UTF-8");
        });

        test("rejects malformed input", () -> {
            bad("");
            bad("{");
            bad("{\"a\":1,}");
            bad("[1,]");
            bad("{\"a\" 1}");
            bad("{a:1}");
            bad("'x'");
            bad("\"unterminated");
            bad("\"bad \\x escape\"");
            bad("\"short \\u12\"");
            bad("\"bad \\u12g4\"");
            bad("\"fullwidth \\u１２３４\"");
            bad("\"tab\tinside\"");
            bad("\"newline\ninside\"");
            bad("01");
            bad("-");
            bad("1.");
            bad(".5");
            bad("1e");
            bad("+1");
            bad("tru");
            bad("nul");
            bad("{} {}");
            bad("[1] x");
            bad("NaN");
        });

        test("rejects duplicate members", () -> bad("{\"principal\":\"alice\",\"principal\":\"mallory\"}"));

        test("rejects unpaired surrogates", () -> {
            bad("\"\\ud83d\"");
            bad("\"\\ude00\"");
            bad("\"\\ud83dx\"");
        });

        test("rejects invalid UTF-8 and overlong input", () -> {
            raises(MiniJson.JsonException.class, () -> MiniJson.parse(new byte[] {'"', (byte) 0xc3, '"'}));
            raises(MiniJson.JsonException.class, () -> MiniJson.parse(new byte[] {'"', (byte) 0xc0, (byte) 0xaf, '"'}));
            raises(MiniJson.JsonException.class, () -> MiniJson.parse(new byte[MiniJson.MAX_BYTES + 1]));
        });

        test("limits nesting depth", () -> {
            final StringBuilder ok = new StringBuilder();
            for (int i = 0; i < MiniJson.MAX_DEPTH; i++) {
                ok.append('[');
            }
            for (int i = 0; i < MiniJson.MAX_DEPTH; i++) {
                ok.append(']');
            }
            parse(ok.toString());
            bad("[" + ok + "]");
        });
    }
}
