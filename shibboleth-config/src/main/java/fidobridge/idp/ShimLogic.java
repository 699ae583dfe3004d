package fidobridge.idp;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.security.auth.Subject;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import net.shibboleth.idp.authn.ExternalAuthenticationException;
import net.shibboleth.idp.authn.principal.UsernamePrincipal;
import net.shibboleth.idp.saml.authn.principal.AuthnContextClassRefPrincipal;

/**
 * What the shim does on {@code /Authn/fido/start} and {@code /Authn/fido/finish}, written
 * against two small interfaces instead of the servlet API, so the same code serves IdP v5
 * ({@code jakarta.servlet}) and v4 ({@code javax.servlet}) and is tested without a container.
 *
 * <p><b>Every path ends the login.</b> Once the IdP's {@code startExternalAuthentication} has
 * given a conversation key, each request either redirects to the bridge (start, on success)
 * or calls {@code finishExternalAuthentication} exactly once: with a {@code Subject}, or with
 * an {@code authnError}, also after exceptions. Only a request the IdP itself cannot place
 * (no or unknown conversation) ends with an {@link ExternalAuthenticationException}, which the
 * servlet hands to the container: the IdP's web.xml sends it to its error view
 * ({@code /profile/RaiseError}), because there is no login to return to.</p>
 *
 * <p>Logging goes through SLF4J (logger {@code fidobridge.idp.shim}), so the lines land in the
 * IdP's own log ({@code idp-process.log}); never the ticket, the state or a secret.</p>
 */
public final class ShimLogic {

    // Request attribute names of the IdP's ExternalAuthentication API (same values in v4 and v5).
    /** {@code ExternalAuthentication.SUBJECT_KEY}. */
    public static final String ATTR_SUBJECT = "subject";
    /** {@code ExternalAuthentication.AUTHENTICATION_INSTANT_KEY}. */
    public static final String ATTR_AUTHN_INSTANT = "authnInstant";
    /** {@code ExternalAuthentication.AUTHENTICATION_ERROR_KEY}. */
    public static final String ATTR_AUTHN_ERROR = "authnError";
    /** {@code ExternalAuthentication.FORCE_AUTHN_PARAM}. */
    public static final String ATTR_FORCE = "forceAuthn";
    /** {@code ExternalAuthentication.PASSIVE_AUTHN_PARAM}. */
    public static final String ATTR_PASSIVE = "isPassive";
    /** {@code ExternalAuthentication.RELYING_PARTY_PARAM}. */
    public static final String ATTR_RELYING_PARTY = "relyingParty";

    /** HTTP session attribute prefix for started logins: name + conversation key. */
    public static final String SESSION_PREFIX = "fidobridge.pending.";

    /** Most started logins kept per HTTP session (the IdP itself keeps 5 conversations). */
    public static final int MAX_PENDING = 8;

    /** The exception message when there is no login to return to. Never echoes input. */
    public static final String MSG_NO_LOGIN =
            "This sign-in cannot be continued (it may have expired). Go back to the service and sign in again.";

    private static final Logger LOG = LoggerFactory.getLogger("fidobridge.idp.shim");

    /** One HTTP request/response, as the shim needs it. */
    public interface Exchange {
        /** All values of a query parameter, in order; empty when absent. */
        List<String> parameter(String name);

        /** A request attribute. */
        Object attribute(String name);

        /** Sets a request attribute. */
        void setAttribute(String name, Object value);

        /** A session attribute; null when absent or without a session. */
        Object sessionAttribute(String name);

        /** Sets a session attribute (creating the session if needed). */
        void setSessionAttribute(String name, Object value);

        /** Removes a session attribute (no-op without a session). */
        void removeSessionAttribute(String name);

        /** The session's attribute names; empty without a session. */
        List<String> sessionAttributeNames();

        /** The session's timeout in seconds ({@code getMaxInactiveInterval}); 0 or less: none or unknown. */
        int sessionTimeoutSeconds();

        /** Sends a 302 to url (with no-store caching headers). */
        void redirect(String url) throws IOException;
    }

    /** The IdP's ExternalAuthentication API. */
    public interface Idp {
        /** {@code startExternalAuthentication}: the conversation key; sets the input attributes. */
        String start(Exchange ex) throws ExternalAuthenticationException;

