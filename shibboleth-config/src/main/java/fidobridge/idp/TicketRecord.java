package fidobridge.idp;

import java.util.List;
import java.util.Map;

/**
 * The ticket record the bridge leaves in memcached (docs/handoff-protocol.md, section 3, v2),
 * read strictly: every field the MAC covers must be there with its type. Holds values only;
 * {@link BridgeHandoff} decides whether to believe them.
 */
public final class TicketRecord {

    /** The record version this shim reads ({@code "v"}). */
    public static final int VERSION = 2;

    /** Longest principal accepted (characters). */
    public static final int MAX_PRINCIPAL = 256;

    /** {@code principal}: the username. */
    public final String principal;
    /** {@code conversation}: the IdP's conversation key the ticket was made for. */
    public final String conversation;
    /** {@code state}: the shim's random state the ticket was made for. */
    public final String state;
    /** {@code entity}: the SP entityID of the start; may be empty. */
    public final String entity;
    /** {@code auth_instant} as unix seconds. */
    public final long authInstant;
    /** {@code expires}: unix seconds after which the record is refused. */
    public final long expires;
    /** {@code uv}: the authenticator verified the user. */
    public final boolean uv;
    /** {@code be}: the credential is backup eligible (synced). */
    public final boolean be;
    /** {@code bs}: the credential is backed up. */
    public final boolean bs;
    /** {@code mfa}: the bridge's multi-factor verdict. */
    public final boolean mfa;
    /** {@code credential_id}: base64url. */
    public final String credentialId;
    /** {@code aaguid}: the authenticator model, uuid text, may be empty. */
    public final String aaguid;
    /** {@code mac}: base64url HMAC-SHA256, 43 characters. */
    public final String mac;

    private TicketRecord(final Map<String, Object> m, final long authInstant, final long expires) {
        this.principal = (String) m.get("principal");
        this.conversation = (String) m.get("conversation");
        this.state = (String) m.get("state");
        this.entity = (String) m.get("entity");
        this.authInstant = authInstant;
        this.expires = expires;
        this.uv = (Boolean) m.get("uv");
        this.be = (Boolean) m.get("be");
        this.bs = (Boolean) m.get("bs");
        this.mfa = (Boolean) m.get("mfa");
        this.credentialId = (String) m.get("credential_id");
        this.aaguid = (String) m.get("aaguid");
        this.mac = (String) m.get("mac");
    }

    /**
     * Reads a record.
     *
     * @param json the value from memcached
     * @return the record
     * @throws HandoffException ({@link HandoffError#TICKET_INVALID}) when it is not a v2 record
     */
    public static TicketRecord parse(final byte[] json) throws HandoffException {
        final Object top;
        try {
            top = MiniJson.parse(json);
        } catch (final MiniJson.JsonException e) {
            throw invalid("record is not JSON (" + e.getMessage() + ")");
        }
        if (!(top instanceof Map)) {
            throw invalid("record is not a JSON object");
        }
        @SuppressWarnings("unchecked")
        final Map<String, Object> m = (Map<String, Object>) top;

        final Object v = m.get("v");
        if (!(v instanceof MiniJson.Num) || !String.valueOf(VERSION).equals(((MiniJson.Num) v).raw)) {
            throw invalid("record version is not " + VERSION);
        }
        // every MAC'd string: present, a string, no newline (the MAC's lines could shift otherwise)
        for (final String name : new String[] {"principal", "conversation", "state", "entity", "credential_id",
                "aaguid", "mac"}) {
            final Object o = m.get(name);
            if (!(o instanceof String)) {
                throw invalid(name + " is missing or not a string");
            }
            if (((String) o).indexOf('\n') >= 0) {
                throw invalid(name + " holds a newline");
            }
        }
        final String principal = (String) m.get("principal");
        if (principal.isEmpty() || principal.length() > MAX_PRINCIPAL || hasControl(principal)) {
            throw invalid("principal is empty, too long or has control characters");
        }
        final long authInstant = seconds(m, "auth_instant");
        final long expires = seconds(m, "expires");
        for (final String flag : new String[] {"uv", "be", "bs", "mfa"}) {
            if (!(m.get(flag) instanceof Boolean)) {
                throw invalid(flag + " is missing or not a boolean");
            }
        }
        final Object attrs = m.get("attributes");
        if (attrs != null && !isAttributeMap(attrs)) {
            throw invalid("attributes is not an object of string arrays");
        }
        if (!BridgeHandoff.isBase64Url((String) m.get("mac"), 43, 43)) {
            throw invalid("mac is not 43 base64url characters");
        }
        return new TicketRecord(m, authInstant, expires);
    }

    /**
     * A time field: a JSON integer written as the MAC has it, plain decimal digits without
     * sign or leading zero (so the number and the signed text cannot differ).
     */
    private static long seconds(final Map<String, Object> m, final String name) throws HandoffException {
        final Object o = m.get(name);
        if (!(o instanceof MiniJson.Num)) {
            throw invalid(name + " is missing or not a number");
        }
        final String t = ((MiniJson.Num) o).raw;
        if (t.isEmpty() || t.length() > 18 || (t.length() > 1 && t.charAt(0) == '0')) {
            throw invalid(name + " is not a plain non-negative integer");
        }
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) < '0' || t.charAt(i) > '9') {
                throw invalid(name + " is not a plain non-negative integer");
            }
        }
        return Long.parseLong(t);
    }

    private static boolean isAttributeMap(final Object o) {
        if (!(o instanceof Map)) {
            return false;
        }
        for (final Object vals : ((Map<?, ?>) o).values()) {
            if (!(vals instanceof List)) {
                return false;
            }
            for (final Object s : (List<?>) vals) {
                if (!(s instanceof String)) {
                    return false;
                }
            }
        }
        return true;
    }

    static boolean hasControl(final String s) {
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                return true;
            }
        }
        return false;
    }

    private static HandoffException invalid(final String why) {
        return new HandoffException(HandoffError.TICKET_INVALID, why);
    }
}
