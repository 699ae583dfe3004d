package fidobridge.idp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** A tiny test kit: no JUnit on these machines, so main-based suites report through this. */
final class T {

    interface Body {
        void run() throws Exception;
    }

    static int passed;
    static int failed;
    static final List<String> FAILURES = new ArrayList<>();
    private static String suite = "";

    private T() {
    }

    static void suite(final String name) {
        suite = name;
        System.out.println("== " + name);
    }

    static void test(final String name, final Body b) {
        final long t0 = System.nanoTime();
        try {
            b.run();
            passed++;
            System.out.printf("ok   %s (%d ms)%n", name, (System.nanoTime() - t0) / 1_000_000);
        } catch (final Throwable t) {
            failed++;
            FAILURES.add(suite + ": " + name + ": " + t);
            System.out.println("FAIL " + name + ": " + t);
            t.printStackTrace(System.out);
        }
    }

    static void check(final boolean c, final String what) {
        if (!c) {
            throw new AssertionError(what);
        }
    }

    static void eq(final Object expected, final Object actual, final String what) {
        if (!Objects.equals(expected, actual)) {
            throw new AssertionError(what + ": expected <" + expected + "> but got <" + actual + ">");
        }
    }

    /** Runs b, which must throw a HandoffException; returns its error. */
    static HandoffError error(final Body b) throws Exception {
        try {
            b.run();
        } catch (final HandoffException e) {
            return e.error();
        }
        throw new AssertionError("no HandoffException");
    }

    /** Runs b, which must throw an exception of type c. */
    static <X extends Throwable> X raises(final Class<X> c, final Body b) throws Exception {
        try {
            b.run();
        } catch (final Throwable t) {
            if (c.isInstance(t)) {
                return c.cast(t);
            }
            throw new AssertionError("expected " + c.getSimpleName() + " but got " + t, t);
        }
        throw new AssertionError("expected " + c.getSimpleName() + ", nothing thrown");
    }

    // ---- an HMAC written independently of BridgeHandoff, for acting as the bridge -------

    static String hmac(final String secret, final String message) throws Exception {
        final Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(m.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    }

    /** The record JSON the bridge would write (v2: the MAC over every field; attributes informational). */
    static String record(final String secret, final String ticket, final String principal, final String conversation,
            final String state, final long authInstant, final boolean mfa) throws Exception {
        final String entity = "https://sp.example.org/shibboleth";
        final String cid = "Kp3-x_Q9zR7wYb2LmN4vT8aE1cU6dH0j";
        final String aaguid = "00000000-0000-0000-0000-000000000000";
        final long expires = authInstant + 60;
        // section 3's layout written out here, not with BridgeHandoff
        final String mac = hmac(secret, "fido-bridge ticket v2\nticket=" + ticket + "\nprincipal=" + principal
                + "\nconversation=" + conversation + "\nstate=" + state + "\nentity=" + entity + "\nauth_instant="
                + authInstant + "\nexpires=" + expires + "\nuv=1\nbe=0\nbs=0\nmfa=" + (mfa ? "1" : "0")
                + "\ncredential_id=" + cid + "\naaguid=" + aaguid);
        return "{\"v\":2,\"principal\":\"" + principal + "\",\"conversation\":\"" + conversation + "\",\"state\":\""
                + state + "\",\"entity\":\"" + entity + "\",\"auth_instant\":" + authInstant
                + ",\"expires\":" + expires + ",\"uv\":true,\"be\":false,\"bs\":false,\"mfa\":" + mfa
                + ",\"credential_id\":\"" + cid + "\",\"aaguid\":\"" + aaguid + "\""
                + ",\"attributes\":{\"mail\":[\"" + principal + "@example.edu\"],\"eduPersonAffiliation\":[\"member\"]}"
                + ",\"mac\":\"" + mac + "\"}";
    }

    static String randomTicket() {
        final byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
