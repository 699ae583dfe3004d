package fidobridge.idp;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

/**
 * The shim's settings, from {@code %{idp.home}/conf/authn/fido-bridge.properties}.
 *
 * <table>
 * <caption>Keys</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>fido.bridge.url</td><td>(required)</td><td>the bridge's base URL; requests go to
 *   {@code <url>/authn/start}</td></tr>
 * <tr><td>fido.bridge.returnUrl</td><td>(required)</td><td>absolute URL of the shim's finish
 *   endpoint, {@code https://<idp host>/idp/Authn/fido/finish}; must start with one of the
 *   bridge's {@code [idp] return_urls}</td></tr>
 * <tr><td>fido.bridge.secretFile</td><td>(required)</td><td>file whose first line is the shared
 *   secret (the same file as the bridge's {@code [idp] secret_file})</td></tr>
 * <tr><td>fido.bridge.previousSecretFile</td><td>(empty)</td><td>the secret before the last
 *   rotation; records signed with it are still accepted</td></tr>
 * <tr><td>fido.memcached.servers</td><td>(required)</td><td>host:port,host:port: all of the
 *   bridge's memcached servers</td></tr>
 * <tr><td>fido.memcached.prefix</td><td>fidobridge:</td><td>the bridge's
 *   {@code [memcached] prefix}</td></tr>
 * <tr><td>fido.memcached.timeoutMs</td><td>500</td><td>connect/read timeout per server</td></tr>
 * <tr><td>fido.bridge.maxClockSkew</td><td>PT2M</td><td>allowed clock difference to the bridge
 *   (ISO-8601 duration)</td></tr>
 * <tr><td>fido.bridge.stateLifetime</td><td>PT15M</td><td>how long a started login may take
 *   to come back: at least the bridge's {@code flow_ttl}, at most the IdP container's session
 *   timeout (15 minutes in IdP v5's web.xml)</td></tr>
 * <tr><td>fido.bridge.sendServiceName</td><td>true</td><td>send the SP's display name
 *   ({@code sp_name}); false for a bridge that does not know the parameter yet</td></tr>
 * <tr><td>fido.authn.baseContextClass</td><td>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</td>
 *   <td>AuthnContextClassRef added to every successful result (empty: none)</td></tr>
 * <tr><td>fido.authn.mfaContextClass</td><td>https://refeds.org/profile/mfa</td>
 *   <td>AuthnContextClassRef added when the record says {@code mfa}, or when the passkey is
 *   the second factor after one of {@code fido.authn.secondFactorAfter}</td></tr>
 * <tr><td>fido.authn.secondFactorAfter</td><td>authn/Password</td><td>login flows (comma list)
 *   whose earlier result in the same login makes the passkey a second factor</td></tr>
 * </table>
 *
 * <p>{@code %{idp.home}} in a value is replaced by the IdP's home directory. Secrets never
 * appear in this file, only the names of the files holding them.</p>
 */
public final class ShimConfig {

    /** Default {@code fido.authn.baseContextClass}. */
    public static final String PPT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
    /** Default {@code fido.authn.mfaContextClass}. */
    public static final String REFEDS_MFA = "https://refeds.org/profile/mfa";
    /** Default {@code fido.bridge.stateLifetime}: the bridge's flow_ttl and IdP v5's session timeout. */
    public static final String DEFAULT_STATE_LIFETIME = "PT15M";

    /** The bridge's {@code /authn/start} endpoint. */
    public final String startEndpoint;
    /** The shim's finish URL sent as {@code return}. */
    public final String returnUrl;
    /** Signs and checks. */
    public final BridgeHandoff handoff;
    /** memcached servers. */
    public final List<MemcachedTicketStore.Server> servers;
    /** Key prefix. */
    public final String prefix;
    /** memcached timeout, ms. */
    public final int timeoutMs;
    /** Allowed clock skew. */
    public final Duration maxClockSkew;
    /** Lifetime of a started login's state. */
    public final Duration stateLifetime;
    /** Context class for every success, or "" for none. */
    public final String baseContextClass;
    /** Context class for an MFA success. */
    public final String mfaContextClass;
    /** Whether to send {@code sp_name}. */
    public final boolean sendServiceName;
    /** Flows after which a passkey is a second factor. */
    public final List<String> secondFactorAfter;
    /** Files this configuration was read from (for change detection). */
    public final List<Path> sources;

