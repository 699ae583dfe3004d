/*
 * HTTP tests: the edges of the HTTP server, on raw sockets (rawconn.c):
 * both framings in one request, libmicrohttpd's own error replies and their
 * headers, the request deadline against a slow drip ([server]
 * header_timeout: the "edges" stack sets 2 s), the management listener
 * ([server] admin_listen) apart from the public port, and how the start
 * parameters decode '+'.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>

#include "cases.h"
#include "ceremonies.h"
#include "client.h"
#include "fixtures.h"
#include "harness.h"
#include "rawconn.h"
#include "stack.h"

/* The value of header name in a raw response (up to the blank line), or NULL; a new string. */
static char *
raw_header(const char *resp, const char *name)
{
	const char *p = strstr(resp, "\r\n"), *end = strstr(resp, "\r\n\r\n");
	size_t n = strlen(name);

	while (p != NULL && end != NULL && p < end) {
		const char *line = p + 2, *eol = strstr(line, "\r\n");
		if (eol == NULL)
			break;
		if ((size_t)(eol - line) > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
			const char *v = line + n + 1;
			while (*v == ' ')
				v++;
			return strndup(v, (size_t)(eol - v));
		}
		p = eol;
	}
	return NULL;
}

static int
raw_status_of(const char *resp)
{
	int st = 0;

	return sscanf(resp, "HTTP/1.%*1d %3d", &st) == 1 ? st : 0;
}

/* The headers every reply must carry, ours and libmicrohttpd's own. */
static void
check_security_headers(const char *what, const char *resp)
{
	static const struct {
		const char *name, *want;        /* want: a part of the value */
	} h[] = {
		{ "Content-Security-Policy", "default-src 'none'" },
		{ "Content-Security-Policy", "frame-ancestors 'none'" },
		{ "X-Content-Type-Options", "nosniff" },
		{ "X-Frame-Options", "DENY" },
		{ "Referrer-Policy", "no-referrer" },
		{ "Cross-Origin-Opener-Policy", "same-origin" },
		{ "Cache-Control", "no-store" },
		{ "Content-Type", "charset=utf-8" },
	};
	size_t i;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		char *v = raw_header(resp, h[i].name);
		CHECKF(v != NULL && strstr(v, h[i].want) != NULL, "%s: %s is \"%s\", want \"%s\" in it", what, h[i].name,
		    v != NULL ? v : "(none)", h[i].want);
		free(v);
	}
}

/* Send text on a new connection and read until the server closes (at most 5 s). */
static char *
exchange(const char *text, size_t len, int *closed)
{
	int fd = raw_connect(NULL, bridge_port());
	char *resp;

	REQUIREF(fd >= 0, "cannot connect to the bridge");
	CHECK(raw_send_n(fd, text, len) == 0);
	resp = raw_read_all(fd, 5000, closed);
	raw_close(fd);
	return resp;
}

void
t_edges_both_framings(void)
{
	/*
	 * Content-Length says the body is "0\r\n\r\n" and a second request
	 * follows; Transfer-Encoding says the body ends at "0\r\n\r\n" ... A proxy
	 * and the bridge that disagree here can be made to see different requests.
	 */
	static const char req[] =
	    "POST /api/authenticate/options HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
	    "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
	    "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
	int closed;
	char *resp = exchange(req, sizeof(req) - 1, &closed), *conn;

	CHECKF(raw_status_of(resp) == 400, "Content-Length with Transfer-Encoding: got \"%.200s\"", resp);
	conn = raw_header(resp, "Connection");
	CHECKF(conn != NULL && strcasecmp(conn, "close") == 0, "Connection: \"%s\", want close", conn != NULL ? conn : "(none)");
	CHECK(closed);
	/* the request smuggled behind it got no answer */
	CHECKF(strstr(resp + 12, "HTTP/1.1 ") == NULL, "a second response followed: %.600s", resp);
	check_security_headers("CL+TE", resp);
	free(conn);
	free(resp);

	/* either framing alone is fine (the control) */
	{
		static const char cl[] = "POST /api/authenticate/options HTTP/1.1\r\nHost: localhost\r\n"
		    "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
		static const char te[] = "POST /api/authenticate/options HTTP/1.1\r\nHost: localhost\r\n"
		    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
		resp = exchange(cl, sizeof(cl) - 1, &closed);
		/* no Origin: forbidden, which proves the request reached the route */
		CHECKF(raw_status_of(resp) == 403, "Content-Length alone: \"%.200s\"", resp);
		free(resp);
		resp = exchange(te, sizeof(te) - 1, &closed);
		CHECKF(raw_status_of(resp) == 403, "Transfer-Encoding alone: \"%.200s\"", resp);
		free(resp);
	}
}

