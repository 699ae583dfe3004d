package net.shibboleth.idp.saml.authn.principal;

import java.security.Principal;

/** TEST STAND-IN for the IdP's AuthnContextClassRefPrincipal: a principal equal by class URI. */
public final class AuthnContextClassRefPrincipal implements Principal {

    private final String classRef;

    public AuthnContextClassRefPrincipal(final String classRef) {
        if (classRef == null || classRef.isEmpty()) {
            throw new IllegalArgumentException("empty class reference");
        }
        this.classRef = classRef;
    }

    @Override
    public String getName() {
        return classRef;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof AuthnContextClassRefPrincipal && ((AuthnContextClassRefPrincipal) o).classRef.equals(classRef);
    }

    @Override
    public int hashCode() {
        return classRef.hashCode();
    }

    @Override
    public String toString() {
        return "AuthnContextClassRefPrincipal{" + classRef + "}";
    }
}
