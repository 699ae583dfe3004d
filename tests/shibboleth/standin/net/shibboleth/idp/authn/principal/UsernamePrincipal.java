package net.shibboleth.idp.authn.principal;

import java.security.Principal;

/** TEST STAND-IN for the IdP's UsernamePrincipal: a principal equal by name. */
public final class UsernamePrincipal implements Principal {

    private final String name;

    public UsernamePrincipal(final String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("empty username");
        }
        this.name = name;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof UsernamePrincipal && ((UsernamePrincipal) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "UsernamePrincipal{" + name + "}";
    }
}
