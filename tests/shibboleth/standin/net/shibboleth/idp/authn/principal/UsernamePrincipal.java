package net.shibboleth.idp.authn.principal;

import java.security.Principal;

import net.shibboleth.shared.logic.ConstraintViolationException;

/**
 * TEST STAND-IN for the IdP's UsernamePrincipal, with its rules: the name is trimmed
 * (String.trim) and a null or empty result is refused. Equal by name.
 */
public final class UsernamePrincipal implements Principal {

    private final String name;

    public UsernamePrincipal(final String user) {
        final String t = user == null ? null : user.trim();
        if (t == null || t.isEmpty()) {
            throw new ConstraintViolationException("Username cannot be null or empty");
        }
        this.name = t;
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
