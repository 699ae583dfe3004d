package fidobridge.idp;

import java.io.IOException;

/** Where the bridge leaves ticket records. */
public interface TicketStore {

    /** The store could not be asked (network, timeout, protocol error). */
    final class StoreException extends IOException {
        private static final long serialVersionUID = 1L;

        /** @param message for the log */
        public StoreException(final String message) {
            super(message);
        }

        /** @param message for the log @param cause the failure */
        public StoreException(final String message, final Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Takes a value once: of all concurrent callers for one key, at most one gets the value,
     * and after that nobody does.
     *
     * @param key the full key (prefix included)
     * @return the value, or null when there is none (never written, expired, or taken already)
     * @throws StoreException when the store cannot be asked
     */
    byte[] take(String key) throws StoreException;
}
