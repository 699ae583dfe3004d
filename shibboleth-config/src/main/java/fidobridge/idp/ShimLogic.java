package fidobridge.idp;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.security.auth.Subject;

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
 * (no or unknown conversation) gets an error page, because there is no login to return to.</p>
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

    /** Shown when there is no login to return to. Never echoes input. */
    public static final String MSG_NO_LOGIN =
            "This sign-in cannot be continued (it may have expired). Go back to the service and sign in again.";

    private static final System.Logger LOG = System.getLogger("fidobridge.idp.shim");

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

        /** Sends a 302 to url (with no-store caching headers). */
        void redirect(String url) throws IOException;

        /** Sends a plain error page. */
        void fail(int status, String message) throws IOException;
    }

    /** The IdP's ExternalAuthentication API. */
    public interface Idp {
        /** {@code startExternalAuthentication}: the conversation key; sets the input attributes. */
        String start(Exchange ex) throws Exception;

        /** {@code finishExternalAuthentication}: hands the result attributes to the IdP. */
        void finish(String key, Exchange ex) throws Exception;
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
     */
    public void start(final Exchange ex, final Idp idp) throws IOException {
        final String key;
        try {
            key = idp.start(ex);
        } catch (final Exception e) {
            LOG.log(Level.WARNING, "fido-bridge shim: start without a usable IdP conversation: {0}", e.toString());
            ex.fail(400, MSG_NO_LOGIN);
            return;
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
            final String state = newState();
            final long now = clock.instant().getEpochSecond();
            final String url = c.handoff.startUrl(c.startEndpoint,
                    new BridgeHandoff.Start(key, state, c.returnUrl, rp, force, false, now));
            savePending(ex, key, new Pending(state, now, force), c.stateLifetime);
            LOG.log(Level.INFO, "fido-bridge shim: conversation {0}: to the bridge (rp {1}, force {2})", key,
                    rp, force);
            ex.redirect(url);
            return;
        } catch (final HandoffException e) {
            error = e.error();
            detail = e.getMessage();
        } catch (final IOException e) {
            error = HandoffError.INTERNAL_ERROR;
            detail = "redirect failed: " + e;
        } catch (final RuntimeException e) {
            error = HandoffError.INTERNAL_ERROR;
            detail = e.toString();
        }
        LOG.log(error == HandoffError.NO_PASSIVE ? Level.INFO : Level.WARNING,
                "fido-bridge shim: conversation {0}: {1}", key, detail);
        ex.setAttribute(ATTR_AUTHN_ERROR, error.authnError());
        callFinish(ex, idp, key);
    }

    // ------------------------------------------------------------------ finish

    /**
     * {@code GET /Authn/fido/finish?conversation=...&state=...&(ticket|error)=...}: the bridge
     * hands the browser back.
     *
     * @param ex the request
     * @param idp the IdP API
     * @throws IOException when the response cannot be written
     */
    public void finish(final Exchange ex, final Idp idp) throws IOException {
        final List<String> conv = ex.parameter("conversation");
        if (conv.size() != 1 || !BridgeHandoff.isConversation(conv.get(0))) {
            LOG.log(Level.WARNING, "fido-bridge shim: return without a single valid conversation parameter");
            ex.fail(400, MSG_NO_LOGIN);
            return;
        }
        final String key = conv.get(0);
        try {
            final Result r = check(ex, key);
            ex.setAttribute(ATTR_SUBJECT, r.subject);
            ex.setAttribute(ATTR_AUTHN_INSTANT, r.instant);
            LOG.log(Level.INFO, "fido-bridge shim: conversation {0}: signed in {1} (mfa {2})", key, r.principal,
                    r.mfa);
        } catch (final HandoffException e) {
            LOG.log(e.error().isBridgeCode() ? Level.INFO : Level.WARNING, "fido-bridge shim: conversation {0}: {1}",
                    key, e.getMessage());
            setError(ex, e.error());
        } catch (final RuntimeException e) {
            LOG.log(Level.ERROR, "fido-bridge shim: conversation " + key + ": unexpected failure", e);
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

        final Subject s = new Subject();
        s.getPrincipals().add(new UsernamePrincipal(rec.principal));
        if (!c.baseContextClass.isEmpty()) {
            s.getPrincipals().add(new AuthnContextClassRefPrincipal(c.baseContextClass));
        }
        if (rec.mfa) {
            s.getPrincipals().add(new AuthnContextClassRefPrincipal(c.mfaContextClass));
        }
        return new Result(s, Instant.ofEpochSecond(rec.authInstant), rec.principal, rec.mfa);
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

    private static void callFinish(final Exchange ex, final Idp idp, final String key) throws IOException {
        try {
            idp.finish(key, ex);
        } catch (final Exception e) {
            LOG.log(Level.WARNING, "fido-bridge shim: conversation {0}: the IdP could not continue: {1}", key,
                    e.toString());
            ex.fail(400, MSG_NO_LOGIN);
        }
    }

    // ------------------------------------------------------------------ state

    private String newState() {
        final byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** A started login, kept in the HTTP session as "state created force". */
    static final class Pending {
        final String state;
        final long created;
        final boolean force;

        Pending(final String state, final long created, final boolean force) {
            this.state = state;
            this.created = created;
            this.force = force;
        }

        String encode() {
            return state + " " + created + " " + (force ? "1" : "0");
        }

        static Pending decode(final Object o) {
            if (!(o instanceof String)) {
                return null;
            }
            final String[] f = ((String) o).split(" ");
            if (f.length != 3) {
                return null;
            }
            try {
                return new Pending(f[0], Long.parseLong(f[1]), "1".equals(f[2]));
            } catch (final NumberFormatException e) {
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
