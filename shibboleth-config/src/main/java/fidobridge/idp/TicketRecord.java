package fidobridge.idp;

import java.util.List;
import java.util.Map;

/**
 * The ticket record the bridge leaves in memcached (docs/handoff-protocol.md, section 3),
 * read strictly. Holds values only; {@link BridgeHandoff} decides whether to believe them.
 */
public final class TicketRecord {

    /** Longest principal accepted (characters). */
    public static final int MAX_PRINCIPAL = 256;

    /** {@code principal}: the username. */
    public final String principal;
    /** {@code conversation}: the IdP's conversation key the ticket was made for. */
    public final String conversation;
    /** {@code state}: the shim's random state the ticket was made for. */
    public final String state;
    /** {@code entity}: the SP entityID (informational, not covered by the MAC); may be empty. */
    public final String entity;
    /** {@code auth_instant} exactly as written in the JSON (the MAC covers this text). */
    public final String authInstantText;
    /** {@code auth_instant} as unix seconds. */
    public final long authInstant;
    /** {@code mfa}: the bridge's multi-factor verdict. */
    public final boolean mfa;
    /** {@code mac}: base64url HMAC-SHA256, 43 characters. */
    public final String mac;

    private TicketRecord(final String principal, final String conversation, final String state,
            final String entity, final String authInstantText, final long authInstant, final boolean mfa,
            final String mac) {
        this.principal = principal;
        this.conversation = conversation;
        this.state = state;
        this.entity = entity;
        this.authInstantText = authInstantText;
        this.authInstant = authInstant;
        this.mfa = mfa;
        this.mac = mac;
    }

    /**
     * Reads a record.
     *
     * @param json the value from memcached
     * @return the record
     * @throws HandoffException ({@link HandoffError#TICKET_INVALID}) when it is not a v1 record
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
        if (!(v instanceof MiniJson.Num) || !"1".equals(((MiniJson.Num) v).raw)) {
            throw invalid("record version is not 1");
        }
        final String principal = requireString(m, "principal");
        if (principal.isEmpty() || principal.length() > MAX_PRINCIPAL || hasControl(principal)) {
            throw invalid("principal is empty, too long or has control characters");
        }
        final String conversation = requireString(m, "conversation");
        final String state = requireString(m, "state");
        final Object e = m.get("entity");
        final String entity;
        if (e == null || e == MiniJson.NULL) {
            entity = "";
        } else if (e instanceof String) {
            entity = (String) e;
        } else {
            throw invalid("entity is not a string");
        }

        final Object ai = m.get("auth_instant");
        if (!(ai instanceof MiniJson.Num) || !((MiniJson.Num) ai).isInteger()) {
            throw invalid("auth_instant is not an integer");
        }
        final String aiText = ((MiniJson.Num) ai).raw;
        if (aiText.startsWith("-") || aiText.length() > 18) {
            throw invalid("auth_instant out of range");
        }
        final long authInstant = Long.parseLong(aiText);

        final Object mfa = m.get("mfa");
        if (!(mfa instanceof Boolean)) {
            throw invalid("mfa is not a boolean");
        }
        for (final String flag : new String[] {"uv", "be", "bs"}) {
            final Object f = m.get(flag);
            if (f != null && !(f instanceof Boolean)) {
                throw invalid(flag + " is not a boolean");
            }
        }
        for (final String opt : new String[] {"credential_id", "aaguid"}) {
            final Object o = m.get(opt);
            if (o != null && !(o instanceof String)) {
                throw invalid(opt + " is not a string");
            }
        }
        final Object attrs = m.get("attributes");
        if (attrs != null && !isAttributeMap(attrs)) {
            throw invalid("attributes is not an object of string arrays");
        }

        final String mac = requireString(m, "mac");
        if (!BridgeHandoff.isBase64Url(mac, 43, 43)) {
            throw invalid("mac is not 43 base64url characters");
        }
        return new TicketRecord(principal, conversation, state, entity, aiText, authInstant,
                (Boolean) mfa, mac);
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

    private static String requireString(final Map<String, Object> m, final String name) throws HandoffException {
        final Object o = m.get(name);
        if (!(o instanceof String)) {
            throw invalid(name + " is missing or not a string");
        }
        return (String) o;
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
