package net.shibboleth.idp.authn;

/** TEST STAND-IN for the IdP's AuthenticationFlowDescriptor: only its id. */
public class AuthenticationFlowDescriptor {

    private final String id;

    public AuthenticationFlowDescriptor(final String id) {
        this.id = id;
    }

    public String getId() {
        return id;
    }
}