void
t_edges_library_replies(void)
{
	static const struct {
		const char *what;
		int status;
	} want[] = {
		{ "a header line without a colon", 400 },
		{ "HTTP/2.5", 505 },
		{ "a 20 KiB request line", 414 },
		{ "a 20 KiB header", 431 },
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char *req, *resp, *pad = malloc(20001);
		int closed;

		memset(pad, 'a', 20000);
		pad[20000] = '\0';
		switch (i) {
		case 0: req = xfmt("GET /login HTTP/1.1\r\nHost: localhost\r\nno colon here\r\n\r\n"); break;
		case 1: req = xfmt("GET /login HTTP/2.5\r\nHost: localhost\r\n\r\n"); break;
		case 2: req = xfmt("GET /%s HTTP/1.1\r\nHost: localhost\r\n\r\n", pad); break;
		default: req = xfmt("GET /login HTTP/1.1\r\nHost: localhost\r\nX-Pad: %s\r\n\r\n", pad); break;
		}
		resp = exchange(req, strlen(req), &closed);
		CHECKF(raw_status_of(resp) == want[i].status, "%s: got \"%.200s\", want %d", want[i].what, resp, want[i].status);
		check_security_headers(want[i].what, resp);
		CHECKF(closed, "%s: the connection stayed open", want[i].what);
		free(resp);
		free(req);
		free(pad);
	}
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)(t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Drip req one byte every step ms; returns the milliseconds until the
 * server closed, or -1 when all of it went out and nothing closed it
 * within 3 s more.
 */
static long
drip(int fd, const char *req, int step, const struct timespec *t0)
{
	size_t i;

	for (i = 0; req[i] != '\0'; i++) {
		if (raw_send_n(fd, req + i, 1) < 0 || raw_wait_closed(fd, step))
			return ms_since(t0);
	}
	return raw_wait_closed(fd, 3000) ? ms_since(t0) : -1;
}

void
t_edges_slow_drip(void)
{
	char *conf = conf_value("server", "header_timeout");
	/* "2s" or "2": whole seconds */
	long limit_ms = conf != NULL ? strtol(conf, NULL, 10) * 1000 : 0, took;
	/* long enough that a byte every 250 ms (each one resets the idle timeout) outlasts the deadline */
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n"
	    "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
	struct timespec t0;
	int fd, closed;
	char *resp;

	free(conf);
	if (limit_ms <= 0 || limit_ms > 5000)
		th_skip("needs a short [server] header_timeout (the edges stack sets 2s)");

	/* a connection that drips its request line and headers is dropped at the deadline */
	REQUIRE((fd = raw_connect(NULL, bridge_port())) >= 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	took = drip(fd, req, 250, &t0);
	raw_close(fd);
	CHECKF(took >= limit_ms - 100 && took <= limit_ms + 1000,
	    "a slow drip was dropped after %ld ms (-1: never), the deadline is %ld ms", took, limit_ms);

	/* the same on a kept-alive connection: the next request has the same time */
	REQUIRE((fd = raw_connect(NULL, bridge_port())) >= 0);
	CHECK(raw_send(fd, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n") == 0);
	CHECK(raw_status(fd, 3000) == 200);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	took = drip(fd, req, 250, &t0);
	raw_close(fd);
	CHECKF(took >= 0 && took <= limit_ms + 1000, "the second request's drip was dropped after %ld ms (-1: never)", took);

	/* a request that arrives in time, slowly, is answered: the deadline is not an idle timeout */
	REQUIRE((fd = raw_connect(NULL, bridge_port())) >= 0);
	CHECK(raw_send(fd, "GET /healthz HTTP/1.1\r\n") == 0);
	raw_pause((int)(limit_ms / 2));
	CHECK(raw_send(fd, "Host: localhost\r\nConnection: close\r\n\r\n") == 0);
	resp = raw_read_all(fd, 3000, &closed);
	CHECKF(raw_status_of(resp) == 200, "a request within the deadline: \"%.200s\"", resp);
	free(resp);
	raw_close(fd);

	/* and an idle kept-alive connection is closed at the deadline too, not held open */
	REQUIRE((fd = raw_connect(NULL, bridge_port())) >= 0);
	CHECK(raw_send(fd, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n") == 0);
	CHECK(raw_status(fd, 3000) == 200);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECKF(raw_wait_closed(fd, (int)limit_ms + 1500), "an idle kept-alive connection outlived the deadline");
	raw_close(fd);

	/* the drops are counted where the operator looks */
	{
		hc_browser *b = browser();
		hc_resp r = { 0 };
		char *url = xfmt("%s/metrics", E.admin);
		bget(b, url, &r);
		CHECKF(r.status == 200 && r.body != NULL &&
		    strstr(r.body, "fidobridge_request_seconds_count{route=\"header_timeout\"") != NULL,
		    "/metrics does not count the dropped connections: %.1500s", r.body != NULL ? r.body : "");
		free(url);
		hc_resp_reset(&r);
		hc_browser_free(b);
	}
}

void
t_edges_admin_listener(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char *url;
	const char *c = strrchr(E.admin, ':');
	int port = c != NULL ? atoi(c + 1) : 0, fd;

	/* the public port: no metrics, a health answer without detail */
	bget(b, "/metrics", &r);
	EXPECT_STATUS(&r, 404);
	bget(b, "/healthz", &r);
	EXPECT_STATUS(&r, 200);
	CHECK_STR(r.body, "ok\n");

	/* the management listener: metrics, health, nothing else */
	url = xfmt("%s/metrics", E.admin);
	bget(b, url, &r);
	EXPECT_STATUS(&r, 200);
	CHECKF(r.body != NULL && strstr(r.body, "# TYPE fidobridge_events_total counter") != NULL, "admin /metrics: %.300s",
	    r.body);
	CHECKF(r.body != NULL && strstr(r.body, "route=\"healthz\"") != NULL, "admin /metrics counts no public /healthz");
	/* scrapes are not requests to the bridge: the listener's own routes are not counted */
	CHECKF(r.body != NULL && strstr(r.body, "route=\"admin_") == NULL, "the admin listener's requests are in /metrics");
	free(url);
	url = xfmt("%s/healthz", E.admin);
	bget(b, url, &r);
	EXPECT_STATUS(&r, 200);
	CHECK_STR(r.body, "ok\n");
	free(url);
	url = xfmt("%s/login", E.admin);
	bget(b, url, &r);
	EXPECT_STATUS(&r, 404);
	free(url);

	/* bound to 127.0.0.1 only: another loopback address of this host finds nothing there */
	REQUIRE(port > 0);
	fd = raw_connect_to("127.0.0.2", port);
	CHECKF(fd < 0 && errno == ECONNREFUSED, "the admin listener answers on 127.0.0.2 (fd %d, errno %d)", fd, errno);
	raw_close(fd);
	REQUIRE((fd = raw_connect_to("127.0.0.1", port)) >= 0);
	raw_close(fd);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/*
 * GET /authn/start signed over entity, with entity_q as its query text; the
 * status, with the Location in *loc (borrowed from r).
 */
static long
start_with_entity(hc_browser *b, const char *entity, const char *entity_q, hc_resp *r)
{
	char *state = rand_b64(16), *ret = xfmt("%s/finish", E.idp), *m, *sig, *rq, *url;
	long long ts = (long long)time(NULL);

	m = xfmt("fido-bridge start v2\nconv1\n%s\n%s\n%s\n0\n0\n%lld", state, ret, entity, ts);
	sig = hmac_b64url(E.secret, m);
	rq = hc_urlencode(ret);
	url = xfmt("/authn/start?conversation=conv1&state=%s&return=%s&entity=%s&force=0&passive=0&ts=%lld&sig=%s",
	    state, rq, entity_q, ts, sig);
	bget(b, url, r);
	free(url);
	free(rq);
	free(sig);
	free(m);
	free(ret);
	free(state);
	return r->status;
}

void
t_edges_plus_in_start(void)
{
	/* a space and a plus, signed as such */
	const char *entity = "urn:x-test:a b+c";
	hc_browser *b = browser();
	hc_resp r = { 0 };

	/* form encoding: '+' is a space, %2B a plus */
	start_with_entity(b, entity, "urn:x-test:a+b%2Bc", &r);
	CHECKF(r.status == 303 && starts_with(hc_header_get(&r, "Location"), "/login"),
	    "'+' for the space, %%2B for the plus: HTTP %ld, Location %s", r.status, hc_header_get(&r, "Location"));
	hc_browser_free(b);

	/* %20 is a space too */
	b = browser();
	start_with_entity(b, entity, "urn:x-test:a%20b%2Bc", &r);
	CHECKF(r.status == 303, "%%20 for the space: HTTP %ld", r.status);
	hc_browser_free(b);

	/* a raw '+' meant as a plus is read as a space: the signature does not match */
	b = browser();
	start_with_entity(b, entity, "urn:x-test:a%20b+c", &r);
	expect_error_page(&r, 400);
	CHECK(audit_count("handoff_rejected", "bad_signature") > 0);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/* What docs/http-api.md says a JSON call without the page's cookie gets. */
void
t_edges_missing_cookie(void)
{
	hc_browser *b = hc_browser_new_fresh(E.bridge);
	hc_resp r = { 0 };

	/* no fb_flow: the sign-in calls say expired */
	bpost(b, "/api/authenticate/options", "{}", &r);
	EXPECT_ERROR(&r, 400, "expired");
	bpost(b, "/api/authenticate/verify", "{}", &r);
	EXPECT_ERROR(&r, 400, "expired");
	/* no fb_session: the calls that act on an account are forbidden */
	bget(b, "/api/passkeys", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	bpost(b, "/api/passkeys/rename", "{\"id\":\"AAAA\",\"nickname\":\"x\"}", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	bpost(b, "/api/register/options", "{}", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	/* a cookie for a record that is not there is the same */
	hc_cookie_put(b, E.host, "fb_flow", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	hc_cookie_put(b, E.host, "fb_session", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	bpost(b, "/api/authenticate/options", "{}", &r);
	EXPECT_ERROR(&r, 400, "expired");
	bget(b, "/api/passkeys", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/*
 * A store down: the public /healthz says only "not ok", the management
 * listener names the part. Ends one memcached of this stack (the edges
 * group's last case: nothing runs after it on this stack).
 */
void
t_edges_health_detail(void)
{
	const char *pids = getenv("MEMCACHED_PIDS");
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char *url = xfmt("%s/healthz", E.admin);
	long pid = pids != NULL ? strtol(pids, NULL, 10) : 0;
	int i;

	if (pid <= 0)
		th_skip("MEMCACHED_PIDS is not set");
	REQUIRE(kill((pid_t)pid, SIGKILL) == 0);
	for (i = 0; i < 50 && kill((pid_t)pid, 0) == 0; i++)
		raw_pause(100);
	bget(b, "/healthz", &r);
	EXPECT_STATUS(&r, 503);
	CHECK_STR(r.body, "not ok\n");
	CHECKF(r.body == NULL || strstr(r.body, "memcached") == NULL, "the public /healthz names the part: %s", r.body);
	bget(b, url, &r);
	EXPECT_STATUS(&r, 503);
	CHECKF(r.body != NULL && starts_with(r.body, "memcached"), "admin /healthz: \"%s\", want the failing part",
	    r.body != NULL ? r.body : "");
	free(url);
	hc_resp_reset(&r);
	hc_browser_free(b);
}
