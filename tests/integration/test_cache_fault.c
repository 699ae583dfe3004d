/*
 * Take-once through a server fault, against two real memcached servers
 * (with-services.sh --memcached 2) and replicas = 1, so each ticket has a
 * copy on both. One server is stopped (SIGSTOP: its connections hang, as in
 * a timeout) or killed and started again on its port. While it is away a
 * take or delete is unavailable, never won, and deletes nothing; once it is
 * back the ticket is taken exactly once, never twice. Before the fix a taker
 * that could not reach one server took the other copy and won, and a later
 * taker won again with the copy the fault had hidden.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "../../bridge/store/cache.h"
#include "../../bridge/store/store_error.h"
#include "../services/proc_stop.h"
#include "check.h"

#define TIMEOUT_MS 300
#define RETRY_WAIT_MS 1000   /* then poll: libmemcached skips a failed server for 2-3 s (RETRY_S) */

static const char *servers;
static pid_t restarted;   /* the memcached this test started again: stopped at exit, pass or fail */

static void
stop_restarted(void)
{
	if (restarted > 0) {
		kill(restarted, SIGTERM);
		waitpid(restarted, NULL, 0);
		restarted = 0;
	}
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static br_cache *
open_cache(const char *prefix)
{
	br_cache_options o = { servers, prefix, 1, TIMEOUT_MS };
	char err[256];
	br_cache *c = br_cache_open(&o, err, sizeof(err));

	if (c == NULL)
		fprintf(stderr, "open: %s\n", err);
	CHECK(c != NULL);
	return c;
}

/* "get KEY" over the text protocol on one port, not the bridge's code: 1 when that server holds it. */
static int
raw_has(int port, const char *key)
{
	struct sockaddr_in sa;
	struct timeval tv = { 2, 0 };
	char req[300], buf[512];
	size_t len = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	CHECK(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	snprintf(req, sizeof(req), "get %s\r\n", key);
	CHECK(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "END\r\n") != NULL)
			break;
	}
	close(fd);
	buf[len] = '\0';
	CHECK(strstr(buf, "END\r\n") != NULL);
	return strncmp(buf, "VALUE ", 6) == 0;
}

/* SIGSTOP, and every thread of pid stopped (tests/services/proc_stop.c). */
static void
stop_server(pid_t pid)
{
	char why[200];

	if (svc_stop_process(pid, why, sizeof(why)) != 0) {
		fprintf(stderr, "memcached: %s\n", why);
		CHECK(0);
	}
}

/* A take that must be unavailable: BR_CACHE_ERROR, no value, a reason, quickly. */
static void
take_unavailable(br_cache *c, const char *key)
{
	char *v = NULL;
	size_t n = 0;
	long t0 = now_ms(), dt;

	br_store_error_clear();
	CHECK(br_cache_take(c, key, &v, &n) == BR_CACHE_ERROR);
	CHECK(v == NULL && n == 0);
	dt = now_ms() - t0;
	fprintf(stderr, "  take while a server is away: unavailable in %ld ms (%s)\n", dt, br_store_error_get());
	CHECK(strncmp(br_store_error_get(), "memcached ", 10) == 0);
	/* one timeout per server at most: short enough for the browser to be told at once */
	CHECK(dt < 3 * TIMEOUT_MS + 200);
}

/* Once the server is back: exactly one more take wins, with the value, and the next finds nothing. */
static void
taken_exactly_once(br_cache *c, const char *key, const char *want)
{
	char *v = NULL;
	size_t n = 0;

	br_cache_rc r;

	long t0 = now_ms();

	/* until libmemcached tries the server again: unavailable, and nothing taken */
	for (;;) {
		br_store_error_clear();
		r = br_cache_take(c, key, &v, &n);
		if (r != BR_CACHE_ERROR || now_ms() - t0 > 10000)
			break;
		sleep_ms(100);
	}
	fprintf(stderr, "  server back: takes unavailable for %ld ms more\n", now_ms() - t0);
	if (r != BR_CACHE_OK)
		fprintf(stderr, "  take after the server came back: %s (%s)\n", br_cache_rc_name(r), br_store_error_get());
	CHECK(r == BR_CACHE_OK);
	CHECK(v != NULL && n == strlen(want) && memcmp(v, want, n) == 0);
	free(v);
	v = NULL;
	CHECK(br_cache_take(c, key, &v, &n) == BR_CACHE_MISS && v == NULL);
}