        /** What the IdP's contexts say about the login of key ({@code getProfileRequestContext}). */
        LoginContext context(String key, Exchange ex) throws ExternalAuthenticationException;

        /** {@code finishExternalAuthentication}: hands the result attributes to the IdP. */
        void finish(String key, Exchange ex) throws ExternalAuthenticationException, IOException;
    }

    /** Supplies the configuration in force. */
    public interface ConfigSupplier {
        /** @return the configuration @throws HandoffException when there is none usable */
        ShimConfig get() throws HandoffException;
    }

    /** Opens the ticket store of a configuration. */
    public interface StoreFactory {
        /** @param c the configuration @return its store */
        TicketStore open(ShimConfig c);
    }

    /** The production store: memcached with the configured servers and timeout. */
    public static final StoreFactory MEMCACHED = c -> new MemcachedTicketStore(c.servers, c.timeoutMs);

    private final ConfigSupplier config;
    private final StoreFactory stores;
    private final Clock clock;
    private final SecureRandom random;
    private final AtomicBoolean warnedLifetime = new AtomicBoolean();

    /**
     * @param config the configuration
     * @param stores the ticket store
     * @param clock the clock
     * @param random the random source for {@code state}
     */
    public ShimLogic(final ConfigSupplier config, final StoreFactory stores, final Clock clock,
            final SecureRandom random) {
        this.config = config;
        this.stores = stores;
        this.clock = clock;
        this.random = random;
    }

    // ------------------------------------------------------------------ start

    /**
     * {@code GET /Authn/fido/start?conversation=...}: the IdP hands the browser over.
     *
     * @param ex the request
     * @param idp the IdP API
     * @throws IOException when the response cannot be written
     * @throws ExternalAuthenticationException when the IdP has no login for this request (no
     *     or unknown conversation, another browser session): nothing to return to
     */
    public void start(final Exchange ex, final Idp idp) throws IOException, ExternalAuthenticationException {
        final String key;
        try {
            key = idp.start(ex);
        } catch (final ExternalAuthenticationException e) {
            LOG.warn("fido-bridge shim: start without a usable IdP conversation: {}", e.toString());
            throw e;
        }
        HandoffError error;
        String detail;
        try {
            final ShimConfig c = config.get();
            final boolean passive = Boolean.TRUE.equals(ex.attribute(ATTR_PASSIVE));
            final boolean force = Boolean.TRUE.equals(ex.attribute(ATTR_FORCE));
            final Object rpAttr = ex.attribute(ATTR_RELYING_PARTY);
            final String rp = rpAttr instanceof String ? (String) rpAttr : "";
            if (passive) {
                // WebAuthn always needs the user: answer at once instead of a round trip to
                // the bridge, which would only say NoPassive too.
                throw new HandoffException(HandoffError.NO_PASSIVE, "passive request");
            }
            final LoginContext lc = idp.context(key, ex);
            // The IdP merges every active result of this login into one Subject, and refuses
            // a Subject with two usernames: the passkey must be the same user's.
            final Set<String> earlier = new LinkedHashSet<>();
            boolean secondFactor = false;
            for (final Map.Entry<String, Set<String>> r : lc.priorResults.entrySet()) {
                earlier.addAll(r.getValue());
                secondFactor |= !r.getValue().isEmpty() && c.secondFactorAfter.contains(r.getKey());
            }
            if (earlier.size() > 1) {
                throw new HandoffException(HandoffError.ACCOUNT_MISMATCH,
                        "earlier login steps name different users " + earlier);
            }
            final String principal = earlier.isEmpty() ? null : earlier.iterator().next();
            if (principal == null && lc.accepts != null && !lc.accepts.test(deliverable(c))) {
                // e.g. an SP asking for Password only: let the MFA flow run the password flow
                throw new HandoffException(HandoffError.UNSUPPORTED_CONTEXT,
                        "the SP requested no authentication context a passkey can give");
            }
            final String spName = c.sendServiceName ? displayName(lc.serviceName, rp) : null;
            final String state = newState();
            final long now = clock.instant().getEpochSecond();
            final String url = c.handoff.startUrl(c.startEndpoint,
                    new BridgeHandoff.Start(key, state, c.returnUrl, rp, force, false, now, principal, spName));
            savePending(ex, key, new Pending(state, now, force, secondFactor, principal), c.stateLifetime);
            checkLifetime(ex, c);
            if (principal != null) {
                LOG.info("fido-bridge shim: conversation {}: to the bridge (rp {}, force {}, account {}, second factor {})",
                        key, rp, force, principal, secondFactor);
            } else {
                LOG.info("fido-bridge shim: conversation {}: to the bridge (rp {}, force {})", key, rp, force);
            }
            ex.redirect(url);
            return;
        } catch (final HandoffException e) {
            error = e.error();
            detail = e.getMessage();
        } catch (final IOException e) {
            error = HandoffError.INTERNAL_ERROR;
            detail = "redirect failed: " + e;
        } catch (final ExternalAuthenticationException e) {
            error = HandoffError.INTERNAL_ERROR;
            detail = "the IdP's login context cannot be read: " + e;
        } catch (final RuntimeException e) {
            error = HandoffError.INTERNAL_ERROR;
            detail = e.toString();
        }
        if (error == HandoffError.NO_PASSIVE || error == HandoffError.UNSUPPORTED_CONTEXT) {
            LOG.info("fido-bridge shim: conversation {}: {}", key, detail);
        } else {
            LOG.warn("fido-bridge shim: conversation {}: {}", key, detail);
        }
        ex.setAttribute(ATTR_AUTHN_ERROR, error.authnError());
        callFinish(ex, idp, key);
    }

