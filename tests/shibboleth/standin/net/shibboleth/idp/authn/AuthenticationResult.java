package net.shibboleth.idp.authn;

import javax.security.auth.Subject;

/** TEST STAND-IN for the IdP's AuthenticationResult: a login flow's id and the Subject it produced. */
public class AuthenticationResult {

    private final String flowId;
    private final Subject subject;

    public AuthenticationResult(final String flowId, final Subject subject) {
        this.flowId = flowId;
        this.subject = subject;
    }

    public String getAuthenticationFlowId() {
        return flowId;
    }

    public Subject getSubject() {
        return subject;
    }
}
