package fidobridge.idp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The IdP side of the handoff protocol v2 (docs/handoff-protocol.md): signs the
 * {@code /authn/start} request and verifies ticket records. No servlet, network or IdP
 * dependency.
 *
 * <p>The HMAC key is the secret file's first line, as bytes, exactly as the bridge reads its
 * {@code [idp] secret_file}. Records are accepted under the current or the previous secret;
 * requests are signed with the current one only.</p>
 */
public final class BridgeHandoff {

    /** First line of the signed start message (protocol section 1). */
    public static final String START_LABEL = "fido-bridge start v2";

    /**
     * First line of the message a ticket record's MAC covers (section 3): not the start's,
     * so a start signature is never a ticket MAC, nor a ticket MAC a start signature.
     */
    public static final String TICKET_LABEL = "fido-bridge ticket v2";

    /** Shortest secret accepted, in bytes. */
    public static final int MIN_SECRET_BYTES = 32;

    /** Longest {@code return} accepted by the bridge, in bytes. */
    public static final int MAX_RETURN_BYTES = 2048;

    /** Longest {@code entity} accepted by the bridge, in bytes. */
    public static final int MAX_ENTITY_BYTES = 1024;

    /** Longest optional {@code principal} accepted by the bridge, in bytes. */
    public static final int MAX_PRINCIPAL_BYTES = 256;

    /** Longest optional {@code sp_name} accepted by the bridge, in bytes. */
    public static final int MAX_SP_NAME_BYTES = 512;

    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    private final byte[] current;
    private final byte[] previous;

    /**
     * @param current the secret requests are signed with, and records checked with first
     * @param previous the secret before the last rotation, or null
     */
    public BridgeHandoff(final byte[] current, final byte[] previous) {
        if (current == null || current.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the secret must have at least " + MIN_SECRET_BYTES + " bytes");
        }
        if (previous != null && previous.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the previous secret must have at least " + MIN_SECRET_BYTES + " bytes");
        }
        this.current = current.clone();
        this.previous = previous == null ? null : previous.clone();
    }

    // ------------------------------------------------------------------ start

    /** What the shim sends to {@code /authn/start}, before signing. */
    public static final class Start {
        final String conversation;
        final String state;
        final String returnUrl;
        final String entity;
        final boolean force;
        final boolean passive;
        final long ts;
        final String principal;
        final String spName;

        /**
         * @param conversation the IdP's conversation key
         * @param state the shim's random state (base64url)
         * @param returnUrl the shim's absolute finish URL
         * @param entity the requesting SP's entityID, or "" (null is taken as "")
         * @param force ForceAuthn
         * @param passive IsPassive
         * @param ts unix seconds now
         */
        public Start(final String conversation, final String state, final String returnUrl, final String entity,
                final boolean force, final boolean passive, final long ts) {
            this(conversation, state, returnUrl, entity, force, passive, ts, null, null);
        }

        /**
         * With the optional signed parameters (protocol section 1.1).
         *
         * @param conversation the IdP's conversation key
         * @param state the shim's random state (base64url)
         * @param returnUrl the shim's absolute finish URL
         * @param entity the requesting SP's entityID, or "" (null is taken as "")
         * @param force ForceAuthn
         * @param passive IsPassive
         * @param ts unix seconds now
         * @param principal the account the sign-in must be, or null
         * @param spName the SP's display name, or null
         */
        public Start(final String conversation, final String state, final String returnUrl, final String entity,
                final boolean force, final boolean passive, final long ts, final String principal,
                final String spName) {
            this.conversation = conversation;
            this.state = state;
            this.returnUrl = returnUrl;
            this.entity = entity == null ? "" : entity;
            this.force = force;
            this.passive = passive;
            this.ts = ts;
            this.principal = principal;
            this.spName = spName;
        }
    }

