package fidobridge.idp;

/**
 * Why a login through the bridge did not produce a user, and the {@code authnError} text the
 * shim hands to the IdP for it.
 *
 * <p>The IdP turns an {@code authnError} into a webflow event with
 * {@code shibboleth.authn.External.ClassifiedMessageMap} (conf/authn/external-authn-config.xml),
 * matching message <em>substrings</em>. The texts below are therefore distinct words, none a
 * substring of another; a test checks every one against that file.</p>
 */
public enum HandoffError {

    // The bridge's codes (docs/handoff-protocol.md, section 2), passed through unchanged.

    /** Passive request: WebAuthn needs the user. IdP event NoPassive. */
    NO_PASSIVE("NoPassive", true),
    /** No passkey, or the user chose "use another way". IdP event ReselectFlow. */
    NO_CREDENTIALS("NoCredentials", true),
    /** The directory marks the account disabled. IdP event AccountLocked. */
    ACCOUNT_DISABLED("AccountDisabled", true),
    /** The ceremony failed. IdP event AuthenticationException. */
    AUTHN_FAILED("AuthnFailed", true),
    /** The bridge's login flow (or the shim's state) timed out. IdP event AuthenticationException. */
    EXPIRED("Expired", true),
    /**
     * The start named the account (an earlier login step's user) and the passkey was another
     * account's; the bridge reports it, and the shim checks the record itself. IdP event
     * AuthenticationException: a second factor of someone else never falls back to anything.
     */
    ACCOUNT_MISMATCH("AccountMismatch", true),

    // The shim's own verdicts: IdP event AuthenticationException unless said otherwise.

    /** No ticket record under the key: expired, never written, or already taken by someone else. */
    TICKET_MISSING("TicketMissing", false),
    /** A ticket or record that is not well-formed, has a bad MAC, or a bad version or time. */
    TICKET_INVALID("TicketInvalid", false),
    /** conversation/state do not match what this browser's IdP session started. */
    STATE_MISMATCH("StateMismatch", false),
    /** A return request that breaks the protocol: parameters missing, repeated, or unknown. */
    BAD_REQUEST("BadRequest", false),
    /** memcached could not be reached. */
    STORE_UNAVAILABLE("StoreUnavailable", false),
    /** The shim's configuration (properties, secret files) is missing or invalid. */
    CONFIG_ERROR("ConfigError", false),
    /** Anything unexpected (a bug). */
    INTERNAL_ERROR("InternalError", false),
    /**
     * The SP asked only for authentication contexts a passkey cannot give (e.g. Password):
     * answered at once so that the MFA flow runs the password flow instead. IdP event
     * ReselectFlow.
     */
    UNSUPPORTED_CONTEXT("UnsupportedContext", false);

    private final String authnError;
    private final boolean fromBridge;

    HandoffError(final String authnError, final boolean fromBridge) {
        this.authnError = authnError;
        this.fromBridge = fromBridge;
    }

    /** The text set as the IdP's {@code authnError} request attribute. */
    public String authnError() {
        return authnError;
    }

    /** Whether the bridge sends this code in {@code error=}. */
    public boolean isBridgeCode() {
        return fromBridge;
    }

    /** The error for a bridge's {@code error=} value, or null for an unknown value. */
    public static HandoffError fromBridgeCode(final String code) {
        for (final HandoffError e : values()) {
            if (e.fromBridge && e.authnError.equals(code)) {
                return e;
            }
        }
        return null;
    }
}
