package fidobridge.idp;

import static fidobridge.idp.T.check;
import static fidobridge.idp.T.eq;
import static fidobridge.idp.T.raises;
import static fidobridge.idp.T.test;

import jakarta.servlet.http.HttpServletRequest;
import net.shibboleth.idp.authn.AuthenticationFlowDescriptor;
import net.shibboleth.idp.authn.ExternalAuthentication;
import net.shibboleth.idp.authn.ExternalAuthenticationException;
import net.shibboleth.idp.authn.context.AuthenticationContext;
import net.shibboleth.idp.authn.principal.UsernamePrincipal;
import net.shibboleth.idp.profile.context.RelyingPartyContext;
import net.shibboleth.shared.logic.ConstraintViolationException;
import org.opensaml.profile.context.ProfileRequestContext;

/**
 * The stand-in IdP API is as strict as the real one where the shim could get it wrong; if it
 * were laxer, the shim's tests would pass against behaviour no IdP has.
 */
final class StandInTests {

    private StandInTests() {
    }

    static ProfileRequestContext prc(final boolean withFlow) {
        final ProfileRequestContext prc = new ProfileRequestContext();
        final AuthenticationContext ac = prc.addSubcontext(new AuthenticationContext());
        if (withFlow) {
            ac.setAttemptedFlow(new AuthenticationFlowDescriptor("authn/External"));
        }
        prc.addSubcontext(new RelyingPartyContext()).setRelyingPartyId("https://sp.example.org/shibboleth");
        return prc;
    }

    static HttpServletRequest req(final FakeHttp.Session sess, final String key) {
        final FakeHttp.Request r = new FakeHttp.Request("/start", sess);
        if (key != null) {
            r.param("conversation", key);
        }
        return r.proxy();
    }

    static void run() {
        T.suite("stand-in IdP API (as strict as the real one)");

        test("a conversation belongs to its HTTP session: another session or none fails", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            sess.exists = true;
            ExternalAuthentication.register(sess.proxy(), "e91s1",
                    new ExternalAuthentication.Conversation(prc(true), "/idp/profile/x?execution=e91s1"));
            eq("e91s1", ExternalAuthentication.startExternalAuthentication(req(sess, "e91s1")), "own session");
            final ExternalAuthenticationException e = raises(ExternalAuthenticationException.class,
                    () -> ExternalAuthentication.startExternalAuthentication(req(new FakeHttp.Session(), "e91s1")));
            eq("Error retrieving flow conversation", e.getMessage(), "message of the real class");
            raises(ExternalAuthenticationException.class, () -> ExternalAuthentication
                    .finishExternalAuthentication("e91s1", req(new FakeHttp.Session(), "e91s1"),
                            FakeHttp.response(new FakeHttp.Response())));
        });

        test("start: conversation parameter, AuthenticationContext and attempted flow required", () -> {
            eq("No conversation key found in request", raises(ExternalAuthenticationException.class,
                    () -> ExternalAuthentication.startExternalAuthentication(req(new FakeHttp.Session(), null)))
                    .getMessage(), "no key");
            final FakeHttp.Session sess = new FakeHttp.Session();
            sess.exists = true;
            ExternalAuthentication.register(sess.proxy(), "e92s1",
                    new ExternalAuthentication.Conversation(prc(false), "/x"));
            eq("No attempted authentication flow set", raises(ExternalAuthenticationException.class,
                    () -> ExternalAuthentication.startExternalAuthentication(req(sess, "e92s1"))).getMessage(),
                    "no attempted flow");
            raises(ExternalAuthenticationException.class,
                    () -> ExternalAuthentication.startExternalAuthentication(req(sess, "not-a-key")));
        });

