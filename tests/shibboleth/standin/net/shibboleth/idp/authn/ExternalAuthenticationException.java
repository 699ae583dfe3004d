package net.shibboleth.idp.authn;

/**
 * TEST STAND-IN for the IdP class of the same name: only what the shim uses.
 * Never deploy it; the IdP web application has the real one.
 */
public class ExternalAuthenticationException extends Exception {

    private static final long serialVersionUID = 1L;

    public ExternalAuthenticationException(final String message) {
        super(message);
    }
}
