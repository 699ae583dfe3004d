package fidobridge.idp;

import static fidobridge.idp.T.check;
import static fidobridge.idp.T.eq;
import static fidobridge.idp.T.error;
import static fidobridge.idp.T.test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * Signing /authn/start and verifying records (protocol v2). The expected signatures and MACs
 * below were computed outside Java with OpenSSL (run.sh recomputes them on every run):
 *   printf 'fido-bridge start v2\ne1s2\n...' | openssl dgst -sha256 -hmac "$SECRET" -binary | base64 | tr '+/' '-_' | tr -d =
 * and the vector shared with the bridge's C tests is read from tests/handoff/known-answers-v2.txt.
 */
final class HandoffTests {

    static final String SECRET = "fido-bridge-test-secret-0123456789-ABCDEFGHIJKLMNOP";
    static final String OTHER_SECRET = "another-secret-of-more-than-thirty-two-bytes-0000";
    static final String STATE = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
    static final String RETURN = "https://idp.example.edu/idp/Authn/fido/finish";
    static final String TICKET = "q2Vx9P3m0Zb7uYH8tLwK4JcN1fRsDgAe6iOyXhTjQvU";

    // known answers (OpenSSL)
    static final String START1_SIG = "41SHBhdAZ2Ds1GNhxR3XMVGHCUzSRYFU7cnj1eq8-nU";
    static final String START2_SIG = "FSM1qY41aV3vhW5Ak6yIw1KHh9oGd7PedrJBsSv5m6Y";
    static final String START2_URL = "https://login.example.edu/authn/start?conversation=e3s1&state="
            + STATE + "&return=https%3A%2F%2Fidp.example.edu%2Fidp%2FAuthn%2Ffido%2Ffinish"
            + "&entity=https%3A%2F%2Fsp.example.org%2F%E3%83%9D%E3%83%BC%E3%82%BF%E3%83%AB%3Fa%3Db%26c%3Dd%20e%2Bf"
            + "&force=1&passive=0&ts=1767225601&sig=" + START2_SIG;
    /** start 1 with principal=alice and sp_name=ムードル (Moodle) (protocol section 1.1) */
    static final String START3_SIG = "SVmOdUHpBWnw7Z1DnhYZaBugN-uuy2xdj8BPQzfoIAI";
    /** start 1 with sp_name=Moodle only */
    static final String START4_SIG = "j9A4DabFLDMFEZkWgPvAcGTMqhmWAx1MUIQA-SluqE4";
    static final String REC1_MAC = "eSdFuhRnzCAsXdwq5FVeRAjMRivwFJsW09zG7229c40";
    static final String REC2_MAC = "KDQUP5uNFQ9EyRk0ZgF76StogZkVZ7QUjaTQ07m7W_0";

    static final Instant NOW = Instant.ofEpochSecond(1767225630L);
    static final Duration SKEW = Duration.ofMinutes(2);

    private HandoffTests() {
    }

    static BridgeHandoff handoff(final String current, final String previous) {
        return new BridgeHandoff(current.getBytes(StandardCharsets.UTF_8),
                previous == null ? null : previous.getBytes(StandardCharsets.UTF_8));
    }

