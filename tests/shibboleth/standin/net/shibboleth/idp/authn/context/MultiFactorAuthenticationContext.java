package net.shibboleth.idp.authn.context;

import java.util.LinkedHashMap;
import java.util.Map;

import org.opensaml.messaging.context.BaseContext;

import net.shibboleth.idp.authn.AuthenticationResult;

/**
 * TEST STAND-IN for the IdP's MultiFactorAuthenticationContext: the results the MFA flow holds
 * so far (earlier steps of this login, and results reused from the IdP session), by flow id.
 */
public final class MultiFactorAuthenticationContext extends BaseContext {

    private final Map<String, AuthenticationResult> active = new LinkedHashMap<>();

    /** Live map, as in the IdP. */
    public Map<String, AuthenticationResult> getActiveResults() {
        return active;
    }
}