        test("start sets the input attributes and the ProfileRequestContext", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            sess.exists = true;
            final ProfileRequestContext p = prc(true);
            p.getSubcontext(AuthenticationContext.class).setForceAuthn(true);
            ExternalAuthentication.register(sess.proxy(), "e93s1", new ExternalAuthentication.Conversation(p, "/x"));
            final HttpServletRequest r = req(sess, "e93s1");
            ExternalAuthentication.startExternalAuthentication(r);
            eq(Boolean.TRUE, r.getAttribute("forceAuthn"), "forceAuthn");
            eq(Boolean.FALSE, r.getAttribute("isPassive"), "isPassive");
            eq("https://sp.example.org/shibboleth", r.getAttribute("relyingParty"), "relyingParty");
            check(r.getAttribute(ProfileRequestContext.BINDING_KEY) == p, "ProfileRequestContext bound");
            check(ExternalAuthentication.getProfileRequestContext("e93s1", r) == p, "getProfileRequestContext");
        });

        test("finish: only after start, only once; the flow has moved on afterwards", () -> {
            final FakeHttp.Session sess = new FakeHttp.Session();
            sess.exists = true;
            ExternalAuthentication.register(sess.proxy(), "e94s1",
                    new ExternalAuthentication.Conversation(prc(true), "/idp/profile/resume?execution=e94s1"));
            raises(ExternalAuthenticationException.class, () -> ExternalAuthentication
                    .finishExternalAuthentication("e94s1", req(sess, "e94s1"), FakeHttp.response(new FakeHttp.Response())));
            ExternalAuthentication.startExternalAuthentication(req(sess, "e94s1"));
            final FakeHttp.Response resp = new FakeHttp.Response();
            ExternalAuthentication.finishExternalAuthentication("e94s1", req(sess, "e94s1"), FakeHttp.response(resp));
            eq("/idp/profile/resume?execution=e94s1", resp.location, "back to the flow execution URL");
            raises(ExternalAuthenticationException.class, () -> ExternalAuthentication
                    .finishExternalAuthentication("e94s1", req(sess, "e94s1"), FakeHttp.response(new FakeHttp.Response())));
            raises(ExternalAuthenticationException.class,
                    () -> ExternalAuthentication.startExternalAuthentication(req(sess, "e94s1")));
        });

        test("no FlowExecutor in the servlet context: refused; the real class's PRC testing hook works", () -> {
            final Object fe = FakeHttp.CONTEXT_ATTRS.get(ExternalAuthentication.SWF_KEY);
            try {
                FakeHttp.CONTEXT_ATTRS.remove(ExternalAuthentication.SWF_KEY);
                eq("No FlowExecutor available in servlet context", raises(ExternalAuthenticationException.class,
                        () -> ExternalAuthentication.getProfileRequestContext("e1s1", req(new FakeHttp.Session(),
                                "e1s1"))).getMessage(), "message");
                final ProfileRequestContext p = prc(true);
                FakeHttp.CONTEXT_ATTRS.put(ExternalAuthentication.SWF_KEY, p);
                check(ExternalAuthentication.getProfileRequestContext("e1s1", req(new FakeHttp.Session(), "e1s1")) == p,
                        "injected ProfileRequestContext");
            } finally {
                FakeHttp.CONTEXT_ATTRS.put(ExternalAuthentication.SWF_KEY, fe);
            }
        });

        test("UsernamePrincipal trims and refuses empty names, like the IdP's", () -> {
            eq("alice", new UsernamePrincipal("  alice\t").getName(), "trimmed");
            raises(ConstraintViolationException.class, () -> new UsernamePrincipal("   "));
            raises(ConstraintViolationException.class, () -> new UsernamePrincipal(null));
            check(new UsernamePrincipal("alice").equals(new UsernamePrincipal(" alice")), "equal after trimming");
        });

        test("ExternalAuthenticationException has the real four constructors", () -> {
            final Exception cause = new IllegalStateException("x");
            eq(null, new ExternalAuthenticationException().getMessage(), "()");
            eq("m", new ExternalAuthenticationException("m").getMessage(), "(String)");
            check(new ExternalAuthenticationException(cause).getCause() == cause, "(Exception)");
            final ExternalAuthenticationException both = new ExternalAuthenticationException("m", cause);
            check("m".equals(both.getMessage()) && both.getCause() == cause, "(String, Exception)");
        });

        test("getExternalRedirect appends the conversation like the real one", () -> {
            eq("/idp/Authn/fido/start?conversation=e1s1",
                    ExternalAuthentication.getExternalRedirect("/idp/Authn/fido/start", "e1s1"), "?");
            eq("/x?a=1&conversation=e1s1", ExternalAuthentication.getExternalRedirect("/x?a=1", "e1s1"), "&");
        });
    }
}