    /** The AuthnContextClassRefs a passkey sign-in can carry. */
    private static List<String> deliverable(final ShimConfig c) {
        final List<String> l = new ArrayList<>();
        if (!c.baseContextClass.isEmpty()) {
            l.add(c.baseContextClass);
        }
        l.add(c.mfaContextClass);
        return l;
    }

    /**
     * The SP's display name to send, or null: the IdP falls back to the entityID's host (or the
     * entityID) when the metadata has no display name, and the bridge shows the entityID then
     * anyway; a name the protocol cannot carry is left out rather than failing the login.
     */
    static String displayName(final String serviceName, final String entity) {
        if (serviceName == null) {
            return null;
        }
        final String n = serviceName.trim();
        if (n.isEmpty() || n.equals(entity) || n.equals(hostOf(entity))) {
            return null;
        }
        return BridgeHandoff.isServiceName(n) ? n : null;
    }

    private static String hostOf(final String entity) {
        try {
            return new URI(entity).getHost();
        } catch (final URISyntaxException e) {
            return null;
        }
    }

    /** Once: a state lifetime longer than the container session cannot be used. */
    private void checkLifetime(final Exchange ex, final ShimConfig c) {
        final int t = ex.sessionTimeoutSeconds();
        if (t > 0 && c.stateLifetime.getSeconds() > t && warnedLifetime.compareAndSet(false, true)) {
            LOG.warn("fido-bridge shim: fido.bridge.stateLifetime {} is longer than the IdP container's session "
                    + "timeout ({} s): a login that takes longer ends with StateMismatch; align them "
                    + "(and the bridge's flow_ttl)", c.stateLifetime, t);
        }
    }

    // ------------------------------------------------------------------ finish

    /**
     * {@code GET /Authn/fido/finish?conversation=...&state=...&(ticket|error)=...}: the bridge
     * hands the browser back.
     *
     * @param ex the request
     * @param idp the IdP API
     * @throws IOException when the response cannot be written
     * @throws ExternalAuthenticationException when there is no login to return to (no or a
     *     malformed conversation, or one the IdP does not have in this browser session)
     */
    public void finish(final Exchange ex, final Idp idp) throws IOException, ExternalAuthenticationException {
        final List<String> conv = ex.parameter("conversation");
        if (conv.size() != 1 || !BridgeHandoff.isConversation(conv.get(0))) {
            LOG.warn("fido-bridge shim: return without a single valid conversation parameter");
            throw new ExternalAuthenticationException(MSG_NO_LOGIN);
        }
        final String key = conv.get(0);
        try {
            final Result r = check(ex, key);
            ex.setAttribute(ATTR_SUBJECT, r.subject);
            ex.setAttribute(ATTR_AUTHN_INSTANT, r.instant);
            LOG.info("fido-bridge shim: conversation {}: signed in {} (mfa {})", key, r.principal, r.mfa);
        } catch (final HandoffException e) {
            if (e.error().isBridgeCode()) {
                LOG.info("fido-bridge shim: conversation {}: {}", key, e.getMessage());
            } else {
                LOG.warn("fido-bridge shim: conversation {}: {}", key, e.getMessage());
            }
            setError(ex, e.error());
        } catch (final RuntimeException e) {
            LOG.error("fido-bridge shim: conversation " + key + ": unexpected failure", e);
            setError(ex, HandoffError.INTERNAL_ERROR);
        } finally {
            callFinish(ex, idp, key);
        }
    }

