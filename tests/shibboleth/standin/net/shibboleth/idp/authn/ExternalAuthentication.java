package net.shibboleth.idp.authn;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import net.shibboleth.idp.authn.context.AuthenticationContext;
import net.shibboleth.idp.profile.context.RelyingPartyContext;
import org.opensaml.profile.context.ProfileRequestContext;

/**
 * TEST STAND-IN for the IdP's ExternalAuthentication API (v5, jakarta.servlet; the test scripts
 * derive a javax.servlet copy for IdP v4). Same public constants and static entry points, and
 * as strict as the real class where the shim could get it wrong:
 * <ul>
 * <li>a conversation lives in the browser's HTTP session, as webflow keeps it (the real
 *     repository is session-bound): a request without that session, or with another key,
 *     fails with "Error retrieving flow conversation";</li>
 * <li>the FlowExecutor must be in the servlet context under {@link #SWF_KEY} (or, the real
 *     class's testing hook, a ProfileRequestContext);</li>
 * <li>start needs a non-empty conversation parameter, an AuthenticationContext and an
 *     attempted flow; it sets the same request attributes, the ProfileRequestContext included;</li>
 * <li>finish needs a started conversation and ends it: the flow has moved on, so a second start
 *     or finish with that key fails; it redirects to the flow execution URL.</li>
 * </ul>
 * Every call is recorded so tests can assert that each login is finished exactly once with
 * exactly one result. Never deploy it: the IdP web application has the real class.
 */
public abstract class ExternalAuthentication {

    public static final String SWF_KEY = "net.shibboleth.idp.flowExecutor";
    public static final String CONVERSATION_KEY = "conversation";
    public static final String PRINCIPAL_KEY = "principal";
    public static final String PRINCIPAL_NAME_KEY = "principal_name";
    public static final String SUBJECT_KEY = "subject";
    public static final String AUTHENTICATION_INSTANT_KEY = "authnInstant";
    public static final String AUTHENTICATING_AUTHORITIES_KEY = "authnAuthorities";
    public static final String ATTRIBUTES_KEY = "attributes";
    public static final String AUTHENTICATION_ERROR_KEY = "authnError";
    public static final String AUTHENTICATION_EXCEPTION_KEY = "authnException";
    public static final String DONOTCACHE_KEY = "doNotCache";
    public static final String REVOKECONSENT_KEY = "revokeConsent";
    public static final String PREVIOUSRESULT_KEY = "previousResult";
    public static final String FORCE_AUTHN_PARAM = "forceAuthn";
    public static final String PASSIVE_AUTHN_PARAM = "isPassive";
    public static final String RELYING_PARTY_PARAM = "relyingParty";
    public static final String EXTENDED_FLOW_PARAM = "extended";

    /** Stand-in: where this class keeps a session's conversations. */
    static final String SESSION_ATTR = "net.shibboleth.idp.standin.conversations";

    /** The stand-in's flow executor; the IdP puts its FlowExecutor under {@link #SWF_KEY}. */
    public static final class FlowExecutor {
    }

    /** One login the stand-in IdP has in progress: its context tree and where it resumes. */
    public static final class Conversation {
        public final ProfileRequestContext prc;
        public final String flowExecutionUrl;
        private volatile boolean started;
        private volatile boolean finished;
        private volatile FinishCall result;

        public Conversation(final ProfileRequestContext prc, final String flowExecutionUrl) {
            this.prc = prc;
            this.flowExecutionUrl = flowExecutionUrl;
        }

        public boolean started() {
            return started;
        }

        public boolean finished() {
            return finished;
        }

        /** What finishExternalAuthentication found, once it was called. */
        public FinishCall result() {
            return result;
        }
    }

    /** One call of finishExternalAuthentication, with the result attributes it found. */
    public static final class FinishCall {
        public final String key;
        public final boolean known;
        public final Object subject;
        public final Object principal;
        public final Object principalName;
        public final Object authnInstant;
        public final Object authnError;
        public final Object authnException;

        FinishCall(final String key, final boolean known, final HttpServletRequest r) {
            this.key = key;
            this.known = known;
            this.subject = r.getAttribute(SUBJECT_KEY);
            this.principal = r.getAttribute(PRINCIPAL_KEY);
            this.principalName = r.getAttribute(PRINCIPAL_NAME_KEY);
            this.authnInstant = r.getAttribute(AUTHENTICATION_INSTANT_KEY);
            this.authnError = r.getAttribute(AUTHENTICATION_ERROR_KEY);
            this.authnException = r.getAttribute(AUTHENTICATION_EXCEPTION_KEY);
        }

        /** How many of the mutually exclusive result attributes are set (the IdP wants one). */
        public int results() {
            int n = 0;
            for (final Object o : new Object[] {subject, principal, principalName, authnError, authnException}) {
                if (o != null) {
                    n++;
                }
            }
            return n;
        }
    }

    private static final List<String> STARTS = Collections.synchronizedList(new ArrayList<>());
    private static final List<FinishCall> FINISHES = Collections.synchronizedList(new ArrayList<>());

    /** Test control: forget the recorded calls. */
    public static void reset() {
        STARTS.clear();
        FINISHES.clear();
    }

