package fidobridge.idp;

import java.security.Principal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.opensaml.profile.context.ProfileRequestContext;

import net.shibboleth.idp.authn.AuthenticationResult;
import net.shibboleth.idp.authn.context.AuthenticationContext;
import net.shibboleth.idp.authn.context.MultiFactorAuthenticationContext;
import net.shibboleth.idp.authn.context.RequestedPrincipalContext;
import net.shibboleth.idp.authn.principal.UsernamePrincipal;
import net.shibboleth.idp.saml.authn.principal.AuthnContextClassRefPrincipal;
import net.shibboleth.idp.ui.context.RelyingPartyUIContext;

/**
 * Reads a {@link LoginContext} from the IdP's context tree (the ProfileRequestContext that
 * {@code ExternalAuthentication.getProfileRequestContext} returns). Uses only API that IdP v4
 * and v5 share: {@code getSubcontext(Class)} and the getters below; no servlet types.
 */
public final class IdpContexts {

    /** The External flow's id, when the IdP does not say which flow it is running. */
    static final String EXTERNAL_FLOW = "authn/External";

    private IdpContexts() {
    }

    /**
     * @param prc the login's ProfileRequestContext
     * @return what the shim uses of it
     */
    public static LoginContext read(final ProfileRequestContext prc) {
        final AuthenticationContext ac = prc == null ? null : prc.getSubcontext(AuthenticationContext.class);
        if (ac == null) {
            return LoginContext.NONE;
        }
        final String own = ac.getAttemptedFlow() != null ? ac.getAttemptedFlow().getId() : EXTERNAL_FLOW;

        final Map<String, Set<String>> prior = new LinkedHashMap<>();
        final MultiFactorAuthenticationContext mfa = ac.getSubcontext(MultiFactorAuthenticationContext.class);
        if (mfa != null) {
            for (final Map.Entry<String, AuthenticationResult> e : mfa.getActiveResults().entrySet()) {
                if (e.getKey().equals(own) || e.getValue() == null || e.getValue().getSubject() == null) {
                    continue; // our own earlier result (SSO) is not another factor
                }
                final Set<String> names = new LinkedHashSet<>();
                for (final UsernamePrincipal u : e.getValue().getSubject().getPrincipals(UsernamePrincipal.class)) {
                    names.add(u.getName());
                }
                prior.put(e.getKey(), names);
            }
        }

        final RelyingPartyUIContext ui = ac.getSubcontext(RelyingPartyUIContext.class);
        final String name = ui == null ? null : ui.getServiceName();

        final RequestedPrincipalContext rpc = ac.getSubcontext(RequestedPrincipalContext.class);
        Predicate<List<String>> accepts = null;
        if (rpc != null && !rpc.getRequestedPrincipals().isEmpty()) {
            accepts = classes -> {
                final List<Principal> ps = new ArrayList<>();
                for (final String c : classes) {
                    ps.add(new AuthnContextClassRefPrincipal(c));
                }
                return rpc.isAcceptable(ps);
            };
        }
        return new LoginContext(prior, name, accepts);
    }
}
