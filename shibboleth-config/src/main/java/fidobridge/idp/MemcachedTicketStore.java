package fidobridge.idp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Takes ticket records from memcached with the text protocol over plain sockets (no client
 * library: nothing to add to the IdP's classpath, and no dependency on how a library spreads
 * keys over servers).
 *
 * <p><b>Take once</b> (docs/handoff-protocol.md, section 4.1). The bridge may put a record on
 * any of its servers and keep copies ({@code [memcached] replicas}); the shim does not repeat
 * its placement: it asks <em>every</em> server. First {@code get <key>} on all servers, in the
 * configured order; then {@code delete <key>} on each server that had the value, in the same
 * order, stopping at the first answer that is not {@code DELETED}. The caller wins only when
 * every server answered its get and every one of those deletes answered {@code DELETED}. A
 * {@code NOT_FOUND} means another taker got there first (no value). Because each taker
 * finishes all its gets before its first delete, two winners would each have deleted a copy
 * the other had already seen gone: at most one winner.</p>
 *
 * <p><b>A server that does not answer</b> (refused, timeout, protocol error) may hold a copy
 * that another taker finds once it is back; then the take fails with {@link StoreException}
 * (unavailable: the login fails cleanly and can be retried), it is never won, and nothing is
 * deleted, so a retry after the fault can still win, exactly once. Every connection has a
 * connect and a read timeout.</p>
 */
public final class MemcachedTicketStore implements TicketStore {

    /** Largest value accepted (a record is well under 4 KiB). */
    public static final int MAX_VALUE_BYTES = 64 * 1024;

    /** Longest key memcached accepts. */
    public static final int MAX_KEY_BYTES = 250;

    /** A server address. */
    public static final class Server {
        /** Host name or address. */
        public final String host;
        /** TCP port. */
        public final int port;

        /** @param host host name or address @param port TCP port */
        public Server(final String host, final int port) {
            this.host = host;
            this.port = port;
        }

        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private final List<Server> servers;
    private final int timeoutMs;

    /**
     * @param servers the memcached servers (all of the bridge's)
     * @param timeoutMs connect and read timeout per server, milliseconds
     */
    public MemcachedTicketStore(final List<Server> servers, final int timeoutMs) {
        if (servers == null || servers.isEmpty()) {
            throw new IllegalArgumentException("no memcached servers");
        }
        if (timeoutMs < 1) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        this.servers = Collections.unmodifiableList(new ArrayList<>(servers));
        this.timeoutMs = timeoutMs;
    }

    /** The servers asked. */
    public List<Server> servers() {
        return servers;
    }