static void
stopped_server(pid_t victim, int port_a, int port_b)
{
	br_cache *c = open_cache("fs:");
	char *v = NULL;
	size_t n;
	int wins = 0, i;

	CHECK(br_cache_set(c, "ticket:stop", "record-1", 8, 60) == BR_CACHE_OK);
	CHECK(br_cache_set(c, "flow:stop", "flow-1", 6, 60) == BR_CACHE_OK);
	CHECK(raw_has(port_a, "fs:ticket:stop") && raw_has(port_b, "fs:ticket:stop"));

	stop_server(victim);
	/* the first take meets the timeout, the next ones libmemcached's skipped server: both unavailable */
	take_unavailable(c, "ticket:stop");
	take_unavailable(c, "ticket:stop");
	br_store_error_clear();
	CHECK(br_cache_delete(c, "flow:stop") == BR_CACHE_ERROR);
	CHECK(strncmp(br_store_error_get(), "memcached delete: ", 18) == 0);
	CHECK(kill(victim, SIGCONT) == 0);

	/* nothing was deleted meanwhile: both copies are still there */
	CHECK(raw_has(port_a, "fs:ticket:stop") && raw_has(port_b, "fs:ticket:stop"));
	sleep_ms(RETRY_WAIT_MS);
	/*
	 * The unavailable delete is retried until done. (Its request to the
	 * stopped server may have been read on SIGCONT: the retry finds nothing
	 * then. Either way no copy is left.)
	 */
	{
		long t0 = now_ms();
		br_cache_rc r;

		/* libmemcached tries the server again 2-3 s after its failure (RETRY_S, whole seconds) */
		while ((r = br_cache_delete(c, "flow:stop")) == BR_CACHE_ERROR && now_ms() - t0 < 10000)
			sleep_ms(100);
		fprintf(stderr, "  server back: deletes unavailable for %ld ms more\n", now_ms() - t0);
		CHECK(r == BR_CACHE_OK || r == BR_CACHE_MISS);
	}
	CHECK(br_cache_get(c, "flow:stop", &v, &n) == BR_CACHE_MISS);
	CHECK(!raw_has(port_a, "fs:flow:stop") && !raw_has(port_b, "fs:flow:stop"));
	/* back: of any number of takers, exactly one wins */
	for (i = 0; i < 5; i++) {
		br_cache_rc r;

		v = NULL;
		r = br_cache_take(c, "ticket:stop", &v, &n);
		CHECK(r == BR_CACHE_OK || r == BR_CACHE_MISS);
		if (r == BR_CACHE_OK)
			wins++;
		CHECK(r != BR_CACHE_OK || (n == 8 && memcmp(v, "record-1", 8) == 0));
		free(v);
	}
	CHECK(wins == 1);
	CHECK(!raw_has(port_a, "fs:ticket:stop") && !raw_has(port_b, "fs:ticket:stop"));
	br_cache_close(&c);
}

/* memcached -l 127.0.0.1 -p port -U 0 -m 16, as tests/services/start-memcached.sh starts it; its pid. */
static pid_t
start_memcached(int port)
{
	char p[16];
	pid_t pid;
	int i;

	snprintf(p, sizeof(p), "%d", port);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (getuid() == 0)
			execlp("memcached", "memcached", "-l", "127.0.0.1", "-p", p, "-U", "0", "-m", "16", "-u",
			    "nobody", (char *)NULL);
		else
			execlp("memcached", "memcached", "-l", "127.0.0.1", "-p", p, "-U", "0", "-m", "16", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100; i++) {
		struct sockaddr_in sa;
		int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

		memset(&sa, 0, sizeof(sa));
		sa.sin_family = AF_INET;
		sa.sin_port = htons((uint16_t)port);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		close(fd);
		if (ok)
			return pid;
		sleep_ms(50);
	}
	fprintf(stderr, "memcached did not come back on port %d\n", port);
	kill(pid, SIGKILL);
	exit(1);
}

static void
killed_server(pid_t victim, int port_a, int port_b)
{
	br_cache *c = open_cache("fk:");
	pid_t again;
	int status;

	CHECK(br_cache_set(c, "ticket:kill", "record-2", 8, 60) == BR_CACHE_OK);
	CHECK(raw_has(port_a, "fk:ticket:kill") && raw_has(port_b, "fk:ticket:kill"));
	CHECK(kill(victim, SIGKILL) == 0);
	waitpid(victim, &status, WNOHANG); /* not our child in with-services.sh; harmless */
	sleep_ms(200);
	take_unavailable(c, "ticket:kill");
	take_unavailable(c, "ticket:kill");
	CHECK(raw_has(port_b, "fk:ticket:kill"));
	/* a memcached that was killed comes back empty: the copy on the other server is the only one */
	again = start_memcached(port_a);
	restarted = again;
	sleep_ms(RETRY_WAIT_MS);
	taken_exactly_once(c, "ticket:kill", "record-2");
	CHECK(!raw_has(port_a, "fk:ticket:kill") && !raw_has(port_b, "fk:ticket:kill"));
	br_cache_close(&c);
}

int
main(void)
{
	const char *pids, *ports;
	pid_t pid_a;
	int port_a, port_b;

	if ((servers = getenv("MEMCACHED_SERVERS")) == NULL || (pids = getenv("MEMCACHED_PIDS")) == NULL ||
	    (ports = getenv("MEMCACHED_PORTS")) == NULL) {
		fprintf(stderr, "run me through tests/integration/with-services.sh --memcached 2\n");
		return 1;
	}
	CHECK(sscanf(ports, "%d %d", &port_a, &port_b) == 2);
	pid_a = (pid_t)atoi(pids);
	CHECK(pid_a > 0);

	atexit(stop_restarted);
	stopped_server(pid_a, port_a, port_b);
	killed_server(pid_a, port_a, port_b);
	stop_restarted();
	printf("test_cache_fault: ok\n");
	return 0;
}