    static TicketRecord rec(final String json) throws Exception {
        return TicketRecord.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    static String rec1Json(final String principal, final String mfa, final String authInstant, final String mac) {
        return "{\"v\":2,\"principal\":\"" + principal + "\",\"conversation\":\"e1s2\",\"state\":\"" + STATE
                + "\",\"entity\":\"https://sp.example.org/shibboleth\",\"auth_instant\":" + authInstant
                + ",\"expires\":1767225660,\"uv\":true,\"be\":false,\"bs\":false,\"mfa\":" + mfa
                + ",\"credential_id\":\"AAAA\",\"aaguid\":\"00000000-0000-0000-0000-000000000000\""
                + ",\"attributes\":{\"mail\":[\"alice@example.edu\"],\"eduPersonAffiliation\":[\"student\",\"member\"]}"
                + ",\"mac\":\"" + mac + "\"}";
    }

    /** tests/handoff/known-answers-v2.txt, the vector the bridge's C tests check too. */
    static java.util.Map<String, String> knownAnswers() throws Exception {
        final java.util.Map<String, String> m = new java.util.HashMap<>();
        for (final String line : java.nio.file.Files.readAllLines(
                java.nio.file.Paths.get(RunTests.repo, "tests", "handoff", "known-answers-v2.txt"),
                StandardCharsets.UTF_8)) {
            final int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }

    /** The vector's record as the bridge writes it, with the given mac. */
    static String kaRecord(final java.util.Map<String, String> k, final String mac) {
        final java.util.function.Function<String, String> b = (n) -> "1".equals(k.get(n)) ? "true" : "false";
        return "{\"v\":2,\"principal\":\"" + k.get("principal") + "\",\"conversation\":\"" + k.get("conversation")
                + "\",\"state\":\"" + k.get("state") + "\",\"entity\":\"" + k.get("entity") + "\",\"auth_instant\":"
                + k.get("auth_instant") + ",\"expires\":" + k.get("expires") + ",\"uv\":" + b.apply("uv")
                + ",\"be\":" + b.apply("be") + ",\"bs\":" + b.apply("bs") + ",\"mfa\":" + b.apply("mfa")
                + ",\"credential_id\":\"" + k.get("credential_id") + "\",\"aaguid\":\"" + k.get("aaguid")
                + "\",\"attributes\":{},\"mac\":\"" + mac + "\"}";
    }

    static void run() {
        T.suite("handoff protocol");
        final BridgeHandoff h = handoff(SECRET, null);

        test("start signature: known answer (plain values)", () -> {
            final BridgeHandoff.Start s = new BridgeHandoff.Start("e1s2", STATE, RETURN,
                    "https://sp.example.org/shibboleth", false, false, 1767225600L);
            eq("fido-bridge start v2\ne1s2\n" + STATE + "\n" + RETURN + "\nhttps://sp.example.org/shibboleth\n0\n0\n1767225600",
                    BridgeHandoff.startMessage(s), "message M");
            eq(START1_SIG, h.sign(BridgeHandoff.startMessage(s)), "sig");
        });

        test("start URL: known answer (UTF-8 entity, reserved characters, space, force)", () -> {
            final BridgeHandoff.Start s = new BridgeHandoff.Start("e3s1", STATE, RETURN,
                    "https://sp.example.org/ポータル?a=b&c=d e+f", true, false, 1767225601L);
            eq(START2_URL, h.startUrl("https://login.example.edu/authn/start", s), "URL");
            eq(43, START2_SIG.length(), "sig length");
        });

        test("start URL: endpoint with a query gets '&'", () -> {
            final String u = h.startUrl("https://b.example/authn/start?x=1", new BridgeHandoff.Start("e1s1",
                    STATE, RETURN, "", false, false, 5));
            check(u.startsWith("https://b.example/authn/start?x=1&conversation=e1s1&"), u);
            check(u.contains("&entity=&"), "empty entity is sent empty: " + u);
        });

        test("start with the optional principal and sp_name: known answers, extra signed lines, URL", () -> {
            final BridgeHandoff.Start s = new BridgeHandoff.Start("e1s2", STATE, RETURN,
                    "https://sp.example.org/shibboleth", false, false, 1767225600L, "alice", "ムードル (Moodle)");
            eq("fido-bridge start v2\ne1s2\n" + STATE + "\n" + RETURN + "\nhttps://sp.example.org/shibboleth\n0\n0\n1767225600"
                    + "\nprincipal=alice\nsp_name=ムードル (Moodle)", BridgeHandoff.startMessage(s), "message M");
            eq(START3_SIG, h.sign(BridgeHandoff.startMessage(s)), "sig with both");
            final String u = h.startUrl("https://login.example.edu/authn/start", s);
            check(u.endsWith("&sig=" + START3_SIG + "&principal=alice&sp_name=%E3%83%A0%E3%83%BC%E3%83%89%E3%83%AB"
                    + "%20%28Moodle%29"), u);
            final BridgeHandoff.Start n = new BridgeHandoff.Start("e1s2", STATE, RETURN,
                    "https://sp.example.org/shibboleth", false, false, 1767225600L, null, "Moodle");
            eq(START4_SIG, h.sign(BridgeHandoff.startMessage(n)), "sig with sp_name only");
            check(!h.startUrl("https://b.example/authn/start", n).contains("principal="), "absent is not sent");
            final BridgeHandoff.Start none = new BridgeHandoff.Start("e1s2", STATE, RETURN,
                    "https://sp.example.org/shibboleth", false, false, 1767225600L, null, null);
            eq(START1_SIG, h.sign(BridgeHandoff.startMessage(none)), "neither: signed as without them");
        });

        test("optional values outside the bridge's rules are refused before signing", () -> {
            for (final String bad : new String[] {"", " alice", "alice ", "al\nice", "al\u0001", "a\u0085",
                "x\ud800", "é".repeat(129)}) {
                eq(HandoffError.BAD_REQUEST, error(() -> BridgeHandoff.startMessage(new BridgeHandoff.Start("e1s2",
                        STATE, RETURN, "", false, false, 1, bad, null))), "principal <" + bad + ">");
            }
            BridgeHandoff.startMessage(new BridgeHandoff.Start("e1s2", STATE, RETURN, "", false, false, 1,
                    "é".repeat(128), "名".repeat(170)));
            check(!BridgeHandoff.isServiceName("名".repeat(171)), "sp_name over 512 bytes");
            check(!BridgeHandoff.isServiceName("a\tb"), "tab in sp_name");
            check(BridgeHandoff.isServiceName("Moodle 🎓"), "astral characters are fine");
        });

        test("start values outside the bridge's rules are refused before signing", () -> {
            eq(HandoffError.BAD_REQUEST, error(() -> BridgeHandoff.startMessage(
                    new BridgeHandoff.Start("e1 s2", STATE, RETURN, "", false, false, 1))), "space in conversation");
            eq(HandoffError.BAD_REQUEST, error(() -> BridgeHandoff.startMessage(
                    new BridgeHandoff.Start("x".repeat(65), STATE, RETURN, "", false, false, 1))), "65 chars");
            eq(HandoffError.BAD_REQUEST, error(() -> BridgeHandoff.startMessage(
                    new BridgeHandoff.Start("e1s2", "short", RETURN, "", false, false, 1))), "short state");
            eq(HandoffError.BAD_REQUEST, error(() -> BridgeHandoff.startMessage(
                    new BridgeHandoff.Start("e1s2", STATE + "+", RETURN, "", false, false, 1))), "state not b64url");
            eq(HandoffError.BAD_REQUEST, error(() -> BridgeHandoff.startMessage(
                    new BridgeHandoff.Start("e1s2", STATE, RETURN, "https://sp\n.example", false, false, 1))),
                    "newline in entity");
            eq(HandoffError.BAD_REQUEST, error(() -> BridgeHandoff.startMessage(
                    new BridgeHandoff.Start("e1s2", STATE, RETURN, "é".repeat(513), false, false, 1))),
                    "entity over 1024 bytes");
            eq(HandoffError.CONFIG_ERROR, error(() -> BridgeHandoff.startMessage(
                    new BridgeHandoff.Start("e1s2", STATE, "/idp/Authn/fido/finish", "", false, false, 1))),
                    "relative return");
            BridgeHandoff.startMessage(new BridgeHandoff.Start("A-z_0.9", STATE, RETURN, "é".repeat(512), false,
                    false, 1));
        });

        test("percent-encoding: unreserved kept, the rest %XX upper case, space %20", () -> {
            eq("AZaz09-._~", BridgeHandoff.encode("AZaz09-._~"), "unreserved");
            eq("%20%2B%26%3D%3F%2F%25%0A", BridgeHandoff.encode(" +&=?/%\n"), "reserved");
            eq("%C3%A9", BridgeHandoff.encode("é"), "UTF-8");
        });

        test("record MAC: known answers", () -> {
            final TicketRecord r1 = rec(rec1Json("alice", "true", "1767225600", REC1_MAC));
            eq("fido-bridge ticket v2\nticket=" + TICKET + "\nprincipal=alice\nconversation=e1s2\nstate=" + STATE
                    + "\nentity=https://sp.example.org/shibboleth\nauth_instant=1767225600\nexpires=1767225660"
                    + "\nuv=1\nbe=0\nbs=0\nmfa=1\ncredential_id=AAAA\naaguid=00000000-0000-0000-0000-000000000000",
                    BridgeHandoff.recordMessage(TICKET, r1), "message");
            check(h.macMatches(TICKET, r1), "record 1");
            check(h.macMatches(TICKET, rec(rec1Json("dürer", "false", "1767225600", REC2_MAC))),
                    "record 2 (UTF-8 principal)");
        });

        test("record MAC: the vector shared with the bridge (tests/handoff/known-answers-v2.txt)", () -> {
            final java.util.Map<String, String> k = knownAnswers();
            final BridgeHandoff v = handoff(k.get("secret"), null);
            final TicketRecord r = rec(kaRecord(k, k.get("ticket_mac")));
            check(v.macMatches(k.get("ticket"), r), "the bridge's MAC verifies here");
            v.verify(k.get("ticket"), r, k.get("conversation"), k.get("state"),
                    Instant.ofEpochSecond(Long.parseLong(k.get("auth_instant")) + 5), SKEW, null);
            eq(k.get("ticket_mac"), T.hmac(k.get("secret"), BridgeHandoff.recordMessage(k.get("ticket"), r)),
                    "recomputed MAC");
            final BridgeHandoff.Start s = new BridgeHandoff.Start(k.get("conversation"), k.get("state"),
                    k.get("return"), k.get("entity"), false, false, Long.parseLong(k.get("auth_instant")));
            eq(k.get("start_sig"), v.sign(BridgeHandoff.startMessage(s)), "start sig");
            final BridgeHandoff.Start sp = new BridgeHandoff.Start(k.get("conversation"), k.get("state"),
                    k.get("return"), k.get("entity"), false, false, Long.parseLong(k.get("auth_instant")),
                    k.get("principal"), null);
            eq(k.get("start_p_sig"), v.sign(BridgeHandoff.startMessage(sp)), "start sig with principal");
        });

        test("record: any one MAC'd field changed is refused", () -> {
            final java.util.Map<String, String> k = knownAnswers();
            final BridgeHandoff v = handoff(k.get("secret"), null);
            final String good = kaRecord(k, k.get("ticket_mac"));
            final Instant at = Instant.ofEpochSecond(Long.parseLong(k.get("auth_instant")) + 5);
            v.verify(k.get("ticket"), rec(good), k.get("conversation"), k.get("state"), at, SKEW, null);
            int n = 0;
            for (final String[] c : new String[][] {
                {"\"principal\":\"zoë\"", "\"principal\":\"zoe\""},
                {"\"conversation\":\"e1s2\"", "\"conversation\":\"e1s3\""},
                {"\"state\":\"" + k.get("state") + "\"", "\"state\":\"" + k.get("state") + "C\""},
                {"\"entity\":\"" + k.get("entity") + "\"", "\"entity\":\"https://sp.example.org/\""},
                {"\"auth_instant\":1767225600", "\"auth_instant\":1767225601"},
                {"\"expires\":1767225660", "\"expires\":1767225661"},
                {"\"uv\":true", "\"uv\":false"},
                {"\"be\":false", "\"be\":true"},
                {"\"bs\":false", "\"bs\":true"},
                {"\"mfa\":true", "\"mfa\":false"},
                {"\"credential_id\":\"Y3JlZGVudGlhbC1pZA\"", "\"credential_id\":\"Y3JlZGVudGlhbC1pZB\""},
                {"\"aaguid\":\"" + k.get("aaguid") + "\"", "\"aaguid\":\"\""},
            }) {
                final String bad = good.replace(c[0], c[1]);
                check(!bad.equals(good), "case applies: " + c[0]);
                final TicketRecord r = rec(bad);
                check(!v.macMatches(k.get("ticket"), r), "MAC still matches with " + c[1]);
                final HandoffError e = error(() -> v.verify(k.get("ticket"), r, "e1s2", k.get("state"), at, SKEW,
                        null));
                check(e == HandoffError.TICKET_INVALID, c[1] + ": " + e);
                n++;
            }
            eq(12, n, "every MAC'd field but the ticket, which is the key (tested below)");
            check(!v.macMatches(k.get("ticket").replace('T', 'U'), rec(good)), "record moved to another ticket");
        });

        test("record: a start signature is no ticket MAC, a ticket MAC no start signature", () -> {
            final java.util.Map<String, String> k = knownAnswers();
            final BridgeHandoff v = handoff(k.get("secret"), null);
            for (final String sig : new String[] {k.get("start_sig"), k.get("start_p_sig")}) {
                check(!v.macMatches(k.get("ticket"), rec(kaRecord(k, sig))), "start sig taken as a MAC: " + sig);
            }
            final BridgeHandoff.Start s = new BridgeHandoff.Start(k.get("conversation"), k.get("state"),
                    k.get("return"), k.get("entity"), false, false, Long.parseLong(k.get("auth_instant")));
            check(!k.get("ticket_mac").equals(v.sign(BridgeHandoff.startMessage(s))), "ticket MAC as a start sig");
            check(BridgeHandoff.startMessage(s).startsWith(BridgeHandoff.START_LABEL + "\n")
                    && BridgeHandoff.recordMessage(k.get("ticket"), rec(kaRecord(k, k.get("ticket_mac"))))
                            .startsWith(BridgeHandoff.TICKET_LABEL + "\n")
                    && !BridgeHandoff.START_LABEL.equals(BridgeHandoff.TICKET_LABEL), "distinct first lines");
        });

        test("record: expired (past expires + skew) is refused", () -> {
            final TicketRecord r = rec(rec1Json("alice", "true", "1767225600", REC1_MAC));
            h.verify(TICKET, r, "e1s2", STATE, Instant.ofEpochSecond(1767225660L + 120), SKEW, null);
            eq(HandoffError.TICKET_INVALID, error(() -> h.verify(TICKET, r, "e1s2", STATE,
                    Instant.ofEpochSecond(1767225660L + 121), SKEW, null)), "expired");
        });

        test("record: good one verifies", () -> h.verify(TICKET, rec(rec1Json("alice", "true", "1767225600", REC1_MAC)),
                "e1s2", STATE, NOW, SKEW, null));

        test("record: tampered principal, mfa, auth_instant or ticket fail the MAC", () -> {
            eq(HandoffError.TICKET_INVALID, error(() -> h.verify(TICKET,
                    rec(rec1Json("mallory", "true", "1767225600", REC1_MAC)), "e1s2", STATE, NOW, SKEW, null)),
                    "principal");
            eq(HandoffError.TICKET_INVALID, error(() -> h.verify(TICKET,
                    rec(rec1Json("alice", "false", "1767225600", REC1_MAC)), "e1s2", STATE, NOW, SKEW, null)), "mfa");
            eq(HandoffError.TICKET_INVALID, error(() -> h.verify(TICKET,
                    rec(rec1Json("alice", "true", "1767225601", REC1_MAC)), "e1s2", STATE, NOW, SKEW, null)),
                    "auth_instant");
            final String other = "Q2Vx9P3m0Zb7uYH8tLwK4JcN1fRsDgAe6iOyXhTjQvU";
            eq(HandoffError.TICKET_INVALID, error(() -> h.verify(other,
                    rec(rec1Json("alice", "true", "1767225600", REC1_MAC)), "e1s2", STATE, NOW, SKEW, null)),
                    "record moved to another ticket");
        });

        test("record: wrong secret fails; previous secret accepted; previous alone never signs", () -> {
            final TicketRecord r = rec(rec1Json("alice", "true", "1767225600", REC1_MAC));
            eq(HandoffError.TICKET_INVALID, error(() -> handoff(OTHER_SECRET, null).verify(TICKET, r, "e1s2", STATE,
                    NOW, SKEW, null)), "wrong secret");
            handoff(OTHER_SECRET, SECRET).verify(TICKET, r, "e1s2", STATE, NOW, SKEW, null);
            handoff(SECRET, OTHER_SECRET).verify(TICKET, r, "e1s2", STATE, NOW, SKEW, null);
            eq(START1_SIG, handoff(SECRET, OTHER_SECRET).sign(BridgeHandoff.startMessage(new BridgeHandoff.Start(
                    "e1s2", STATE, RETURN, "https://sp.example.org/shibboleth", false, false, 1767225600L))),
                    "requests are signed with the current secret");
        });

        test("record: conversation or state mismatch", () -> {
            final TicketRecord r = rec(rec1Json("alice", "true", "1767225600", REC1_MAC));
            eq(HandoffError.STATE_MISMATCH, error(() -> h.verify(TICKET, r, "e1s3", STATE, NOW, SKEW, null)),
                    "conversation");
            eq(HandoffError.STATE_MISMATCH, error(() -> h.verify(TICKET, r, "e1s2",
                    "BAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", NOW, SKEW, null)), "state");
        });

        test("record: time checks (future, forced authentication freshness)", () -> {
            final TicketRecord r = rec(rec1Json("alice", "true", "1767225600", REC1_MAC));
            eq(HandoffError.TICKET_INVALID, error(() -> h.verify(TICKET, r, "e1s2", STATE,
                    Instant.ofEpochSecond(1767225600L - 121), SKEW, null)), "more than the skew in the future");
            h.verify(TICKET, r, "e1s2", STATE, Instant.ofEpochSecond(1767225600L - 120), SKEW, null);
            h.verify(TICKET, r, "e1s2", STATE, NOW, SKEW, Instant.ofEpochSecond(1767225600L + 120));
            eq(HandoffError.TICKET_INVALID, error(() -> h.verify(TICKET, r, "e1s2", STATE, NOW, SKEW,
                    Instant.ofEpochSecond(1767225600L + 121))), "forced: sign-in older than the start");
        });

        test("record: structure is checked strictly", () -> {
            final String good = rec1Json("alice", "true", "1767225600", REC1_MAC);
            rec(good);
            for (final String[] c : new String[][] {
                {"\"v\":2", "\"v\":1"},
                {"\"v\":2", "\"v\":\"2\""},
                {"\"v\":2,", ""},
                {"\"principal\":\"alice\"", "\"principal\":\"\""},
                {"\"principal\":\"alice\"", "\"principal\":\"al\\nice\""},
                {"\"principal\":\"alice\"", "\"principal\":[\"alice\"]"},
                {"\"principal\":\"alice\",", ""},
                {"\"auth_instant\":1767225600", "\"auth_instant\":1767225600.0"},
                {"\"auth_instant\":1767225600", "\"auth_instant\":\"1767225600\""},
                {"\"auth_instant\":1767225600", "\"auth_instant\":-1"},
                {"\"auth_instant\":1767225600", "\"auth_instant\":1e9"},
                {"\"mfa\":true", "\"mfa\":1"},
                {"\"mfa\":true", "\"mfa\":\"true\""},
                {"\"uv\":true", "\"uv\":null"},
                {"\"uv\":true,", ""},
                {"\"expires\":1767225660,", ""},
                {"\"expires\":1767225660", "\"expires\":01767225660"},
                {"\"expires\":1767225660", "\"expires\":-1"},
                {"\"entity\":\"https://sp.example.org/shibboleth\",", ""},
                {"\"entity\":\"https://sp.example.org/shibboleth\"", "\"entity\":\"https://sp\\n.example\""},
                {"\"credential_id\":\"AAAA\",", ""},
                {"\"aaguid\":\"00000000-0000-0000-0000-000000000000\"", "\"aaguid\":null"},
                {"\"mac\":\"" + REC1_MAC + "\"", "\"mac\":\"" + REC1_MAC + "=\""},
                {"\"mac\":\"" + REC1_MAC + "\"", "\"mac\":\"" + REC1_MAC.substring(1) + "\""},
                {"\"attributes\":{", "\"attributes\":{\"x\":[1],"},
                {"\"conversation\":\"e1s2\"", "\"conversation\":\"e1s2\",\"principal\":\"mallory\""},
            }) {
                final String broken = good.replace(c[0], c[1]);
                check(!broken.equals(good), "case applies: " + c[0]);
                eq(HandoffError.TICKET_INVALID, error(() -> rec(broken)), "record with " + c[1]);
            }
            eq(HandoffError.TICKET_INVALID, error(() -> rec("[]")), "array");
            eq(HandoffError.TICKET_INVALID, error(() -> rec("not json")), "not JSON");
        });

        test("secrets shorter than 32 bytes are refused", () -> {
            T.raises(IllegalArgumentException.class, () -> handoff("x".repeat(31), null));
            T.raises(IllegalArgumentException.class, () -> handoff(SECRET, "x".repeat(31)));
        });

        test("constant-time equals and syntax helpers", () -> {
            check(BridgeHandoff.constantTimeEquals(STATE, STATE), "same");
            check(!BridgeHandoff.constantTimeEquals(STATE, STATE + "A"), "longer");
            check(!BridgeHandoff.constantTimeEquals(STATE, null), "null");
            check(BridgeHandoff.isConversation("e1s2"), "e1s2");
            check(!BridgeHandoff.isConversation(""), "empty");
            check(!BridgeHandoff.isConversation("e1s2&x=1"), "&");
        });
    }
}
