package net.shibboleth.idp.authn;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * TEST STAND-IN for the IdP's ExternalAuthentication API (v5, jakarta.servlet; the test script
 * derives a javax.servlet copy for the v4 build check). It has the same public constants and
 * static entry points the shim calls, and instead of a webflow it keeps a table of known
 * conversations and records every call, so tests can assert that each login is finished
 * exactly once and with exactly one result.
 *
 * Never deploy it: the IdP web application has the real class.
 */
public abstract class ExternalAuthentication {

    public static final String CONVERSATION_KEY = "conversation";
    public static final String PRINCIPAL_KEY = "principal";
    public static final String PRINCIPAL_NAME_KEY = "principal_name";
    public static final String SUBJECT_KEY = "subject";
    public static final String AUTHENTICATION_INSTANT_KEY = "authnInstant";
    public static final String AUTHENTICATION_ERROR_KEY = "authnError";
    public static final String AUTHENTICATION_EXCEPTION_KEY = "authnException";
    public static final String FORCE_AUTHN_PARAM = "forceAuthn";
    public static final String PASSIVE_AUTHN_PARAM = "isPassive";
    public static final String RELYING_PARTY_PARAM = "relyingParty";
    public static final String EXTENDED_FLOW_PARAM = "extended";

    /** A login the stand-in "IdP" has in progress. */
    public static final class Conversation {
        public final boolean force;
        public final boolean passive;
        public final String relyingParty;
        public final String flowExecutionUrl;

        public Conversation(final boolean force, final boolean passive, final String relyingParty,
                final String flowExecutionUrl) {
            this.force = force;
            this.passive = passive;
            this.relyingParty = relyingParty;
            this.flowExecutionUrl = flowExecutionUrl;
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

    private static final Map<String, Conversation> CONVERSATIONS = new ConcurrentHashMap<>();
    private static final List<String> STARTS = Collections.synchronizedList(new ArrayList<>());
    private static final List<FinishCall> FINISHES = Collections.synchronizedList(new ArrayList<>());

    /** Test control: forget everything. */
    public static void reset() {
        CONVERSATIONS.clear();
        STARTS.clear();
        FINISHES.clear();
    }

    /** Test control: the IdP has this conversation in progress. */
    public static void register(final String key, final Conversation c) {
        CONVERSATIONS.put(key, c);
    }

    /** Test control: the conversation ended (like an expired webflow). */
    public static void forget(final String key) {
        CONVERSATIONS.remove(key);
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

    public static String startExternalAuthentication(final HttpServletRequest request)
            throws ExternalAuthenticationException {
        final String key = request.getParameter(CONVERSATION_KEY);
        if (key == null || key.isEmpty()) {
            throw new ExternalAuthenticationException("No conversation key found in request");
        }
        final Conversation c = CONVERSATIONS.get(key);
        if (c == null) {
            throw new ExternalAuthenticationException("Error retrieving flow conversation");
        }
        request.setAttribute(EXTENDED_FLOW_PARAM, Boolean.FALSE);
        request.setAttribute(PASSIVE_AUTHN_PARAM, c.passive);
        request.setAttribute(FORCE_AUTHN_PARAM, c.force);
        if (c.relyingParty != null) {
            request.setAttribute(RELYING_PARTY_PARAM, c.relyingParty);
        }
        STARTS.add(key);
        return key;
    }

    public static void finishExternalAuthentication(final String key, final HttpServletRequest request,
            final HttpServletResponse response) throws ExternalAuthenticationException, IOException {
        final Conversation c = key == null ? null : CONVERSATIONS.get(key);
        FINISHES.add(new FinishCall(key, c != null, request));
        if (c == null) {
            throw new ExternalAuthenticationException("Error retrieving flow conversation");
        }
        response.sendRedirect(c.flowExecutionUrl);
    }
}
