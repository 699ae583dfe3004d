package fidobridge.idp;

import static fidobridge.idp.T.check;
import static fidobridge.idp.T.eq;
import static fidobridge.idp.T.raises;
import static fidobridge.idp.T.test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Taking tickets from real memcached servers (tests/services/start-memcached.sh). */
final class StoreTests {

    private StoreTests() {
    }

    /** What the bridge does: "set" a value on one server (text protocol, for the test only). */
    static void set(final MemcachedTicketStore.Server s, final String key, final byte[] value, final int ttl)
            throws Exception {
        try (Socket sock = new Socket()) {
            sock.connect(new InetSocketAddress(s.host, s.port), 2000);
            sock.setSoTimeout(2000);
            final OutputStream out = sock.getOutputStream();
            out.write(("set " + key + " 0 " + ttl + " " + value.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(value);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final String line = new BufferedReader(new InputStreamReader(sock.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            if (!"STORED".equals(line)) {
                throw new AssertionError("memcached set answered " + line);
            }
        }
    }

    /** Whether a server still holds key (a raw "get"). */
    static boolean holds(final MemcachedTicketStore.Server s, final String key) throws Exception {
        try (Socket sock = new Socket()) {
            sock.connect(new InetSocketAddress(s.host, s.port), 2000);
            sock.setSoTimeout(2000);
            sock.getOutputStream().write(("get " + key + "\r\n").getBytes(StandardCharsets.US_ASCII));
            final String line = new BufferedReader(new InputStreamReader(sock.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            return line != null && line.startsWith("VALUE ");
        }
    }

    /** A TCP port with nothing listening (taken, then released). */
    static int deadPort() throws Exception {
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return ss.getLocalPort();
        }
    }

    static void run(final List<MemcachedTicketStore.Server> servers, final String prefix) {
        T.suite("memcached ticket store (" + servers + ")");
        check2(servers.size() >= 2, "the store tests need two memcached servers");
        final MemcachedTicketStore.Server a = servers.get(0);
        final MemcachedTicketStore.Server b = servers.get(1);
        // generous timeouts: a loaded CI machine must not turn a slow answer into a failure
        final MemcachedTicketStore both = new MemcachedTicketStore(List.of(a, b), 5000);
        final AtomicInteger n = new AtomicInteger();

        test("take once: value returned, then gone", () -> {
            final String key = prefix + "ticket:" + T.randomTicket();
            final byte[] v = "{\"v\":1}".getBytes(StandardCharsets.UTF_8);
            set(a, key, v, 60);
            check(Arrays.equals(v, both.take(key)), "first take returns the value");
            check(both.take(key) == null, "second take finds nothing");
            check(!holds(a, key), "the server no longer holds the key");
        });

        test("missing key: null", () -> check(both.take(prefix + "ticket:" + T.randomTicket()) == null, "null"));

        test("the value may live on any server; copies on several are all removed", () -> {
            final String k1 = prefix + "ticket:" + T.randomTicket();
            set(b, k1, "on b".getBytes(StandardCharsets.UTF_8), 60);
            eq("on b", new String(both.take(k1), StandardCharsets.UTF_8), "found on the second server");
            final String k2 = prefix + "ticket:" + T.randomTicket();
            set(a, k2, "copy".getBytes(StandardCharsets.UTF_8), 60);
            set(b, k2, "copy".getBytes(StandardCharsets.UTF_8), 60);
            eq("copy", new String(both.take(k2), StandardCharsets.UTF_8), "replicated value taken");
            check(!holds(a, k2) && !holds(b, k2), "both copies deleted");
        });

        test("copies that differ are refused (and removed)", () -> {
            final String k = prefix + "ticket:" + T.randomTicket();
            set(a, k, "one".getBytes(StandardCharsets.UTF_8), 60);
            set(b, k, "two".getBytes(StandardCharsets.UTF_8), 60);
            check(both.take(k) == null, "no winner");
            check(!holds(a, k) && !holds(b, k), "both deleted");
        });

        test("expired value: gone after its TTL", () -> {
            final String k = prefix + "ticket:" + T.randomTicket();
            set(a, k, "short".getBytes(StandardCharsets.UTF_8), 1);
            Thread.sleep(2100);
            check(both.take(k) == null, "expired");
        });

        test("binary-safe values up to 64 KiB, larger refused", () -> {
            final String k = prefix + "ticket:" + T.randomTicket();
            final byte[] v = new byte[MemcachedTicketStore.MAX_VALUE_BYTES];
            for (int i = 0; i < v.length; i++) {
                v[i] = (byte) (i * 31);
            }
            v[10] = '\r';
            v[11] = '\n';
            set(a, k, v, 60);
            check(Arrays.equals(v, both.take(k)), "64 KiB value intact");
            final String k2 = prefix + "ticket:" + T.randomTicket();
            set(a, k2, new byte[MemcachedTicketStore.MAX_VALUE_BYTES + 1], 60);
            raises(TicketStore.StoreException.class, () -> new MemcachedTicketStore(List.of(a), 5000).take(k2));
        });

        test("race: two takers, single copy, exactly one winner in each of 300 rounds", () -> {
            race(both, prefix, 300, 2, false, a, b, n);
        });

        test("race: four takers, copies on both servers, never two winners (200 rounds)", () -> {
            race(both, prefix, 200, 4, true, a, b, n);
        });

        test("keys that could break the protocol are refused", () -> {
            for (final String k : new String[] {"", "a b", "a\r\nflush_all", "é", "x".repeat(251)}) {
                raises(IllegalArgumentException.class, () -> both.take(k));
            }
        });

        test("every server down: StoreException", () -> {
            final MemcachedTicketStore dead = new MemcachedTicketStore(List.of(
                    new MemcachedTicketStore.Server("127.0.0.1", deadPort()),
                    new MemcachedTicketStore.Server("127.0.0.1", deadPort())), 5000);
            raises(TicketStore.StoreException.class, () -> dead.take(prefix + "ticket:" + T.randomTicket()));
        });

        test("one server down, the other holds the ticket: unavailable, nothing deleted", () -> {
            final String k = prefix + "ticket:" + T.randomTicket();
            set(a, k, "x".getBytes(StandardCharsets.UTF_8), 60);
            final MemcachedTicketStore half = new MemcachedTicketStore(List.of(
                    new MemcachedTicketStore.Server("127.0.0.1", deadPort()), a), 5000);
            final TicketStore.StoreException e = raises(TicketStore.StoreException.class, () -> half.take(k));
            check(e.getMessage().contains("did not answer"), e.getMessage());
            check(holds(a, k), "the copy stays for a take that hears every server");
            eq("x", new String(both.take(k), StandardCharsets.UTF_8), "taken once every server answers");
        });

        test("a memcached stopped (SIGSTOP) then killed: unavailable, then taken exactly once", () -> {
            stoppedAndKilled(prefix, b);
        });

        test("a server that accepts but never answers times out", () -> {
            try (ServerSocket silent = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
                final List<Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());
                final Thread acceptor = new Thread(() -> {
                    try {
                        while (true) {
                            held.add(silent.accept());
                        }
                    } catch (final Exception e) {
                        // closed
                    }
                });
                acceptor.setDaemon(true);
                acceptor.start();
                final MemcachedTicketStore s = new MemcachedTicketStore(List.of(
                        new MemcachedTicketStore.Server("127.0.0.1", silent.getLocalPort())), 300);
                final long t0 = System.nanoTime();
                raises(TicketStore.StoreException.class, () -> s.take(prefix + "ticket:" + T.randomTicket()));
                final long ms = (System.nanoTime() - t0) / 1_000_000;
                check(ms >= 250 && ms < 15000, "timed out after " + ms + " ms (timeout 300 ms)");
                // with a working server next to it: unavailable too (the silent one may hold a copy)
                final String k = prefix + "ticket:" + T.randomTicket();
                set(b, k, "y".getBytes(StandardCharsets.UTF_8), 60);
                final MemcachedTicketStore mixed = new MemcachedTicketStore(List.of(
                        new MemcachedTicketStore.Server("127.0.0.1", silent.getLocalPort()), b), 1000);
                raises(TicketStore.StoreException.class, () -> mixed.take(k));
                check(holds(b, k), "nothing deleted");
                for (final Socket x : held) {
                    x.close();
                }
            }
        });

        test("server list syntax", () -> {
            final List<MemcachedTicketStore.Server> l = MemcachedTicketStore.parseServers(
                    " 10.0.0.1:11211, mc2.example.edu:11212 [::1]:11213 ");
            eq(3, l.size(), "three servers");
            eq("10.0.0.1:11211", l.get(0).toString(), "first");
            eq("mc2.example.edu:11212", l.get(1).toString(), "second");
            eq("[::1]:11213", l.get(2).toString(), "IPv6");
            for (final String bad : new String[] {"", "host", "host:", "host:0", "host:65536", ":11211", "::1:11211",
                "[::1]11211"}) {
                raises(IllegalArgumentException.class, () -> MemcachedTicketStore.parseServers(bad));
            }
        });
    }

    /** memcached on 127.0.0.1:port, as tests/services/start-memcached.sh starts it; ready when it answers. */
    static Process startMemcached(final int port) throws Exception {
        final List<String> cmd = new ArrayList<>(List.of("memcached", "-l", "127.0.0.1", "-p", String.valueOf(port),
                "-U", "0", "-m", "16"));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("-u", "root")); // memcached refuses to run as root without it
        }
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        for (int i = 0; i < 100; i++) {
            try (Socket sock = new Socket()) {
                sock.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return p;
            } catch (final java.io.IOException e) {
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("memcached did not start on port " + port);
    }

    static void signal(final Process p, final String sig) throws Exception {
        eq(0, new ProcessBuilder("kill", "-" + sig, String.valueOf(p.pid())).start().waitFor(), "kill -" + sig);
        if ("STOP".equals(sig)) {
            // kill returns before the group stop reaches every thread: wait until none runs
            final java.nio.file.Path tasks = java.nio.file.Paths.get("/proc", String.valueOf(p.pid()), "task");
            for (int i = 0; i < 400; i++) {
                boolean running = false;
                try (java.util.stream.Stream<java.nio.file.Path> ts = java.nio.file.Files.list(tasks)) {
                    for (final java.nio.file.Path t : (Iterable<java.nio.file.Path>) ts::iterator) {
                        final String st = new String(java.nio.file.Files.readAllBytes(t.resolve("stat")),
                                StandardCharsets.US_ASCII);
                        final int rp = st.lastIndexOf(')');
                        final char state = rp >= 0 && rp + 2 < st.length() ? st.charAt(rp + 2) : '?';
                        running |= state != 'T' && state != 't';
                    }
                } catch (final java.io.IOException e) {
                    running = true; // a thread came or went: look again
                }
                if (!running) {
                    return;
                }
                Thread.sleep(5);
            }
            throw new AssertionError("memcached " + p.pid() + " did not stop");
        }
    }

    /**
     * Issue 12: with a copy on each of two servers, a taker that could not reach one took the
     * other copy and won, and a later taker won again with the copy the fault had hidden. A
     * memcached of this test's own (c) next to the harness's b.
     */
    private static void stoppedAndKilled(final String prefix, final MemcachedTicketStore.Server b) throws Exception {
        final int port = deadPort();
        final MemcachedTicketStore.Server c = new MemcachedTicketStore.Server("127.0.0.1", port);
        Process mc = startMemcached(port);
        try {
            final MemcachedTicketStore store = new MemcachedTicketStore(List.of(c, b), 300);
            final String k = prefix + "ticket:" + T.randomTicket();
            final byte[] v = "record".getBytes(StandardCharsets.UTF_8);
            set(c, k, v, 60);
            set(b, k, v, 60);
            signal(mc, "STOP");
            for (int i = 0; i < 2; i++) {
                final long t0 = System.nanoTime();
                raises(TicketStore.StoreException.class, () -> store.take(k));
                final long ms = (System.nanoTime() - t0) / 1_000_000;
                check(ms < 2000, "unavailable within the timeout: " + ms + " ms");
            }
            check(holds(b, k), "nothing deleted while c is stopped");
            signal(mc, "CONT");
            int wins = 0;
            for (int i = 0; i < 4; i++) {
                if (store.take(k) != null) {
                    wins++;
                }
            }
            eq(1, wins, "taken exactly once after c came back");
            check(!holds(b, k) && !holds(c, k), "no copy left");

            // killed: it comes back empty, the copy on b is then the only one
            final String k2 = prefix + "ticket:" + T.randomTicket();
            set(c, k2, v, 60);
            set(b, k2, v, 60);
            mc.destroyForcibly().waitFor();
            raises(TicketStore.StoreException.class, () -> store.take(k2));
            raises(TicketStore.StoreException.class, () -> store.take(k2));
            check(holds(b, k2), "nothing deleted while c is down");
            mc = startMemcached(port);
            wins = 0;
            for (int i = 0; i < 4; i++) {
                if (store.take(k2) != null) {
                    wins++;
                }
            }
            eq(1, wins, "taken exactly once after c restarted");
            check(!holds(b, k2), "no copy left");
        } finally {
            mc.destroyForcibly().waitFor();
        }
    }

    private static void race(final MemcachedTicketStore store, final String prefix, final int rounds,
            final int takers, final boolean copies, final MemcachedTicketStore.Server a,
            final MemcachedTicketStore.Server b, final AtomicInteger n) throws Exception {
        int none = 0;
        for (int r = 0; r < rounds; r++) {
            final String key = prefix + "ticket:race-" + n.incrementAndGet() + "-" + T.randomTicket();
            final byte[] v = ("round " + r).getBytes(StandardCharsets.UTF_8);
            set(a, key, v, 60);
            if (copies) {
                set(b, key, v, 60);
            }
            final CountDownLatch go = new CountDownLatch(1);
            final AtomicInteger winners = new AtomicInteger();
            final AtomicReference<Throwable> err = new AtomicReference<>();
            final Thread[] ts = new Thread[takers];
            for (int i = 0; i < takers; i++) {
                ts[i] = new Thread(() -> {
                    try {
                        go.await();
                        final byte[] got = store.take(key);
                        if (got != null) {
                            if (!Arrays.equals(v, got)) {
                                throw new AssertionError("wrong value");
                            }
                            winners.incrementAndGet();
                        }
                    } catch (final Throwable t) {
                        err.set(t);
                    }
                });
                ts[i].start();
            }
            go.countDown();
            for (final Thread t : ts) {
                t.join(10_000);
            }
            if (err.get() != null) {
                throw new AssertionError("taker failed in round " + r, err.get());
            }
            if (winners.get() > 1) {
                throw new AssertionError("round " + r + ": " + winners.get() + " winners");
            }
            if (winners.get() == 0) {
                none++;
            }
            if (holds(a, key) || holds(b, key)) {
                throw new AssertionError("round " + r + ": a copy survived the race");
            }
        }
        if (!copies && none > 0) {
            throw new AssertionError(none + " of " + rounds + " rounds had no winner with a single copy");
        }
        System.out.println("     " + rounds + " rounds, " + takers + " takers, copies " + copies + ": "
                + (rounds - none) + " with one winner, " + none + " with none, 0 with two or more");
    }

    private static void check2(final boolean c, final String what) {
        if (!c) {
            throw new IllegalStateException(what);
        }
    }
}