    private static void setError(final Exchange ex, final HandoffError e) {
        // exactly one result: never a subject next to an error
        ex.setAttribute(ATTR_SUBJECT, null);
        ex.setAttribute(ATTR_AUTHN_INSTANT, null);
        ex.setAttribute(ATTR_AUTHN_ERROR, e.authnError());
    }

    private static final class Result {
        final Subject subject;
        final Instant instant;
        final String principal;
        final boolean mfa;

        Result(final Subject subject, final Instant instant, final String principal, final boolean mfa) {
            this.subject = subject;
            this.instant = instant;
            this.principal = principal;
            this.mfa = mfa;
        }
    }

    private Result check(final Exchange ex, final String key) throws HandoffException {
        final String state = single(ex, "state");
        final String ticket = single(ex, "ticket");
        final String error = single(ex, "error");
        final Pending p = takePending(ex, key);
        if (p == null) {
            throw new HandoffException(HandoffError.STATE_MISMATCH,
                    "no login was started for this conversation in this browser session");
        }
        final ShimConfig c = config.get();
        final Instant now = clock.instant();
        if (p.expired(now, c.stateLifetime)) {
            throw new HandoffException(HandoffError.EXPIRED, "the login started too long ago");
        }
        if (state == null) {
            throw new HandoffException(HandoffError.BAD_REQUEST, "no state parameter");
        }
        if (!BridgeHandoff.constantTimeEquals(state, p.state)) {
            throw new HandoffException(HandoffError.STATE_MISMATCH, "state differs from the one this session sent");
        }
        if ((ticket == null) == (error == null)) {
            throw new HandoffException(HandoffError.BAD_REQUEST, "need exactly one of ticket and error");
        }
        if (error != null) {
            final HandoffError e = HandoffError.fromBridgeCode(error);
            if (e == null) {
                throw new HandoffException(HandoffError.BAD_REQUEST, "unknown error code from the bridge");
            }
            throw new HandoffException(e, "the bridge reported " + e.authnError());
        }
        if (!BridgeHandoff.isBase64Url(ticket, 43, 43)) {
            throw new HandoffException(HandoffError.TICKET_INVALID, "ticket is not 43 base64url characters");
        }
        final byte[] value;
        try {
            value = stores.open(c).take(c.ticketKey(ticket));
        } catch (final TicketStore.StoreException e) {
            throw new HandoffException(HandoffError.STORE_UNAVAILABLE, e.getMessage(), e);
        }
        if (value == null) {
            throw new HandoffException(HandoffError.TICKET_MISSING, "no record for the ticket (expired or used)");
        }
        final TicketRecord rec = TicketRecord.parse(value);
        java.util.Arrays.fill(value, (byte) 0);
        c.handoff.verify(ticket, rec, key, p.state, now, c.maxClockSkew,
                p.force ? Instant.ofEpochSecond(p.created) : null);
        // UsernamePrincipal trims, and refuses an empty name: a name it would change is not
        // the one the bridge vouched for
        if (rec.principal.isEmpty() || !rec.principal.equals(rec.principal.trim())) {
            throw new HandoffException(HandoffError.TICKET_INVALID, "principal is empty or has surrounding blanks");
        }
        if (p.principal != null && !p.principal.equals(rec.principal)) {
            throw new HandoffException(HandoffError.ACCOUNT_MISMATCH,
                    "the passkey is " + rec.principal + "'s, the earlier step identified " + p.principal);
        }

        // a passkey after the password of the same user is two factors, whatever the device
        final boolean mfa = rec.mfa || p.secondFactor;
        final Subject s = new Subject();
        s.getPrincipals().add(new UsernamePrincipal(rec.principal));
        if (!c.baseContextClass.isEmpty()) {
            s.getPrincipals().add(new AuthnContextClassRefPrincipal(c.baseContextClass));
        }
        if (mfa) {
            s.getPrincipals().add(new AuthnContextClassRefPrincipal(c.mfaContextClass));
        }
        return new Result(s, Instant.ofEpochSecond(rec.authInstant), rec.principal, mfa);
    }

