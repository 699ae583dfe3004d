package fidobridge.idp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * Runs every suite and prints "N passed, M failed"; exits 1 on any failure.
 *
 * Usage: RunTests REPO_DIR WORK_DIR MEMCACHED_SERVERS
 * (MEMCACHED_SERVERS: at least two host:port, from tests/services/start-memcached.sh)
 */
public final class RunTests {

    /** The repository (REPO_DIR): shared test material such as tests/handoff/. */
    static String repo = ".";

    private RunTests() {
    }

    public static void main(final String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: RunTests REPO_DIR WORK_DIR MEMCACHED_SERVERS");
            System.exit(2);
        }
        final Path repo = Paths.get(args[0]);
        RunTests.repo = args[0];
        final Path work = Files.createDirectories(Paths.get(args[1]));
        final String serverList = args[2];
        final List<MemcachedTicketStore.Server> servers = MemcachedTicketStore.parseServers(serverList);
        // a fresh key prefix per run: nothing left over from another run can interfere
        final String prefix = "fbtest" + Long.toString(System.nanoTime() & 0xffffffffL, 36) + ":";
        LogCapture.install(Boolean.getBoolean("shim.verbose"));

        JsonTests.run();
        StandInTests.run();
        HandoffTests.run();
        StoreTests.run(servers, prefix);
        ShimTests.run(servers, serverList, work, prefix);
        ConfigFileTests.run(repo, work);

        System.out.println();
        for (final String f : T.FAILURES) {
            System.out.println("FAILED: " + f);
        }
        System.out.println(T.passed + " passed, " + T.failed + " failed");
        System.exit(T.failed == 0 ? 0 : 1);
    }
}