    /** Test control: the IdP enters the External view state of conversation key in this session. */
    public static void register(final HttpSession session, final String key, final Conversation c) {
        conversations(session).put(key, c);
    }

    /** Test control: the conversation of key in this session, or null. */
    public static Conversation conversation(final HttpSession session, final String key) {
        return session == null ? null : conversations(session).get(key);
    }

    /** Test control: the conversation ended (its flow expired or was resumed). */
    public static void forget(final HttpSession session, final String key) {
        conversations(session).remove(key);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Conversation> conversations(final HttpSession session) {
        synchronized (ExternalAuthentication.class) {
            Object m = session.getAttribute(SESSION_ATTR);
            if (!(m instanceof Map)) {
                m = new ConcurrentHashMap<String, Conversation>();
                session.setAttribute(SESSION_ATTR, m);
            }
            return (Map<String, Conversation>) m;
        }
    }

    /** Keys start was called with (successfully). */
    public static List<String> starts() {
        synchronized (STARTS) {
            return new ArrayList<>(STARTS);
        }
    }

    /** Every finish call, also the ones that failed. */
    public static List<FinishCall> finishes() {
        synchronized (FINISHES) {
            return new ArrayList<>(FINISHES);
        }
    }

    public static String getExternalRedirect(final String baseLocation, final String conversationValue) {
        if (baseLocation == null || baseLocation.isEmpty()) {
            throw new IllegalArgumentException("Base location cannot be null or empty");
        }
        return baseLocation + (baseLocation.indexOf('?') == -1 ? '?' : '&') + CONVERSATION_KEY + "="
                + URLEncoder.encode(conversationValue, StandardCharsets.UTF_8);
    }

    public static String startExternalAuthentication(final HttpServletRequest request)
            throws ExternalAuthenticationException {
        final String key = request.getParameter(CONVERSATION_KEY);
        if (key == null || key.isEmpty()) {
            throw new ExternalAuthenticationException("No conversation key found in request");
        }
        final ProfileRequestContext prc = getProfileRequestContext(key, request);
        final Conversation c = conversation(request.getSession(false), key);
        if (c == null || c.finished) {
            throw new ExternalAuthenticationException("Error retrieving flow conversation");
        }
        final AuthenticationContext ac = prc.getSubcontext(AuthenticationContext.class);
        if (ac == null) {
            throw new ExternalAuthenticationException("No AuthenticationContext found");
        } else if (ac.getAttemptedFlow() == null) {
            throw new ExternalAuthenticationException("No attempted authentication flow set");
        }
        request.setAttribute(ProfileRequestContext.BINDING_KEY, prc);
        request.setAttribute(EXTENDED_FLOW_PARAM, Boolean.FALSE);
        request.setAttribute(PASSIVE_AUTHN_PARAM, ac.isPassive());
        request.setAttribute(FORCE_AUTHN_PARAM, ac.isForceAuthn());
        final RelyingPartyContext rp = prc.getSubcontext(RelyingPartyContext.class);
        if (rp != null) {
            request.setAttribute(RELYING_PARTY_PARAM, rp.getRelyingPartyId());
        }
        c.started = true;
        STARTS.add(key);
        return key;
    }

    public static void finishExternalAuthentication(final String key, final HttpServletRequest request,
            final HttpServletResponse response) throws ExternalAuthenticationException, IOException {
        final Conversation c;
        try {
            getProfileRequestContext(key, request);
            c = conversation(request.getSession(false), key);
            if (c == null || c.finished) {
                throw new ExternalAuthenticationException("Error retrieving flow conversation");
            }
            if (!c.started) {
                // the real flow would accept it; the shim never does it, so the stand-in refuses
                throw new ExternalAuthenticationException("stand-in: finish before start");
            }
        } catch (final ExternalAuthenticationException e) {
            FINISHES.add(new FinishCall(key, false, request));
            throw e;
        }
        final FinishCall call = new FinishCall(key, true, request);
        FINISHES.add(call);
        c.result = call;
        c.finished = true;
        response.sendRedirect(c.flowExecutionUrl);
    }

    public static ProfileRequestContext getProfileRequestContext(final String key, final HttpServletRequest request)
            throws ExternalAuthenticationException {
        final Object obj = request.getServletContext().getAttribute(SWF_KEY);
        if (!(obj instanceof FlowExecutor)) {
            // the real class's testing hook: a ProfileRequestContext injected directly
            if (obj instanceof ProfileRequestContext) {
                return (ProfileRequestContext) obj;
            }
            throw new ExternalAuthenticationException("No FlowExecutor available in servlet context");
        }
        if (key == null || !key.matches("e[0-9]+s[0-9]+")) {
            throw new ExternalAuthenticationException("Error retrieving flow conversation",
                    new IllegalArgumentException("Badly formatted flow execution key '" + key + "'"));
        }
        final Conversation c = conversation(request.getSession(false), key);
        if (c == null) {
            throw new ExternalAuthenticationException("Error retrieving flow conversation",
                    new IllegalStateException("No conversation state found in session"));
        }
        return c.prc;
    }
}