    private static String single(final Exchange ex, final String name) throws HandoffException {
        final List<String> v = ex.parameter(name);
        if (v.isEmpty()) {
            return null;
        }
        if (v.size() > 1) {
            throw new HandoffException(HandoffError.BAD_REQUEST, "parameter " + name + " given more than once");
        }
        return v.get(0);
    }

    private static void callFinish(final Exchange ex, final Idp idp, final String key)
            throws IOException, ExternalAuthenticationException {
        try {
            idp.finish(key, ex);
        } catch (final ExternalAuthenticationException e) {
            LOG.warn("fido-bridge shim: conversation {}: the IdP could not continue: {}", key, e.toString());
            throw e;
        }
    }

    // ------------------------------------------------------------------ state

    private String newState() {
        final byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * A started login, kept in the HTTP session as "state created force second principal": the
     * principal base64url-encoded (UTF-8), or "-" when no account was required.
     */
    static final class Pending {
        final String state;
        final long created;
        final boolean force;
        final boolean secondFactor;
        final String principal;

        Pending(final String state, final long created, final boolean force, final boolean secondFactor,
                final String principal) {
            this.state = state;
            this.created = created;
            this.force = force;
            this.secondFactor = secondFactor;
            this.principal = principal;
        }

        String encode() {
            return state + " " + created + " " + (force ? "1" : "0") + " " + (secondFactor ? "1" : "0") + " "
                    + (principal == null ? "-"
                            : Base64.getUrlEncoder().withoutPadding()
                                    .encodeToString(principal.getBytes(StandardCharsets.UTF_8)));
        }

        static Pending decode(final Object o) {
            if (!(o instanceof String)) {
                return null;
            }
            final String[] f = ((String) o).split(" ");
            if (f.length != 5) {
                return null;
            }
            try {
                final String principal = "-".equals(f[4]) ? null
                        : new String(Base64.getUrlDecoder().decode(f[4]), StandardCharsets.UTF_8);
                return new Pending(f[0], Long.parseLong(f[1]), "1".equals(f[2]), "1".equals(f[3]), principal);
            } catch (final IllegalArgumentException e) {
                return null;
            }
        }

        boolean expired(final Instant now, final Duration lifetime) {
            return now.getEpochSecond() - created > lifetime.getSeconds() || created > now.getEpochSecond() + 60;
        }
    }

    private Pending takePending(final Exchange ex, final String key) {
        final String name = SESSION_PREFIX + key;
        final Object o = ex.sessionAttribute(name);
        if (o == null) {
            return null;
        }
        ex.removeSessionAttribute(name);
        return Pending.decode(o);
    }

    private void savePending(final Exchange ex, final String key, final Pending p, final Duration lifetime) {
        final Instant now = clock.instant();
        final List<String> ours = new ArrayList<>();
        for (final String n : ex.sessionAttributeNames()) {
            if (n.startsWith(SESSION_PREFIX) && !n.equals(SESSION_PREFIX + key)) {
                final Pending other = Pending.decode(ex.sessionAttribute(n));
                if (other == null || other.expired(now, lifetime)) {
                    ex.removeSessionAttribute(n);
                } else {
                    ours.add(n);
                }
            }
        }
        while (ours.size() >= MAX_PENDING) {
            String oldest = null;
            long oldestAt = Long.MAX_VALUE;
            for (final String n : ours) {
                final Pending o = Pending.decode(ex.sessionAttribute(n));
                final long at = o == null ? Long.MIN_VALUE : o.created;
                if (at < oldestAt) {
                    oldestAt = at;
                    oldest = n;
                }
            }
            ex.removeSessionAttribute(oldest);
            ours.remove(oldest);
        }
        ex.setSessionAttribute(SESSION_PREFIX + key, p.encode());
    }
}