    private ShimConfig(final Properties p, final Path idpHome, final List<Path> sources) throws HandoffException {
        final List<Path> src = new ArrayList<>(sources);
        final String url = require(p, "fido.bridge.url", idpHome);
        if (!(url.startsWith("https://") || url.startsWith("http://")) || url.indexOf('?') >= 0
                || url.indexOf('#') >= 0) {
            throw bad("fido.bridge.url must be an absolute http(s) URL without query");
        }
        this.startEndpoint = (url.endsWith("/") ? url.substring(0, url.length() - 1) : url) + "/authn/start";
        this.returnUrl = require(p, "fido.bridge.returnUrl", idpHome);
        if (!(returnUrl.startsWith("https://") || returnUrl.startsWith("http://"))
                || returnUrl.indexOf('#') >= 0 || returnUrl.length() > BridgeHandoff.MAX_RETURN_BYTES) {
            throw bad("fido.bridge.returnUrl must be an absolute http(s) URL");
        }
        final Path secretFile = Paths.get(require(p, "fido.bridge.secretFile", idpHome));
        final String prevName = optional(p, "fido.bridge.previousSecretFile", "", idpHome);
        src.add(secretFile);
        final byte[] secret = readSecret(secretFile, "fido.bridge.secretFile");
        byte[] previous = null;
        if (!prevName.isEmpty()) {
            final Path prevFile = Paths.get(prevName);
            src.add(prevFile);
            previous = readSecret(prevFile, "fido.bridge.previousSecretFile");
        }
        this.handoff = new BridgeHandoff(secret, previous);
        java.util.Arrays.fill(secret, (byte) 0);
        if (previous != null) {
            java.util.Arrays.fill(previous, (byte) 0);
        }
        try {
            this.servers = MemcachedTicketStore.parseServers(require(p, "fido.memcached.servers", idpHome));
        } catch (final IllegalArgumentException e) {
            throw bad("fido.memcached.servers: " + e.getMessage());
        }
        this.prefix = optional(p, "fido.memcached.prefix", "fidobridge:", idpHome);
        if (prefix.length() > 40 || (!prefix.isEmpty() && !MemcachedTicketStore.isValidKey(prefix))) {
            throw bad("fido.memcached.prefix: at most 40 printable characters, no spaces");
        }
        try {
            this.timeoutMs = Integer.parseInt(optional(p, "fido.memcached.timeoutMs", "500", idpHome));
        } catch (final NumberFormatException e) {
            throw bad("fido.memcached.timeoutMs is not a number");
        }
        if (timeoutMs < 10 || timeoutMs > 60000) {
            throw bad("fido.memcached.timeoutMs must be 10-60000");
        }
        this.maxClockSkew = duration(p, "fido.bridge.maxClockSkew", "PT2M", idpHome);
        this.stateLifetime = duration(p, "fido.bridge.stateLifetime", DEFAULT_STATE_LIFETIME, idpHome);
        this.baseContextClass = optional(p, "fido.authn.baseContextClass", PPT, idpHome);
        this.mfaContextClass = optional(p, "fido.authn.mfaContextClass", REFEDS_MFA, idpHome);
        if (mfaContextClass.isEmpty()) {
            throw bad("fido.authn.mfaContextClass must not be empty");
        }
        final String send = optional(p, "fido.bridge.sendServiceName", "true", idpHome);
        if (!"true".equals(send) && !"false".equals(send)) {
            throw bad("fido.bridge.sendServiceName must be true or false");
        }
        this.sendServiceName = "true".equals(send);
        final List<String> flows = new ArrayList<>();
        for (final String f : optional(p, "fido.authn.secondFactorAfter", "authn/Password", idpHome).split(",")) {
            if (!f.trim().isEmpty()) {
                flows.add(f.trim());
            }
        }
        this.secondFactorAfter = Collections.unmodifiableList(flows);
        this.sources = Collections.unmodifiableList(src);
    }

    /**
     * Reads the configuration.
     *
     * @param file the properties file
     * @param idpHome the IdP's home directory, for {@code %{idp.home}}
     * @return the configuration
     * @throws HandoffException ({@link HandoffError#CONFIG_ERROR}) when it cannot be read or is invalid
     */
    public static ShimConfig load(final Path file, final Path idpHome) throws HandoffException {
        final Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file);
                Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (final IOException e) {
            throw new HandoffException(HandoffError.CONFIG_ERROR, "cannot read " + file + ": " + e.getMessage(), e);
        }
        return from(p, idpHome, Collections.singletonList(file));
    }

    /** Builds a configuration from properties (for tests and embedding). */
    public static ShimConfig from(final Properties p, final Path idpHome, final List<Path> sources)
            throws HandoffException {
        return new ShimConfig(p, idpHome, sources);
    }

    /** The memcached key of a ticket's record. */
    public String ticketKey(final String ticket) {
        return prefix + "ticket:" + ticket;
    }

    private static String expand(final String v, final Path idpHome) {
        return idpHome == null ? v : v.replace("%{idp.home}", idpHome.toString());
    }

    private static String require(final Properties p, final String key, final Path idpHome) throws HandoffException {
        final String v = p.getProperty(key);
        if (v == null || v.trim().isEmpty()) {
            throw bad(key + " is not set");
        }
        return expand(v.trim(), idpHome);
    }

    private static String optional(final Properties p, final String key, final String def, final Path idpHome) {
        final String v = p.getProperty(key);
        return v == null ? def : expand(v.trim(), idpHome);
    }

    private static Duration duration(final Properties p, final String key, final String def, final Path idpHome)
            throws HandoffException {
        final String v = optional(p, key, def, idpHome);
        final Duration d;
        try {
            d = Duration.parse(v);
        } catch (final DateTimeParseException e) {
            throw bad(key + " is not an ISO-8601 duration (like PT2M)");
        }
        if (d.isNegative() || d.isZero() || d.compareTo(Duration.ofDays(1)) > 0) {
            throw bad(key + " must be positive and at most a day");
        }
        return d;
    }

    /**
     * Reads a secret file: its first line, without the line ending (the bridge's reading).
     */
    static byte[] readSecret(final Path file, final String key) throws HandoffException {
        final byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (final IOException e) {
            throw bad(key + ": cannot read " + file);
        }
        int end = 0;
        while (end < all.length && all[end] != '\n' && all[end] != '\r') {
            end++;
        }
        final byte[] line = java.util.Arrays.copyOf(all, end);
        java.util.Arrays.fill(all, (byte) 0);
        if (line.length < BridgeHandoff.MIN_SECRET_BYTES) {
            throw bad(key + ": " + file + " holds fewer than " + BridgeHandoff.MIN_SECRET_BYTES + " bytes");
        }
        return line;
    }

    private static HandoffException bad(final String why) {
        return new HandoffException(HandoffError.CONFIG_ERROR, why);
    }
}
