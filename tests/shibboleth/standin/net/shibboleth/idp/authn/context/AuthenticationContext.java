package net.shibboleth.idp.authn.context;

import org.opensaml.messaging.context.BaseContext;

import net.shibboleth.idp.authn.AuthenticationFlowDescriptor;

/**
 * TEST STAND-IN for the IdP's AuthenticationContext: the request's passive/forced flags and the
 * login flow being run; children hold MFA results, the RP's UI information, requested contexts.
 */
public final class AuthenticationContext extends BaseContext {

    private boolean passive;
    private boolean forceAuthn;
    private AuthenticationFlowDescriptor attemptedFlow;

    public boolean isPassive() {
        return passive;
    }

    public AuthenticationContext setIsPassive(final boolean p) {
        passive = p;
        return this;
    }

    public boolean isForceAuthn() {
        return forceAuthn;
    }

    public AuthenticationContext setForceAuthn(final boolean f) {
        forceAuthn = f;
        return this;
    }

    public AuthenticationFlowDescriptor getAttemptedFlow() {
        return attemptedFlow;
    }

    public AuthenticationContext setAttemptedFlow(final AuthenticationFlowDescriptor f) {
        attemptedFlow = f;
        return this;
    }
}