    /**
     * Parses "host:port,host:port" (the bridge's {@code [memcached] servers} syntax; IPv6
     * addresses in brackets, "[::1]:11211").
     *
     * @param list the list
     * @return the servers
     * @throws IllegalArgumentException on a bad entry or an empty list
     */
    public static List<Server> parseServers(final String list) {
        final List<Server> out = new ArrayList<>();
        if (list != null) {
            for (final String raw : list.split("[,\\s]+")) {
                final String t = raw.trim();
                if (t.isEmpty()) {
                    continue;
                }
                final String host;
                final String port;
                if (t.startsWith("[")) {
                    final int close = t.indexOf("]:");
                    if (close < 0) {
                        throw new IllegalArgumentException("\"" + t + "\" is not [address]:port");
                    }
                    host = t.substring(1, close);
                    port = t.substring(close + 2);
                } else {
                    final int colon = t.lastIndexOf(':');
                    if (colon <= 0 || t.indexOf(':') != colon) {
                        throw new IllegalArgumentException("\"" + t + "\" is not host:port");
                    }
                    host = t.substring(0, colon);
                    port = t.substring(colon + 1);
                }
                final int p;
                try {
                    p = Integer.parseInt(port);
                } catch (final NumberFormatException e) {
                    throw new IllegalArgumentException("bad port in \"" + t + "\"");
                }
                if (p < 1 || p > 65535 || host.isEmpty()) {
                    throw new IllegalArgumentException("bad server \"" + t + "\"");
                }
                out.add(new Server(host, p));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("empty server list");
        }
        return out;
    }

    /** Whether a key can be sent in the text protocol: 1-250 printable ASCII bytes, no spaces. */
    public static boolean isValidKey(final String key) {
        if (key == null || key.isEmpty() || key.length() > MAX_KEY_BYTES) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            final char c = key.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    @Override
    public byte[] take(final String key) throws StoreException {
        if (!isValidKey(key)) {
            throw new IllegalArgumentException("invalid memcached key");
        }
        final int n = servers.size();
        final Conn[] holders = new Conn[n];
        final byte[][] values = new byte[n][];
        IOException failure = null;
        Server failedAt = null;
        try {
            // Phase 1: get everywhere, keeping the connections of the servers that had it.
            for (int i = 0; i < n; i++) {
                Conn c = null;
                try {
                    c = new Conn(servers.get(i), timeoutMs);
                    final byte[] v = c.get(key);
                    if (v != null) {
                        values[i] = v;
                        holders[i] = c;
                        c = null;
                    }
                } catch (final IOException e) {
                    if (failure == null) {
                        failure = e;
                        failedAt = servers.get(i);
                    }
                } finally {
                    closeQuietly(c);
                }
            }
            if (failure != null) {
                // A copy may sit on the server that did not answer: neither won nor gone.
                throw new StoreException("memcached " + failedAt + " did not answer (" + describe(failure)
                        + "): take unavailable", failure);
            }
            byte[] value = null;
            boolean consistent = true;
            for (int i = 0; i < n; i++) {
                if (values[i] != null) {
                    if (value == null) {
                        value = values[i];
                    } else if (!Arrays.equals(value, values[i])) {
                        consistent = false;
                    }
                }
            }
            if (value == null) {
                return null;
            }
            // Phase 2: delete every copy we saw, in order; the first that is not ours stops us.
            for (int i = 0; i < n; i++) {
                if (holders[i] == null) {
                    continue;
                }
                final boolean deleted;
                try {
                    deleted = holders[i].delete(key);
                } catch (final IOException e) {
                    // it may or may not have happened: a copy may survive there
                    throw new StoreException("memcached " + servers.get(i) + " did not answer a delete ("
                            + describe(e) + "): take unavailable", e);
                }
                if (!deleted) {
                    return null; // another taker got there first; it deletes the rest
                }
            }
            return consistent ? value : null;
        } finally {
            for (final Conn c : holders) {
                closeQuietly(c);
            }
        }
    }

    private static String describe(final IOException e) {
        return e == null ? "no error" : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    private static void closeQuietly(final Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (final IOException e) {
                // nothing to do
            }
        }
    }

    /** One text-protocol connection. */
    private static final class Conn implements Closeable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final Server server;

        Conn(final Server server, final int timeoutMs) throws IOException {
            this.server = server;
            final Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.setSoTimeout(timeoutMs);
                s.connect(new InetSocketAddress(server.host, server.port), timeoutMs);
                this.in = new BufferedInputStream(s.getInputStream(), 8192);
                this.out = s.getOutputStream();
            } catch (final IOException | RuntimeException e) {
                s.close();
                throw e instanceof IOException ? (IOException) e
                        : new IOException("cannot connect to memcached " + server + ": " + e.getMessage(), e);
            }
            this.socket = s;
        }

        byte[] get(final String key) throws IOException {
            send("get " + key + "\r\n");
            final String line = readLine();
            if ("END".equals(line)) {
                return null;
            }
            final String[] f = line.split(" ");
            if (f.length < 4 || f.length > 5 || !"VALUE".equals(f[0])) {
                throw protocolError(line);
            }
            if (!key.equals(f[1])) {
                throw new StoreException("memcached " + server + " answered for another key");
            }
            final int len;
            try {
                len = Integer.parseInt(f[3]);
            } catch (final NumberFormatException e) {
                throw protocolError(line);
            }
            if (len < 0 || len > MAX_VALUE_BYTES) {
                throw new StoreException("memcached " + server + ": value of " + f[3] + " bytes refused");
            }
            final byte[] data = readExactly(len + 2);
            if (data[len] != '\r' || data[len + 1] != '\n') {
                throw new StoreException("memcached " + server + ": value not terminated by CRLF");
            }
            final String end = readLine();
            if (!"END".equals(end)) {
                throw protocolError(end);
            }
            return Arrays.copyOf(data, len);
        }

        boolean delete(final String key) throws IOException {
            send("delete " + key + "\r\n");
            final String line = readLine();
            if ("DELETED".equals(line)) {
                return true;
            }
            if ("NOT_FOUND".equals(line)) {
                return false;
            }
            throw protocolError(line);
        }

        private StoreException protocolError(final String line) {
            final String shown = line.length() > 80 ? line.substring(0, 80) + "..." : line;
            return new StoreException("memcached " + server + " answered \"" + shown + "\"");
        }

        private void send(final String command) throws IOException {
            out.write(command.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        private String readLine() throws IOException {
            final ByteArrayOutputStream b = new ByteArrayOutputStream(64);
            while (true) {
                final int c = in.read();
                if (c < 0) {
                    throw new StoreException("memcached " + server + " closed the connection");
                }
                if (c == '\r') {
                    if (in.read() != '\n') {
                        throw new StoreException("memcached " + server + ": bad line ending");
                    }
                    return new String(b.toByteArray(), StandardCharsets.US_ASCII);
                }
                if (b.size() >= 1024) {
                    throw new StoreException("memcached " + server + ": line too long");
                }
                b.write(c);
            }
        }

        private byte[] readExactly(final int n) throws IOException {
            final byte[] buf = new byte[n];
            int off = 0;
            while (off < n) {
                final int r = in.read(buf, off, n - off);
                if (r < 0) {
                    throw new StoreException("memcached " + server + " closed the connection");
                }
                off += r;
            }
            return buf;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