    /**
     * The message M signed for {@code /authn/start}, after checking every value against the
     * bridge's rules (so the bridge never has to refuse what the shim sends).
     *
     * @param s the request
     * @return M
     * @throws HandoffException ({@link HandoffError#BAD_REQUEST}) when a value breaks a rule
     */
    public static String startMessage(final Start s) throws HandoffException {
        if (!isConversation(s.conversation)) {
            throw new HandoffException(HandoffError.BAD_REQUEST, "conversation key breaks the protocol's rules");
        }
        if (!isBase64Url(s.state, 22, 128)) {
            throw new HandoffException(HandoffError.BAD_REQUEST, "state is not 22-128 base64url characters");
        }
        if (s.returnUrl == null || !(s.returnUrl.startsWith("https://") || s.returnUrl.startsWith("http://"))
                || utf8Length(s.returnUrl) > MAX_RETURN_BYTES || hasNewline(s.returnUrl)) {
            throw new HandoffException(HandoffError.CONFIG_ERROR, "return URL is not an absolute URL of at most 2048 bytes");
        }
        if (utf8Length(s.entity) > MAX_ENTITY_BYTES || hasNewline(s.entity)) {
            throw new HandoffException(HandoffError.BAD_REQUEST, "entityID longer than 1024 bytes or with a newline");
        }
        if (s.ts < 0) {
            throw new HandoffException(HandoffError.INTERNAL_ERROR, "negative time");
        }
        if (s.principal != null && !isPrincipal(s.principal)) {
            throw new HandoffException(HandoffError.BAD_REQUEST,
                    "the earlier step's username breaks the protocol's rules for principal");
        }
        if (s.spName != null && !isServiceName(s.spName)) {
            throw new HandoffException(HandoffError.INTERNAL_ERROR, "sp_name breaks the protocol's rules");
        }
        // the optional values are extra lines after ts, named, in this order (section 1.1)
        return START_LABEL + "\n" + s.conversation + "\n" + s.state + "\n" + s.returnUrl + "\n" + s.entity + "\n"
                + (s.force ? "1" : "0") + "\n" + (s.passive ? "1" : "0") + "\n" + s.ts
                + (s.principal != null ? "\nprincipal=" + s.principal : "")
                + (s.spName != null ? "\nsp_name=" + s.spName : "");
    }

    /**
     * The bridge's rule for {@code principal}: 1-256 bytes of UTF-8 without control characters,
     * not starting or ending with a space (the IdP trims usernames, so such a name would not
     * survive the round trip unchanged).
     */
    public static boolean isPrincipal(final String s) {
        return s != null && !s.isEmpty() && s.charAt(0) != ' ' && s.charAt(s.length() - 1) != ' '
                && isCleanText(s, MAX_PRINCIPAL_BYTES);
    }

    /** The bridge's rule for {@code sp_name}: 1-512 bytes of UTF-8 without control characters. */
    public static boolean isServiceName(final String s) {
        return s != null && !s.isEmpty() && isCleanText(s, MAX_SP_NAME_BYTES);
    }

