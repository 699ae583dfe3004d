package net.shibboleth.idp.authn;

/**
 * TEST STAND-IN for the IdP class of the same name, with the same four constructors.
 * Never deploy it; the IdP web application has the real one.
 */
public class ExternalAuthenticationException extends Exception {

    private static final long serialVersionUID = 1L;

    public ExternalAuthenticationException() {
    }

    public ExternalAuthenticationException(final String message) {
        super(message);
    }

    public ExternalAuthenticationException(final Exception wrappedException) {
        super(wrappedException);
    }

    public ExternalAuthenticationException(final String message, final Exception wrappedException) {
        super(message, wrappedException);
    }
}
