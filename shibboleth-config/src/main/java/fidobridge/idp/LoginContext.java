package fidobridge.idp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the shim needs to know about the login the IdP is running, read from the IdP's context
 * tree ({@link IdpContexts}) but held in plain types, so {@link ShimLogic} is tested without it.
 */
public final class LoginContext {

    /** Nothing known: no earlier steps, no UI information, nothing requested. */
    public static final LoginContext NONE = new LoginContext(Collections.emptyMap(), null, null);

    /**
     * The active results of the other login flows in this login, flow id to the usernames
     * their Subjects hold: the earlier steps of an MFA flow, and results the MFA flow reuses
     * from the IdP session. The IdP merges them all with the passkey's result into one Subject.
     */
    public final Map<String, Set<String>> priorResults;

    /** {@code RelyingPartyUIContext.getServiceName()}, or null. */
    public final String serviceName;

    /**
     * Whether a result carrying AuthnContextClassRefs with these URIs would satisfy what the SP
     * requested (the IdP's own matching); null when it requested nothing.
     */
    public final Predicate<List<String>> accepts;

    /**
     * @param priorResults see {@link #priorResults}
     * @param serviceName see {@link #serviceName}
     * @param accepts see {@link #accepts}
     */
    public LoginContext(final Map<String, Set<String>> priorResults, final String serviceName,
            final Predicate<List<String>> accepts) {
        this.priorResults = Collections.unmodifiableMap(new LinkedHashMap<>(priorResults));
        this.serviceName = serviceName;
        this.accepts = accepts;
    }
}
