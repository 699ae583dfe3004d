package fidobridge.idp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collections;
import java.util.List;

/**
 * Supplies the current {@link ShimConfig}, re-reading it when the properties file or a secret
 * file changes (so a secret rotation needs no restart), and at least once a minute.
 */
public final class ConfigSource {

    private static final long MAX_AGE_NANOS = 60L * 1_000_000_000L;

    private final Path file;
    private final Path idpHome;
    private ShimConfig cached;
    private String signature;
    private long loadedAt;

    /**
     * @param file the properties file
     * @param idpHome the IdP home, for {@code %{idp.home}}
     */
    public ConfigSource(final Path file, final Path idpHome) {
        this.file = file;
        this.idpHome = idpHome;
    }

    /** The properties file read. */
    public Path file() {
        return file;
    }

    /**
     * The configuration in force.
     *
     * @return the configuration
     * @throws HandoffException ({@link HandoffError#CONFIG_ERROR}) when it is missing or invalid
     */
    public synchronized ShimConfig get() throws HandoffException {
        final long now = System.nanoTime();
        if (cached != null && now - loadedAt < MAX_AGE_NANOS && signature(cached.sources).equals(signature)) {
            return cached;
        }
        cached = null;
        final ShimConfig c = ShimConfig.load(file, idpHome);
        cached = c;
        signature = signature(c.sources);
        loadedAt = now;
        return c;
    }

    private static String signature(final List<Path> files) {
        final StringBuilder b = new StringBuilder();
        for (final Path p : files == null ? Collections.<Path>emptyList() : files) {
            try {
                final BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                b.append(p).append('|').append(a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS)).append('|').append(a.size())
                        .append('|').append(a.fileKey()).append('\n');
            } catch (final IOException e) {
                b.append(p).append("|missing\n");
            }
        }
        return b.toString();
    }
}
