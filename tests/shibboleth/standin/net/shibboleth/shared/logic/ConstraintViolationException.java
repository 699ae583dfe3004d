package net.shibboleth.shared.logic;

/** TEST STAND-IN for the exception the IdP's Constraint checks throw. */
public class ConstraintViolationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ConstraintViolationException(final String message) {
        super(message);
    }
}
