package fidobridge.idp;

/** A handoff step failed; {@link #error()} says how the IdP should see it. */
public final class HandoffException extends Exception {

    private static final long serialVersionUID = 1L;

    private final HandoffError error;

    /**
     * @param error the verdict
     * @param detail for the log only: never shown to the user, never holding secrets or tickets
     */
    public HandoffException(final HandoffError error, final String detail) {
        super(error.authnError() + ": " + detail);
        this.error = error;
    }

    /**
     * @param error the verdict
     * @param detail for the log only
     * @param cause the underlying failure
     */
    public HandoffException(final HandoffError error, final String detail, final Throwable cause) {
        super(error.authnError() + ": " + detail, cause);
        this.error = error;
    }

    /** The verdict. */
    public HandoffError error() {
        return error;
    }
}
