package fidobridge.idp;

import static fidobridge.idp.T.check;
import static fidobridge.idp.T.eq;
import static fidobridge.idp.T.test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import javax.security.auth.Subject;

import fidobridge.idp.servlet.FidoBridgeServlet;
import net.shibboleth.idp.authn.AuthenticationFlowDescriptor;
import net.shibboleth.idp.authn.AuthenticationResult;
import net.shibboleth.idp.authn.ExternalAuthentication;
import net.shibboleth.idp.authn.ExternalAuthentication.Conversation;
import net.shibboleth.idp.authn.ExternalAuthentication.FinishCall;
import net.shibboleth.idp.authn.ExternalAuthenticationException;
import net.shibboleth.idp.authn.context.AuthenticationContext;
import net.shibboleth.idp.authn.context.MultiFactorAuthenticationContext;
import net.shibboleth.idp.authn.context.RequestedPrincipalContext;
import net.shibboleth.idp.authn.principal.UsernamePrincipal;
import net.shibboleth.idp.profile.context.RelyingPartyContext;
import net.shibboleth.idp.saml.authn.principal.AuthnContextClassRefPrincipal;
import net.shibboleth.idp.ui.context.RelyingPartyUIContext;
import org.opensaml.profile.context.ProfileRequestContext;

/**
 * The servlet end to end against the stand-in ExternalAuthentication and real memcached:
 * the test plays the IdP (conversations), the browser (session, redirects) and the bridge
 * (signed records written into memcached).
 */
final class ShimTests {

    static final String SECRET = HandoffTests.SECRET;
    static final String PREVIOUS = HandoffTests.OTHER_SECRET;
    static final String RP = "https://sp.example.org/shibboleth";
    static final String BRIDGE = "https://login.example.edu";
    static final String RETURN = "https://idp.example.edu/idp/Authn/fido/finish";
    static final String PPT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
    static final String MFA = "https://refeds.org/profile/mfa";

    private static int conv;

    private ShimTests() {
    }

