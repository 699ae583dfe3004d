package net.shibboleth.idp.authn.context;

import java.security.Principal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

import org.opensaml.messaging.context.BaseContext;

/**
 * TEST STAND-IN for the IdP's RequestedPrincipalContext: the authentication contexts the SP
 * asked for. {@link #isAcceptable(Collection)} matches by equality, as the IdP does for every
 * operator when no comparison rules are configured.
 */
public final class RequestedPrincipalContext extends BaseContext {

    private String operator = "exact";
    private List<Principal> requested = new ArrayList<>();

    public String getOperator() {
        return operator;
    }

    public RequestedPrincipalContext setOperator(final String op) {
        operator = op;
        return this;
    }

    public List<Principal> getRequestedPrincipals() {
        return Collections.unmodifiableList(requested);
    }

    public RequestedPrincipalContext setRequestedPrincipals(final List<Principal> principals) {
        requested = new ArrayList<>(principals);
        return this;
    }

    /** Whether a result carrying these principals satisfies the request. */
    public boolean isAcceptable(final Collection<Principal> principals) {
        for (final Principal p : principals) {
            if (requested.contains(p)) {
                return true;
            }
        }
        return false;
    }
}