    /** Well-formed UTF-16 (so it has a UTF-8 form), no C0, DEL or C1, at most max UTF-8 bytes. */
    private static boolean isCleanText(final String s, final int max) {
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f && c <= 0x9f) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return utf8Length(s) <= max;
    }

    /** base64url(HMAC-SHA256(current secret, message)), 43 characters. */
    public String sign(final String message) {
        return B64URL.encodeToString(hmac(current, message));
    }

    /**
     * The signed {@code /authn/start} URL.
     *
     * @param startEndpoint the bridge's {@code https://.../authn/start}
     * @param s the request
     * @return the URL to redirect the browser to
     * @throws HandoffException when a value breaks a rule
     */
    public String startUrl(final String startEndpoint, final Start s) throws HandoffException {
        final String sig = sign(startMessage(s));
        final StringBuilder u = new StringBuilder(startEndpoint);
        u.append(startEndpoint.indexOf('?') < 0 ? '?' : '&');
        u.append("conversation=").append(encode(s.conversation));
        u.append("&state=").append(encode(s.state));
        u.append("&return=").append(encode(s.returnUrl));
        u.append("&entity=").append(encode(s.entity));
        u.append("&force=").append(s.force ? '1' : '0');
        u.append("&passive=").append(s.passive ? '1' : '0');
        u.append("&ts=").append(s.ts);
        u.append("&sig=").append(sig);
        if (s.principal != null) {
            u.append("&principal=").append(encode(s.principal));
        }
        if (s.spName != null) {
            u.append("&sp_name=").append(encode(s.spName));
        }
        return u.toString();
    }

    // ------------------------------------------------------------------ record

    /**
     * The message the record's {@code mac} covers (section 3): the label, then one
     * {@code name=value} line per field in this order, joined by "\n". No value holds a
     * newline ({@link TicketRecord#parse} refuses one), so the lines cannot shift.
     */
    public static String recordMessage(final String ticket, final TicketRecord r) {
        return TICKET_LABEL
                + "\nticket=" + ticket
                + "\nprincipal=" + r.principal
                + "\nconversation=" + r.conversation
                + "\nstate=" + r.state
                + "\nentity=" + r.entity
                + "\nauth_instant=" + r.authInstant
                + "\nexpires=" + r.expires
                + "\nuv=" + bit(r.uv)
                + "\nbe=" + bit(r.be)
                + "\nbs=" + bit(r.bs)
                + "\nmfa=" + bit(r.mfa)
                + "\ncredential_id=" + r.credentialId
                + "\naaguid=" + r.aaguid;
    }

    private static String bit(final boolean b) {
        return b ? "1" : "0";
    }

    /**
     * Whether the record's MAC is right for this ticket under the current or the previous
     * secret. Both are always computed; the comparisons are constant-time.
     */
    public boolean macMatches(final String ticket, final TicketRecord r) {
        if (ticket == null || ticket.indexOf('\n') >= 0) {
            return false;
        }
        final String m = recordMessage(ticket, r);
        final byte[] given = r.mac.getBytes(StandardCharsets.US_ASCII);
        boolean ok = MessageDigest.isEqual(B64URL.encode(hmac(current, m)), given);
        if (previous != null) {
            ok |= MessageDigest.isEqual(B64URL.encode(hmac(previous, m)), given);
        }
        return ok;
    }

    /**
     * Checks a record taken under {@code ticket} (section 4, step 2).
     *
     * @param ticket the ticket from the return URL (the record's memcached key)
     * @param r the record
     * @param conversation the conversation in the return URL, already matched to the session
     * @param state the state this browser's IdP session holds for that conversation
     * @param now the current time
     * @param maxSkew allowed clock difference between bridge and IdP
     * @param notBefore for a forced authentication: when the shim started it (the ceremony must
     *     be newer, less {@code maxSkew}); null otherwise
     * @throws HandoffException {@link HandoffError#TICKET_INVALID} for a bad MAC, an expired
     *     record or a bad time,
     *     {@link HandoffError#STATE_MISMATCH} for a record made for another login
     */
    public void verify(final String ticket, final TicketRecord r, final String conversation, final String state,
            final Instant now, final Duration maxSkew, final Instant notBefore) throws HandoffException {
        if (!macMatches(ticket, r)) {
            throw new HandoffException(HandoffError.TICKET_INVALID, "record MAC does not verify");
        }
        // Conversation is a short handle, not a secret; state is compared in constant time.
        final boolean convOk = r.conversation.equals(conversation);
        final boolean stateOk = constantTimeEquals(r.state, state);
        if (!convOk || !stateOk) {
            throw new HandoffException(HandoffError.STATE_MISMATCH,
                    "record was made for another " + (!convOk ? "conversation" : "state"));
        }
        final long skew = maxSkew.getSeconds();
        if (now.getEpochSecond() > r.expires + skew) {
            throw new HandoffException(HandoffError.TICKET_INVALID, "record expired");
        }
        if (r.authInstant > now.getEpochSecond() + skew) {
            throw new HandoffException(HandoffError.TICKET_INVALID, "auth_instant lies in the future");
        }
        if (notBefore != null && r.authInstant < notBefore.getEpochSecond() - skew) {
            throw new HandoffException(HandoffError.TICKET_INVALID,
                    "forced authentication answered with an older sign-in");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static byte[] hmac(final byte[] key, final String message) {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Constant-time comparison of two strings (by their UTF-8 bytes). */
    public static boolean constantTimeEquals(final String a, final String b) {
        if (a == null || b == null) {
            return false;
        }
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** The bridge's rule for {@code conversation}: 1-64 characters of A-Za-z0-9._- */
    public static boolean isConversation(final String s) {
        if (s == null || s.isEmpty() || s.length() > 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Whether s is unpadded base64url of min..max characters. */
    public static boolean isBase64Url(final String s, final int min, final int max) {
        if (s == null || s.length() < min || s.length() > max) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Percent-encodes a query value (RFC 3986): the unreserved characters stay, every other
     * UTF-8 byte becomes %XX (upper case); a space is %20, never '+'.
     */
    public static String encode(final String v) {
        final byte[] b = v.getBytes(StandardCharsets.UTF_8);
        final StringBuilder out = new StringBuilder(b.length + 16);
        for (final byte x : b) {
            final int c = x & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static int utf8Length(final String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static boolean hasNewline(final String s) {
        return s.indexOf('\n') >= 0;
    }
}