    /** A clock the tests can move. */
    static final class TestClock extends Clock {
        volatile Instant now = Instant.now();

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(final ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** An IdP home with fido-bridge.properties and the secret files. */
    static Path idpHome(final Path root, final String name, final String servers, final String prefix,
            final boolean withPrevious) throws Exception {
        final Path home = root.resolve(name);
        Files.createDirectories(home.resolve("conf/authn"));
        Files.createDirectories(home.resolve("credentials"));
        Files.write(home.resolve("credentials/fido-bridge.secret"), (SECRET + "\n").getBytes(StandardCharsets.UTF_8));
        Files.write(home.resolve("credentials/fido-bridge.previous"), (PREVIOUS + "\n").getBytes(StandardCharsets.UTF_8));
        Files.write(home.resolve("conf/authn/fido-bridge.properties"), String.join("\n",
                "fido.bridge.url = " + BRIDGE + "/",
                "fido.bridge.returnUrl = " + RETURN,
                "fido.bridge.secretFile = %{idp.home}/credentials/fido-bridge.secret",
                "fido.bridge.previousSecretFile = " + (withPrevious ? "%{idp.home}/credentials/fido-bridge.previous" : ""),
                "fido.memcached.servers = " + servers,
                "fido.memcached.prefix = " + prefix,
                "fido.memcached.timeoutMs = 5000",
                "").getBytes(StandardCharsets.UTF_8));
        return home;
    }

    static FidoBridgeServlet servlet(final Path home) throws Exception {
        final FidoBridgeServlet s = new FidoBridgeServlet();
        final List<String> log = new ArrayList<>();
        final int mark = LogCapture.mark();
        s.init(FakeHttp.config(Map.of("idp.home", home.toString()), Map.of(), log));
        check(LogCapture.since(mark).stream().anyMatch(l -> l.startsWith("INFO fido-bridge shim ready")),
                "init logged through SLF4J: " + LogCapture.since(mark));
        return s;
    }

    static FakeHttp.Response get(final FidoBridgeServlet s, final FakeHttp.Request req) throws Exception {
        final FakeHttp.Response r = new FakeHttp.Response();
        s.service(req.proxy(), FakeHttp.response(r));
        return r;
    }

    /**
     * The IdP enters the External flow's view state in this browser session: a conversation
     * with a context tree like the IdP's (AuthenticationContext with the attempted flow and
     * the request's flags, the RP's RelyingPartyContext).
     */
    static String newConversation(final FakeHttp.Session sess, final boolean force, final boolean passive) {
        final String key = "e" + (++conv) + "s1";
        final ProfileRequestContext prc = new ProfileRequestContext();
        prc.addSubcontext(new AuthenticationContext()).setForceAuthn(force).setIsPassive(passive)
                .setAttemptedFlow(new AuthenticationFlowDescriptor("authn/External"));
        prc.addSubcontext(new RelyingPartyContext()).setRelyingPartyId(RP);
        sess.exists = true;
        ExternalAuthentication.register(sess.proxy(), key, new Conversation(prc,
                "https://idp.example.edu/idp/profile/SAML2/Redirect/SSO?execution=" + key + "&_eventId_proceed=1"));
        return key;
    }

    /** The AuthenticationContext of a conversation, to add what an IdP would have there. */
    static AuthenticationContext authn(final FakeHttp.Session sess, final String key) {
        return ExternalAuthentication.conversation(sess.proxy(), key).prc.getSubcontext(AuthenticationContext.class);
    }

    /** An earlier MFA step's result in this login: flow id and the user it identified. */
    static void earlierStep(final FakeHttp.Session sess, final String key, final String flow, final String user) {
        AuthenticationContext ac = authn(sess, key);
        MultiFactorAuthenticationContext mfa = ac.getSubcontext(MultiFactorAuthenticationContext.class);
        if (mfa == null) {
            mfa = ac.addSubcontext(new MultiFactorAuthenticationContext());
        }
        final Subject s = new Subject();
        s.getPrincipals().add(new UsernamePrincipal(user));
        s.getPrincipals().add(new AuthnContextClassRefPrincipal(PPT));
        mfa.getActiveResults().put(flow, new AuthenticationResult(flow, s));
    }

    /** A start in a browser of its own. */
    static FakeHttp.Response startFresh(final FidoBridgeServlet s) throws Exception {
        final FakeHttp.Session sess = new FakeHttp.Session();
        return start(s, sess, newConversation(sess, false, false));
    }

    /** The request must end in the IdP's error view: an ExternalAuthenticationException thrown to the container. */
    static ExternalAuthenticationException noLogin(final T.Body b) throws Exception {
        final jakarta.servlet.ServletException e = T.raises(jakarta.servlet.ServletException.class, b);
        check(e.getRootCause() instanceof ExternalAuthenticationException,
                "the container sees an ExternalAuthenticationException (web.xml error-page): " + e.getRootCause());
        return (ExternalAuthenticationException) e.getRootCause();
    }

    /** One browser round: /start; returns the redirect (to the bridge, normally). */
    static FakeHttp.Response start(final FidoBridgeServlet s, final FakeHttp.Session sess, final String key)
            throws Exception {
        return get(s, new FakeHttp.Request("/start", sess).param("conversation", key));
    }

    /** Calls finish must have made during body: exactly one, returned. */
    static FinishCall oneFinish(final T.Body body) throws Exception {
        final int before = ExternalAuthentication.finishes().size();
        body.run();
        final List<FinishCall> after = ExternalAuthentication.finishes();
        eq(before + 1, after.size(), "finishExternalAuthentication calls during the request");
        final FinishCall c = after.get(after.size() - 1);
        eq(1, c.results(), "result attributes set at finish (subject/principal/error...)");
        return c;
    }

    static void noFinish(final T.Body body) throws Exception {
        final int before = ExternalAuthentication.finishes().size();
        body.run();
        eq(before, ExternalAuthentication.finishes().size(), "finishExternalAuthentication calls");
    }

    static Set<String> principals(final FinishCall c) {
        check(c.subject instanceof Subject, "a Subject was returned: " + c.subject);
        return ((Subject) c.subject).getPrincipals().stream()
                .map(p -> p.getClass().getSimpleName() + ":" + p.getName()).collect(Collectors.toSet());
    }

    static void run(final List<MemcachedTicketStore.Server> servers, final String serverList, final Path work,
            final String prefix) throws Exception {
        T.suite("shim servlet end to end (stand-in IdP, real memcached)");
        final MemcachedTicketStore.Server mc = servers.get(servers.size() - 1);
        final Path home = idpHome(work, "idp", serverList, prefix, true);
        final FidoBridgeServlet shim = servlet(home);

        // Acts as the bridge: a record for (conversation, state) under a fresh ticket.
        final class Bridge {
            String ticket(final String key, final String state, final String principal, final long at,
                    final boolean mfa, final String secret) throws Exception {
                final String t = T.randomTicket();
                StoreTests.set(mc, prefix + "ticket:" + t,
                        T.record(secret, t, principal, key, state, at, mfa).getBytes(StandardCharsets.UTF_8), 60);
                return t;
            }
        }
        final Bridge bridge = new Bridge();

        test("start: signed redirect to the bridge, state in the session, no finish yet", () -> {
            ExternalAuthentication.reset();
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            final FakeHttp.Response[] r = new FakeHttp.Response[1];
            noFinish(() -> r[0] = start(shim, sess, key));
            eq(302, r[0].status, "status");
            check(r[0].location.startsWith(BRIDGE + "/authn/start?"), "to the bridge: " + r[0].location);
            eq("no-store", r[0].headers.get("Cache-Control"), "Cache-Control");
            final Map<String, List<String>> p = r[0].locationParams();
            for (final String n : new String[] {"conversation", "state", "return", "entity", "force", "passive", "ts",
                "sig"}) {
                eq(1, p.containsKey(n) ? p.get(n).size() : 0, "parameter " + n + " exactly once");
            }
            eq(8, p.size(), "no other parameters");
            eq(key, r[0].param("conversation"), "conversation");
            eq(RETURN, r[0].param("return"), "return");
            eq(RP, r[0].param("entity"), "entity");
            eq("0", r[0].param("force"), "force");
            eq("0", r[0].param("passive"), "passive");
            final String state = r[0].param("state");
            check(BridgeHandoff.isBase64Url(state, 43, 43), "state is 32 random bytes, base64url: " + state);
            final long ts = Long.parseLong(r[0].param("ts"));
            check(Math.abs(ts - Instant.now().getEpochSecond()) < 5, "ts is now");
            final String m = "fido-bridge start v2\n" + key + "\n" + state + "\n" + RETURN + "\n" + RP + "\n0\n0\n" + ts;
            eq(T.hmac(SECRET, m), r[0].param("sig"), "sig (independent HMAC)");
            check(String.valueOf(sess.attrs.get(ShimLogic.SESSION_PREFIX + key)).startsWith(state + " "),
                    "state kept in the IdP session");
            eq(List.of(key), ExternalAuthentication.starts(), "startExternalAuthentication called");
        });

        test("start: every login gets its own random state", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String s1 = start(shim, sess, newConversation(sess, false, false)).param("state");
            final String s2 = start(shim, sess, newConversation(sess, false, false)).param("state");
            check(!s1.equals(s2), "states differ");
        });

        test("login without MFA: Subject = username + PasswordProtectedTransport, Instant, take once", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            final String state = start(shim, sess, key).param("state");
            final long at = Instant.now().getEpochSecond() - 3;
            final String ticket = bridge.ticket(key, state, "alice", at, false, SECRET);
            final FakeHttp.Response[] r = new FakeHttp.Response[1];
            final FinishCall c = oneFinish(() -> r[0] = get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key).param("state", state).param("ticket", ticket)));
            eq(Set.of("UsernamePrincipal:alice", "AuthnContextClassRefPrincipal:" + PPT), principals(c), "principals");
            check(c.authnInstant instanceof Instant, "authnInstant is a java.time.Instant");
            eq(Instant.ofEpochSecond(at), c.authnInstant, "authnInstant");
            eq(null, c.authnError, "no error");
            eq(key, c.key, "finished the right conversation");
            eq(302, r[0].status, "back into the IdP flow");
            check(r[0].location.contains("execution=" + key), r[0].location);
            check(!StoreTests.holds(mc, prefix + "ticket:" + ticket), "ticket deleted from memcached");
            check(!sess.attrs.containsKey(ShimLogic.SESSION_PREFIX + key), "state removed from the session");
        });

        test("login with MFA: Subject also carries REFEDS MFA", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            final String state = start(shim, sess, key).param("state");
            final String ticket = bridge.ticket(key, state, "bob", Instant.now().getEpochSecond(), true, SECRET);
            final FinishCall c = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key).param("state", state).param("ticket", ticket)));
            eq(Set.of("UsernamePrincipal:bob", "AuthnContextClassRefPrincipal:" + PPT,
                    "AuthnContextClassRefPrincipal:" + MFA), principals(c), "principals");
            final Set<Principal> ps = ((Subject) c.subject).getPrincipals();
            check(ps.contains(new UsernamePrincipal("bob")), "UsernamePrincipal type");
            check(ps.contains(new AuthnContextClassRefPrincipal(MFA)), "AuthnContextClassRefPrincipal type");
        });

        test("record signed with the previous secret is accepted during a rotation", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            final String state = start(shim, sess, key).param("state");
            final String ticket = bridge.ticket(key, state, "carol", Instant.now().getEpochSecond(), false, PREVIOUS);
            final FinishCall c = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key).param("state", state).param("ticket", ticket)));
            check(principals(c).contains("UsernamePrincipal:carol"), "carol signed in");
        });

        test("replays fail: same return URL again, and the used ticket with a new login", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            final String state = start(shim, sess, key).param("state");
            final String ticket = bridge.ticket(key, state, "alice", Instant.now().getEpochSecond(), false, SECRET);
            final FakeHttp.Request ret = new FakeHttp.Request("/finish", sess).param("conversation", key)
                    .param("state", state).param("ticket", ticket);
            oneFinish(() -> get(shim, ret));
            // the IdP's flow has moved on: the shim still finishes once (StateMismatch), the IdP
            // refuses the ended conversation, and the browser gets the IdP's error view
            final int before = ExternalAuthentication.finishes().size();
            noLogin(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key).param("state", state).param("ticket", ticket)));
            final List<FinishCall> calls = ExternalAuthentication.finishes();
            eq(before + 1, calls.size(), "finish tried once");
            eq("StateMismatch", calls.get(calls.size() - 1).authnError, "second use of the return URL");
            check(!calls.get(calls.size() - 1).known, "the IdP no longer had that conversation");
            // a new login of the same browser: the used ticket is gone
            final String key2 = newConversation(sess, false, false);
            final String state2 = start(shim, sess, key2).param("state");
            final FinishCall c = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key2).param("state", state2).param("ticket", ticket)));
            eq("TicketMissing", c.authnError, "used ticket");
        });

        test("each bridge error becomes its authnError (and no Subject)", () -> {
            for (final HandoffError e : HandoffError.values()) {
                if (!e.isBridgeCode()) {
                    continue;
                }
                final FakeHttp.Session sess = new FakeHttp.Session();
                final String key = newConversation(sess, false, false);
                final String state = start(shim, sess, key).param("state");
                final FinishCall c = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                        .param("conversation", key).param("state", state).param("error", e.authnError())));
                eq(e.authnError(), c.authnError, "authnError for error=" + e.authnError());
                eq(null, c.subject, "no subject with an error");
            }
        });

        test("broken return requests: BadRequest", () -> {
            final String[][] cases = {
                {"error", "SomethingElse"},
                {"error", "NoPassive", "ticket", "x"},
                {},
                {"state", "dup"},
                {"error", "NoPassive", "error", "NoPassive"},
            };
            for (final String[] extra : cases) {
                final FakeHttp.Session sess = new FakeHttp.Session();
                final String key = newConversation(sess, false, false);
                final String state = start(shim, sess, key).param("state");
                final FakeHttp.Request req = new FakeHttp.Request("/finish", sess).param("conversation", key)
                        .param("state", state);
                for (int i = 0; i + 1 < extra.length; i += 2) {
                    req.param(extra[i], extra[i + 1]);
                }
                final FinishCall c = oneFinish(() -> get(shim, req));
                eq("BadRequest", c.authnError, "case " + String.join(",", extra));
            }
        });

        test("state mismatch, other browser, or the bridge's error without the right state", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            final String state = start(shim, sess, key).param("state");
            final String ticket = bridge.ticket(key, state, "alice", Instant.now().getEpochSecond(), false, SECRET);
            final int before = ExternalAuthentication.finishes().size();
            noLogin(() -> get(shim, new FakeHttp.Request("/finish", new FakeHttp.Session())
                    .param("conversation", key).param("state", state).param("ticket", ticket)));
            final List<FinishCall> calls = ExternalAuthentication.finishes();
            eq(before + 1, calls.size(), "finish tried once");
            eq("StateMismatch", calls.get(calls.size() - 1).authnError, "another browser (no state in its session)");
            check(!calls.get(calls.size() - 1).known, "nor does the IdP know the login there: error view");
            check(StoreTests.holds(mc, prefix + "ticket:" + ticket), "the ticket was not even asked for");
            // the browser that started it still can
            check(principals(oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key).param("state", state).param("ticket", ticket))))
                    .contains("UsernamePrincipal:alice"), "the right browser signs in");

            final String key2 = newConversation(sess, false, false);
            final String state2 = start(shim, sess, key2).param("state");
            final String forged = state2.substring(0, 42) + (state2.charAt(42) == 'A' ? 'B' : 'A');
            final FinishCall c2 = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key2).param("state", forged).param("error", "NoCredentials")));
            eq("StateMismatch", c2.authnError, "error= with a wrong state is not believed");
        });

        test("a record made for another conversation of the same browser: StateMismatch", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String k1 = newConversation(sess, false, false);
            final String s1 = start(shim, sess, k1).param("state");
            final String k2 = newConversation(sess, false, false);
            final String s2 = start(shim, sess, k2).param("state");
            final String ticket = bridge.ticket(k2, s2, "alice", Instant.now().getEpochSecond(), false, SECRET);
            final FinishCall c = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", k1).param("state", s1).param("ticket", ticket)));
            eq("StateMismatch", c.authnError, "record of k2 presented for k1");
        });

        test("a record written without the secret: TicketInvalid", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            final String state = start(shim, sess, key).param("state");
            final String ticket = bridge.ticket(key, state, "alice", Instant.now().getEpochSecond(), true,
                    "an-attacker-guess-of-the-secret-0123456789");
            final FinishCall c = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key).param("state", state).param("ticket", ticket)));
            eq("TicketInvalid", c.authnError, "forged record");
            final String key2 = newConversation(sess, false, false);
            final String state2 = start(shim, sess, key2).param("state");
            final FinishCall c2 = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key2).param("state", state2).param("ticket", "not-a-ticket")));
            eq("TicketInvalid", c2.authnError, "malformed ticket");
        });

        test("expired or never written ticket: TicketMissing", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            final String state = start(shim, sess, key).param("state");
            final FinishCall c = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key).param("state", state).param("ticket", T.randomTicket())));
            eq("TicketMissing", c.authnError, "no record");
        });

        test("passive request: NoPassive at once, no trip to the bridge", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, true);
            final FakeHttp.Response[] r = new FakeHttp.Response[1];
            final FinishCall c = oneFinish(() -> r[0] = start(shim, sess, key));
            eq("NoPassive", c.authnError, "authnError");
            check(!r[0].location.startsWith(BRIDGE), "not sent to the bridge: " + r[0].location);
        });

        test("forced authentication: force=1 sent; an older sign-in is refused, a fresh one accepted", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, true, false);
            final FakeHttp.Response r = start(shim, sess, key);
            eq("1", r.param("force"), "force=1");
            final String state = r.param("state");
            final String old = bridge.ticket(key, state, "alice", Instant.now().getEpochSecond() - 600, false, SECRET);
            final FinishCall c = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key).param("state", state).param("ticket", old)));
            eq("TicketInvalid", c.authnError, "old sign-in for a forced request");
            final String key2 = newConversation(sess, true, false);
            final String state2 = start(shim, sess, key2).param("state");
            final String fresh = bridge.ticket(key2, state2, "alice", Instant.now().getEpochSecond(), false, SECRET);
            final FinishCall c2 = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key2).param("state", state2).param("ticket", fresh)));
            check(principals(c2).contains("UsernamePrincipal:alice"), "fresh sign-in accepted");
        });

        test("requests the IdP cannot place: the IdP's error view, nothing to finish", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            noFinish(() -> noLogin(() -> get(shim, new FakeHttp.Request("/start", sess))));
            noFinish(() -> noLogin(() -> get(shim, new FakeHttp.Request("/start", sess).param("conversation", "e999s9"))));
            noFinish(() -> noLogin(() -> get(shim, new FakeHttp.Request("/finish", sess).param("state", "x"))));
            noFinish(() -> noLogin(() -> get(shim, new FakeHttp.Request("/finish", sess).param("conversation", "e1s1")
                    .param("conversation", "e2s1"))));
            final ExternalAuthenticationException e = noLogin(() -> get(shim,
                    new FakeHttp.Request("/finish", sess).param("conversation", "<script>")));
            check(!e.getMessage().contains("<script>"), "input is not echoed");
            final FakeHttp.Response[] r = new FakeHttp.Response[1];
            noFinish(() -> r[0] = get(shim, new FakeHttp.Request("/other", sess)));
            eq(404, r[0].status, "unknown path");
        });

        test("HEAD (link scanners, prefetch) neither starts a login nor redeems a ticket: 405", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            final int starts = ExternalAuthentication.starts().size();
            final FakeHttp.Request head = new FakeHttp.Request("/start", sess).param("conversation", key);
            head.method = "HEAD";
            final FakeHttp.Response[] r = new FakeHttp.Response[1];
            noFinish(() -> r[0] = get(shim, head));
            eq(405, r[0].status, "HEAD /start");
            eq(starts, ExternalAuthentication.starts().size(), "startExternalAuthentication not called");
            final String state = start(shim, sess, key).param("state");
            final String ticket = bridge.ticket(key, state, "alice", Instant.now().getEpochSecond(), false, SECRET);
            final FakeHttp.Request headFinish = new FakeHttp.Request("/finish", sess).param("conversation", key)
                    .param("state", state).param("ticket", ticket);
            headFinish.method = "HEAD";
            noFinish(() -> r[0] = get(shim, headFinish));
            eq(405, r[0].status, "HEAD /finish");
            check(StoreTests.holds(mc, prefix + "ticket:" + ticket), "ticket still there");
            final FinishCall c = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key).param("state", state).param("ticket", ticket)));
            check(principals(c).contains("UsernamePrincipal:alice"), "the real GET still signs in");
        });

        test("the IdP forgot the conversation meanwhile: finish tried once, then the error view", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            final String state = start(shim, sess, key).param("state");
            final String ticket = bridge.ticket(key, state, "alice", Instant.now().getEpochSecond(), false, SECRET);
            ExternalAuthentication.forget(sess.proxy(), key);
            final int before = ExternalAuthentication.finishes().size();
            noLogin(() -> get(shim, new FakeHttp.Request("/finish", sess).param("conversation", key)
                    .param("state", state).param("ticket", ticket)));
            final List<FinishCall> calls = ExternalAuthentication.finishes();
            eq(before + 1, calls.size(), "finish attempted once");
            check(!calls.get(calls.size() - 1).known, "for an unknown conversation");
        });

        test("memcached down: StoreUnavailable, finish still called once", () -> {
            final String dead = "127.0.0.1:" + StoreTests.deadPort() + ",127.0.0.1:" + StoreTests.deadPort();
            final FidoBridgeServlet down = servlet(idpHome(work, "idp-down", dead, prefix, false));
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            final String state = start(down, sess, key).param("state");
            final FinishCall c = oneFinish(() -> get(down, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key).param("state", state).param("ticket", T.randomTicket())));
            eq("StoreUnavailable", c.authnError, "authnError");
        });

        test("configuration missing or broken: ConfigError, finish still called once", () -> {
            final Path broken = idpHome(work, "idp-broken", serverList, prefix, false);
            Files.delete(broken.resolve("credentials/fido-bridge.secret"));
            final FidoBridgeServlet s = servlet(broken);
            final FakeHttp.Response[] r = new FakeHttp.Response[1];
            final FinishCall c = oneFinish(() -> r[0] = startFresh(s));
            eq("ConfigError", c.authnError, "no secret file");
            check(!r[0].location.startsWith(BRIDGE), "not sent to the bridge");
            Files.write(broken.resolve("credentials/fido-bridge.secret"), "too short\n".getBytes(StandardCharsets.UTF_8));
            eq("ConfigError", oneFinish(() -> startFresh(s))
                    .authnError, "short secret");
        });

        test("secret rotation: a changed secret file is used without a restart", () -> {
            final Path h = idpHome(work, "idp-rotate", serverList, prefix, false);
            final FidoBridgeServlet s = servlet(h);
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String k1 = newConversation(sess, false, false);
            final FakeHttp.Response r1 = start(s, sess, k1);
            final String m1 = "fido-bridge start v2\n" + k1 + "\n" + r1.param("state") + "\n" + RETURN + "\n" + RP + "\n0\n0\n"
                    + r1.param("ts");
            eq(T.hmac(SECRET, m1), r1.param("sig"), "signed with the first secret");
            final String next = "the-next-secret-after-rotation-0123456789abcdef";
            Files.write(h.resolve("credentials/fido-bridge.secret"), (next + "\n").getBytes(StandardCharsets.UTF_8));
            final String k2 = newConversation(sess, false, false);
            final FakeHttp.Response r2 = start(s, sess, k2);
            final String m2 = "fido-bridge start v2\n" + k2 + "\n" + r2.param("state") + "\n" + RETURN + "\n" + RP + "\n0\n0\n"
                    + r2.param("ts");
            eq(T.hmac(next, m2), r2.param("sig"), "signed with the new secret");
        });

        // ---- with a test clock and injected stores ----------------------------------------

        final TestClock clock = new TestClock();
        final ConfigSource src = new ConfigSource(home.resolve("conf/authn/fido-bridge.properties"), home);

        test("a login that comes back after stateLifetime: Expired", () -> {
            final FidoBridgeServlet s = new FidoBridgeServlet();
            s.setLogic(new ShimLogic(src::get, ShimLogic.MEMCACHED, clock, new SecureRandom()));
            clock.now = Instant.now();
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            final String state = start(s, sess, key).param("state");
            clock.now = clock.now.plusSeconds(31 * 60);
            final FinishCall c = oneFinish(() -> get(s, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key).param("state", state).param("ticket", T.randomTicket())));
            eq("Expired", c.authnError, "authnError");
        });

        test("stateLifetime longer than the container session: one warning, defaults agree (15 min)", () -> {
            final Path h = idpHome(work, "idp-long", serverList, prefix, false);
            Files.write(h.resolve("conf/authn/fido-bridge.properties"),
                    "fido.bridge.stateLifetime = PT30M\n".getBytes(StandardCharsets.UTF_8),
                    java.nio.file.StandardOpenOption.APPEND);
            final FidoBridgeServlet s = servlet(h);
            final int mark = LogCapture.mark();
            final FakeHttp.Session sess = new FakeHttp.Session();
            start(s, sess, newConversation(sess, false, false));
            start(s, sess, newConversation(sess, false, false));
            final long warnings = LogCapture.since(mark).stream()
                    .filter(l -> l.startsWith("WARN") && l.contains("longer than the IdP container's session timeout"))
                    .count();
            eq(1L, warnings, "warned once: " + LogCapture.since(mark));
            final int mark2 = LogCapture.mark();
            start(shim, sess, newConversation(sess, false, false));
            check(LogCapture.since(mark2).stream().noneMatch(l -> l.contains("session timeout")),
                    "the default (PT15M) fits IdP v5's 15-minute session");
            eq(java.time.Duration.ofMinutes(15), src.get().stateLifetime, "default stateLifetime");
        });

        test("at most 8 started logins per session; expired ones are dropped", () -> {
            final FidoBridgeServlet s = new FidoBridgeServlet();
            s.setLogic(new ShimLogic(src::get, ShimLogic.MEMCACHED, clock, new SecureRandom()));
            clock.now = Instant.now();
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String first = newConversation(sess, false, false);
            start(s, sess, first);
            for (int i = 0; i < 11; i++) {
                clock.now = clock.now.plusSeconds(1);
                start(s, sess, newConversation(sess, false, false));
            }
            final long pending = sess.attrs.keySet().stream().filter(k -> k.startsWith(ShimLogic.SESSION_PREFIX))
                    .count();
            eq((long) ShimLogic.MAX_PENDING, pending, "pending logins kept");
            check(!sess.attrs.containsKey(ShimLogic.SESSION_PREFIX + first), "the oldest went first");
            clock.now = clock.now.plusSeconds(31 * 60);
            start(s, sess, newConversation(sess, false, false));
            eq(1L, sess.attrs.keySet().stream().filter(k -> k.startsWith(ShimLogic.SESSION_PREFIX)).count(),
                    "expired ones dropped");
        });

        test("an exception inside the shim: InternalError, finish still called once", () -> {
            final FidoBridgeServlet s = new FidoBridgeServlet();
            s.setLogic(new ShimLogic(src::get, c -> key -> {
                throw new IllegalStateException("boom");
            }, Clock.systemUTC(), new SecureRandom()));
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            final String state = start(s, sess, key).param("state");
            final FinishCall c = oneFinish(() -> get(s, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key).param("state", state).param("ticket", T.randomTicket())));
            eq("InternalError", c.authnError, "authnError");
            final ShimLogic.ConfigSupplier exploding = () -> {
                throw new IllegalArgumentException("config bug");
            };
            s.setLogic(new ShimLogic(exploding, ShimLogic.MEMCACHED, Clock.systemUTC(), new SecureRandom()));
            eq("InternalError", oneFinish(() -> startFresh(s))
                    .authnError, "exception during start");
        });

        // ---- what the IdP's contexts say about the login ---------------------------------

        /** The start message the bridge would check, for an independent HMAC. */
        final class M {
            String of(final FakeHttp.Response r, final String extra) {
                return "fido-bridge start v2\n" + r.param("conversation") + "\n" + r.param("state") + "\n" + RETURN + "\n"
                        + r.param("entity") + "\n" + r.param("force") + "\n0\n" + r.param("ts") + extra;
            }
        }
        final M m = new M();

        test("second factor after the password step: its user goes signed as principal; REFEDS MFA", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            earlierStep(sess, key, "authn/Password", "alice");
            final FakeHttp.Response r = start(shim, sess, key);
            eq("alice", r.param("principal"), "principal");
            eq(T.hmac(SECRET, m.of(r, "\nprincipal=alice")), r.param("sig"), "principal covered by the signature");
            // a synced passkey (mfa false) after the password is still two factors
            final String ticket = bridge.ticket(key, r.param("state"), "alice", Instant.now().getEpochSecond(), false,
                    SECRET);
            final FinishCall c = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key).param("state", r.param("state")).param("ticket", ticket)));
            eq(Set.of("UsernamePrincipal:alice", "AuthnContextClassRefPrincipal:" + PPT,
                    "AuthnContextClassRefPrincipal:" + MFA), principals(c), "principals");
        });

        test("second factor: a passkey of another user is AccountMismatch, never a sign-in", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            earlierStep(sess, key, "authn/Password", "alice");
            final String state = start(shim, sess, key).param("state");
            for (final String other : new String[] {"bob", "Alice"}) {
                final String key2 = other.equals("bob") ? key : newConversation(sess, false, false);
                if (!other.equals("bob")) {
                    earlierStep(sess, key2, "authn/Password", "alice");
                }
                final String st = other.equals("bob") ? state : start(shim, sess, key2).param("state");
                final String ticket = bridge.ticket(key2, st, other, Instant.now().getEpochSecond(), true, SECRET);
                final FinishCall c = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                        .param("conversation", key2).param("state", st).param("ticket", ticket)));
                eq("AccountMismatch", c.authnError, "record of " + other + " for alice");
            }
            // and the bridge's own verdict passes through
            final String key3 = newConversation(sess, false, false);
            earlierStep(sess, key3, "authn/Password", "alice");
            final String st3 = start(shim, sess, key3).param("state");
            eq("AccountMismatch", oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key3).param("state", st3).param("error", "AccountMismatch"))).authnError,
                    "error=AccountMismatch");
        });

        test("earlier steps naming different users: AccountMismatch at once, no trip to the bridge", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            earlierStep(sess, key, "authn/Password", "alice");
            earlierStep(sess, key, "authn/IPAddress", "bob");
            final FakeHttp.Response[] r = new FakeHttp.Response[1];
            final FinishCall c = oneFinish(() -> r[0] = start(shim, sess, key));
            eq("AccountMismatch", c.authnError, "authnError");
            check(!r[0].location.startsWith(BRIDGE), "not sent to the bridge");
        });

        test("the External flow's own earlier result binds nothing; other flows bind, listed ones add MFA", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            earlierStep(sess, key, "authn/External", "carol");
            final FakeHttp.Response r = start(shim, sess, key);
            eq(null, r.param("principal"), "an SSO result of the passkey flow itself is no earlier factor");
            final String key2 = newConversation(sess, false, false);
            earlierStep(sess, key2, "authn/IPAddress", "carol");
            final FakeHttp.Response r2 = start(shim, sess, key2);
            eq("carol", r2.param("principal"), "the merged Subject must stay one user: bound");
            final String ticket = bridge.ticket(key2, r2.param("state"), "carol", Instant.now().getEpochSecond(),
                    false, SECRET);
            final FinishCall c = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key2).param("state", r2.param("state")).param("ticket", ticket)));
            eq(Set.of("UsernamePrincipal:carol", "AuthnContextClassRefPrincipal:" + PPT), principals(c),
                    "authn/IPAddress is not in fido.authn.secondFactorAfter: no REFEDS MFA");
        });

        test("SP asking only for contexts a passkey cannot give: UnsupportedContext at once (ReselectFlow)", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            authn(sess, key).addSubcontext(new RequestedPrincipalContext().setRequestedPrincipals(List.of(
                    new AuthnContextClassRefPrincipal("urn:oasis:names:tc:SAML:2.0:ac:classes:Password"))));
            final FakeHttp.Response[] r = new FakeHttp.Response[1];
            final FinishCall c = oneFinish(() -> r[0] = start(shim, sess, key));
            eq("UnsupportedContext", c.authnError, "authnError");
            check(!r[0].location.startsWith(BRIDGE), "not sent to the bridge");
            for (final String wanted : new String[] {MFA, PPT}) {
                final String k = newConversation(sess, false, false);
                authn(sess, k).addSubcontext(new RequestedPrincipalContext().setRequestedPrincipals(List.of(
                        new AuthnContextClassRefPrincipal(wanted))));
                noFinish(() -> check(start(shim, sess, k).location.startsWith(BRIDGE), "to the bridge for " + wanted));
            }
            // after a password step the request was the password's to satisfy: the passkey adds to it
            final String k2 = newConversation(sess, false, false);
            authn(sess, k2).addSubcontext(new RequestedPrincipalContext().setRequestedPrincipals(List.of(
                    new AuthnContextClassRefPrincipal("urn:oasis:names:tc:SAML:2.0:ac:classes:Password"))));
            earlierStep(sess, k2, "authn/Password", "alice");
            noFinish(() -> check(start(shim, sess, k2).location.startsWith(BRIDGE), "second factor goes on"));
        });

        test("display name: mdui:DisplayName in the browser's language goes signed as sp_name", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String[][] cases = {
                {"ja,en;q=0.8", "ムードル"},
                {"en-GB,ja;q=0.5", "Moodle"},
                {"fr", "Moodle"}, // no French name: the IdP's fallback language (en)
            };
            for (final String[] cs : cases) {
                final String key = newConversation(sess, false, false);
                authn(sess, key).addSubcontext(new RelyingPartyUIContext().setRPEntityId(RP)
                        .addDisplayName("en", "Moodle").addDisplayName("ja", "ムードル")
                        .addLogo("en", "https://sp.example.org/logo.png")
                        .setBrowserLanguageRanges(java.util.Locale.LanguageRange.parse(cs[0]))
                        .setFallbackLanguages(List.of("en")));
                final FakeHttp.Response r = start(shim, sess, key);
                eq(cs[1], r.param("sp_name"), "sp_name for " + cs[0]);
                eq(T.hmac(SECRET, m.of(r, "\nsp_name=" + cs[1])), r.param("sig"), "sp_name signed");
                check(!r.location.contains("logo"), "the logo is not sent (the bridge shows no SP-chosen images)");
            }
            // no display name: the IdP falls back to the entityID's host; the bridge shows the entityID
            final String key = newConversation(sess, false, false);
            authn(sess, key).addSubcontext(new RelyingPartyUIContext().setRPEntityId(RP));
            final FakeHttp.Response r = start(shim, sess, key);
            eq(null, r.param("sp_name"), "no sp_name for the fallback");
            eq(T.hmac(SECRET, m.of(r, "")), r.param("sig"), "and the signature without them");
            eq(null, ShimLogic.displayName("urn:example:sp", "urn:example:sp"), "non-URL entityID fallback");
            eq(null, ShimLogic.displayName("Evil\u0000Name", RP), "control characters: left out");
            eq(null, ShimLogic.displayName("   ", RP), "blank");
            eq("Moodle", ShimLogic.displayName(" Moodle ", RP), "trimmed");
        });

        test("sendServiceName=false: no sp_name (for a bridge that does not know it yet)", () -> {
            final Path h = idpHome(work, "idp-noname", serverList, prefix, false);
            Files.write(h.resolve("conf/authn/fido-bridge.properties"),
                    "fido.bridge.sendServiceName = false\n".getBytes(StandardCharsets.UTF_8),
                    java.nio.file.StandardOpenOption.APPEND);
            final FidoBridgeServlet s = servlet(h);
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            authn(sess, key).addSubcontext(new RelyingPartyUIContext().setRPEntityId(RP).addDisplayName("en", "Moodle")
                    .setBrowserLanguageRanges(java.util.Locale.LanguageRange.parse("en")));
            eq(null, start(s, sess, key).param("sp_name"), "sp_name");
        });

        test("a record whose principal the IdP would trim or refuse: TicketInvalid", () -> {
            for (final String bad : new String[] {" alice", "alice "}) {
                final FakeHttp.Session sess = new FakeHttp.Session();
                final String key = newConversation(sess, false, false);
                final String state = start(shim, sess, key).param("state");
                final String ticket = bridge.ticket(key, state, bad, Instant.now().getEpochSecond(), false, SECRET);
                final FinishCall c = oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                        .param("conversation", key).param("state", state).param("ticket", ticket)));
                eq("TicketInvalid", c.authnError, "principal <" + bad + ">");
            }
        });

        test("logging through SLF4J: a line per start and finish, never state, ticket or secret", () -> {
            final int mark = LogCapture.mark();
            final FakeHttp.Session sess = new FakeHttp.Session();
            final String key = newConversation(sess, false, false);
            final String state = start(shim, sess, key).param("state");
            final String ticket = bridge.ticket(key, state, "alice", Instant.now().getEpochSecond(), true, SECRET);
            oneFinish(() -> get(shim, new FakeHttp.Request("/finish", sess)
                    .param("conversation", key).param("state", state).param("ticket", ticket)));
            final List<String> lines = LogCapture.since(mark);
            check(lines.contains("INFO fido-bridge shim: conversation " + key + ": to the bridge (rp " + RP
                    + ", force false)"), "start line: " + lines);
            check(lines.contains("INFO fido-bridge shim: conversation " + key + ": signed in alice (mfa true)"),
                    "finish line: " + lines);
            for (final String l : LogCapture.lines()) {
                check(!l.contains(state) && !l.contains(ticket) && !l.contains(SECRET), "no secret in: " + l);
            }
        });

        test("request attribute names match the IdP API constants", () -> {
            eq(ExternalAuthentication.SUBJECT_KEY, ShimLogic.ATTR_SUBJECT, "subject");
            eq(ExternalAuthentication.AUTHENTICATION_INSTANT_KEY, ShimLogic.ATTR_AUTHN_INSTANT, "authnInstant");
            eq(ExternalAuthentication.AUTHENTICATION_ERROR_KEY, ShimLogic.ATTR_AUTHN_ERROR, "authnError");
            eq(ExternalAuthentication.FORCE_AUTHN_PARAM, ShimLogic.ATTR_FORCE, "forceAuthn");
            eq(ExternalAuthentication.PASSIVE_AUTHN_PARAM, ShimLogic.ATTR_PASSIVE, "isPassive");
            eq(ExternalAuthentication.RELYING_PARTY_PARAM, ShimLogic.ATTR_RELYING_PARTY, "relyingParty");
        });

        test("every login in this suite was finished exactly once", () -> {
            final Map<String, Long> perKey = ExternalAuthentication.finishes().stream()
                    .collect(Collectors.groupingBy(c -> c.key, Collectors.counting()));
            check(!perKey.isEmpty(), "some logins finished");
            // a key may legitimately see several rounds (replay tests start it again); every
            // finish call still carried exactly one result
            for (final FinishCall c : ExternalAuthentication.finishes()) {
                eq(1, c.results(), "results at finish for " + c.key);
            }
        });
    }
}
