package fidobridge.idp;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The shim logs through SLF4J; the tests run with slf4j-jdk14, so its lines arrive here as
 * java.util.logging records of the logger "fidobridge.idp.shim" (an IdP routes the same
 * lines to logback, idp-process.log). Console output only with -Dshim.verbose=true.
 */
final class LogCapture extends Handler {

    /** Held strongly: java.util.logging forgets the settings of a logger nobody references. */
    private static final Logger SHIM = Logger.getLogger("fidobridge.idp.shim");
    private static final LogCapture INSTANCE = new LogCapture();
    private final List<String> lines = new ArrayList<>();

    private LogCapture() {
    }

    static void install(final boolean verbose) {
        SHIM.setLevel(Level.ALL);
        SHIM.setUseParentHandlers(verbose);
        SHIM.addHandler(INSTANCE);
    }

    /** Every line logged so far, "LEVEL message". */
    static List<String> lines() {
        synchronized (INSTANCE.lines) {
            return new ArrayList<>(INSTANCE.lines);
        }
    }

    /** Lines logged since mark (an index from {@link #mark()}). */
    static List<String> since(final int mark) {
        final List<String> all = lines();
        return all.subList(Math.min(mark, all.size()), all.size());
    }

    static int mark() {
        return lines().size();
    }

    @Override
    public void publish(final LogRecord r) {
        final Throwable t = r.getThrown();
        synchronized (lines) {
            lines.add(r.getLevel() + " " + r.getMessage() + (t == null ? "" : " " + t));
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
