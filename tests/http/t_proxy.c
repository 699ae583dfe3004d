/*
 * HTTP tests behind a reverse proxy: [server] trusted_proxies and
 * X-Forwarded-For ("proxy" group: a stack with trusted_proxies = 127.0.0.1;
 * "limits" group: none).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cases.h"
#include "ceremonies.h"
#include "client.h"
#include "fixtures.h"
#include "harness.h"
#include "rawconn.h"
#include "stack.h"

/* Calls fn for each audit line that is a JSON object with a "client" and, when event is not NULL, that event. */
static void
audit_each_client(const char *event, void (*fn)(const char *client, void *ctx), void *ctx)
{
	char *text = file_read(E.audit), *p;

	for (p = text; p != NULL && *p;) {
		size_t len = strcspn(p, "\n");
		char *line = strndup(p, len);
		json_error_t je;
		json_t *j = json_loads(line, 0, &je);
		if (json_is_object(j) && jstr(j, "client") != NULL && (event == NULL || (jstr(j, "event") != NULL &&
		    strcmp(jstr(j, "event"), event) == 0)))
			fn(jstr(j, "client"), ctx);
		json_decref(j);
		free(line);
		p += len;
		if (*p == '\n')
			p++;
	}
	free(text);
}

static void
keep_client(const char *client, void *ctx)
{
	char **last = ctx;

	free(*last);
	*last = strdup(client);
}

/* The "client" of the last audit line with this event (any event: NULL), malloc'd; NULL if none. */
static char *
audit_last_client(const char *event)
{
	char *client = NULL;

	audit_each_client(event, keep_client, &client);
	return client;
}

struct client_count {
	const char *client;
	int n;
};

static void
count_client(const char *client, void *ctx)
{
	struct client_count *c = ctx;

	c->n += strcmp(client, c->client) == 0;
}

/* How many audit lines name this client (with this event, when not NULL). */
static int
audit_count_client(const char *event, const char *client)
{
	struct client_count c = { client, 0 };

	audit_each_client(event, count_client, &c);
	return c.n;
}

/* POST /api/authenticate/options {} with these X-Forwarded-For lines (NULL-terminated; none: no header). */
static long
xff_options(hc_browser *b, const char *const *xff, hc_resp *r)
{
	const char *h[8];
	char *origin = xfmt("Origin: %s", E.bridge), *u = xfmt("%s/api/authenticate/options?for=passkeys", E.bridge);
	char *lines[4] = { NULL, NULL, NULL, NULL };
	int n = 0, i;

	h[n++] = "Content-Type: application/json";
	h[n++] = origin;
	for (i = 0; xff != NULL && xff[i] != NULL && i < 4; i++)
		h[n++] = lines[i] = xfmt("X-Forwarded-For: %s", xff[i]);
	h[n] = NULL;
	hc_request(b, "POST", u, "{}", 2, h, 0, r);
	bridge_response_checks(r);
	for (i = 0; i < 4; i++)
		free(lines[i]);
	free(origin);
	free(u);
	return r->status;
}

/* A correctly signed /authn/start with one X-Forwarded-For line (NULL: none); the response status. */
static long
xff_start(hc_browser *b, const char *xff, hc_resp *r)
{
	char *state = rand_b64(32), *ret = xfmt("%s/finish", E.idp);
	char *u = signed_start("e95p1", state, ret, "", "0", "0", (long long)time(NULL));
	char *line = xff != NULL ? xfmt("X-Forwarded-For: %s", xff) : NULL;
	const char *h[2] = { line, NULL };

	hc_request(b, "GET", u, NULL, 0, h, 0, r);
	bridge_response_checks(r);
	free(line);
	free(u);
	free(state);
	free(ret);
	return r->status;
}

/* The client the bridge logged for one signed start carrying this X-Forwarded-For. */
static char *
start_client(hc_browser *b, const char *xff)
{
	hc_resp r = { 0 };

	xff_start(b, xff, &r);
	CHECKF(r.status == 303, "start with X-Forwarded-For \"%s\": HTTP %ld", xff != NULL ? xff : "(none)", r.status);
	hc_resp_reset(&r);
	return audit_last_client("handoff_started");
}

/* Leave room in this minute for a few dozen requests (the limiter counts per minute). */
static void
fresh_minute(void)
{
	long s = (long)(time(NULL) % 60);

	if (s > 45) {
		th_note("  waiting %ld s for a new rate-limit minute", 61 - s);
		raw_pause((int)(61 - s) * 1000);
	}
}

/* Options for this forwarded client until 429: how many went through first (-1: never limited). */
static int
xff_until_limited(hc_browser *b, const char *const *xff, hc_resp *r)
{
	int i;

	for (i = 0; i < 2 * E.limit_address + 4; i++) {
		xff_options(b, xff, r);
		if (r->status == 429)
			return i;
		if (!CHECKF(r->status == 200, "request %d for %s: HTTP %ld %s", i + 1, xff[0], r->status, r->body))
			break;
	}
	return -1;
}

/*
 * Behind a trusted proxy the rate limit counts the address X-Forwarded-For
 * names, and the audit log shows it; what the client itself wrote left of
 * the proxy's entry counts for nothing.
 */
void
t_proxy_client_from_header(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char *c;
	int first, before_local = audit_count_client("rate_limited", "127.0.0.1");
	const char *a[] = { "203.0.113.7", NULL }, *other[] = { "203.0.113.8", NULL };
	const char *spoof_left[] = { "198.51.100.1, 203.0.113.7", NULL };
	const char *via_trusted[] = { "203.0.113.7 , 127.0.0.1", NULL };
	const char *two_lines[] = { "203.0.113.7", "127.0.0.1", NULL };
	const char *two_lines_last[] = { "203.0.113.7", "203.0.113.9", NULL };

	if (!proxy_stack())
		th_skip("the stack does not trust 127.0.0.1 as a proxy (the proxy run sets trusted_proxies)");
	if (E.limit_address > 50)
		th_skip("per_address is over 50 (the proxy run sets STACK_LIMIT_ADDRESS low)");
	bget(b, "/login?for=passkeys", &r);  /* the options need a page first; not counted */
	REQUIRE_STATUS(&r, 200);
	fresh_minute();
	/* 203.0.113.7 until its limit */
	first = xff_until_limited(b, a, &r);
	REQUIREF(first >= 0, "%ld requests for 203.0.113.7 were never limited", 2 * E.limit_address + 4);
	CHECKF(first == E.limit_address, "limited after %d requests, per_address is %ld", first, E.limit_address);
	c = audit_last_client("rate_limited");
	CHECKF(c != NULL && strcmp(c, "203.0.113.7") == 0, "the rate_limited audit line names %s, want 203.0.113.7",
	    c != NULL ? c : "(none)");
	free(c);
	CHECKF(audit_count_client("rate_limited", "127.0.0.1") == before_local, "the proxy's own address was limited");
	/* another address behind the same proxy has its own count */
	xff_options(b, other, &r);
	CHECKF(r.status == 200, "203.0.113.8 behind the proxy: HTTP %ld (its own count)", r.status);
	/* so has the proxy itself (no header) */
	xff_options(b, NULL, &r);
	CHECKF(r.status == 200, "no X-Forwarded-For: HTTP %ld", r.status);
	/* the entry the proxy appended is what counts, not what the client wrote */
	xff_options(b, spoof_left, &r);
	CHECKF(r.status == 429, "\"198.51.100.1, 203.0.113.7\" is 203.0.113.7: HTTP %ld", r.status);
	/* trusted hops are skipped */
	xff_options(b, via_trusted, &r);
	CHECKF(r.status == 429, "\"203.0.113.7 , 127.0.0.1\" is 203.0.113.7: HTTP %ld", r.status);
	/* several header lines are one list, in order */
	xff_options(b, two_lines, &r);
	CHECKF(r.status == 429, "lines \"203.0.113.7\" and \"127.0.0.1\" are 203.0.113.7: HTTP %ld", r.status);
	xff_options(b, two_lines_last, &r);
	CHECKF(r.status == 200, "lines \"203.0.113.7\" and \"203.0.113.9\" are 203.0.113.9: HTTP %ld", r.status);

	/* the audit log names the forwarded client, canonical */
	c = start_client(b, "203.0.113.10");
	CHECKF(c != NULL && strcmp(c, "203.0.113.10") == 0, "handoff_started names %s, want 203.0.113.10", c != NULL ? c : "(none)");
	free(c);
	c = start_client(b, "2001:DB8:0::0:7");
	CHECKF(c != NULL && strcmp(c, "2001:db8::7") == 0, "handoff_started names %s, want 2001:db8::7", c != NULL ? c : "(none)");
	free(c);
	c = start_client(b, "::ffff:203.0.113.11");
	CHECKF(c != NULL && strcmp(c, "203.0.113.11") == 0, "handoff_started names %s, want 203.0.113.11", c != NULL ? c : "(none)");
	free(c);
	/* anything but bare addresses where the walk looks: the proxy's address */
	c = start_client(b, NULL);
	CHECKF(c != NULL && strcmp(c, "127.0.0.1") == 0, "no header: handoff_started names %s", c != NULL ? c : "(none)");
	free(c);
	c = start_client(b, "not-an-address");
	CHECKF(c != NULL && strcmp(c, "127.0.0.1") == 0, "garbage: handoff_started names %s", c != NULL ? c : "(none)");
	free(c);
	c = start_client(b, "203.0.113.12:5678");
	CHECKF(c != NULL && strcmp(c, "127.0.0.1") == 0, "with a port: handoff_started names %s", c != NULL ? c : "(none)");
	free(c);
	c = start_client(b, "203.0.113.13, ");
	CHECKF(c != NULL && strcmp(c, "127.0.0.1") == 0, "empty last entry: handoff_started names %s", c != NULL ? c : "(none)");
	free(c);
	CHECKF(audit_count_client(NULL, "not-an-address") == 0 && audit_count_client(NULL, "203.0.113.12:5678") == 0,
	    "a header value reached the audit log as a client");
	{
		/* the operator is told, once, that the proxy's header is not usable */
		char *path = xfmt("%s/bridge.log", E.dir), *log = file_read(path), *p = log;
		int n = 0;

		while (p != NULL && (p = strstr(p, "X-Forwarded-For from trusted proxy")) != NULL) {
			n++;
			p++;
		}
		CHECKF(n == 1, "bridge.log has %d lines about an unusable X-Forwarded-For, want 1", n);
		free(log);
		free(path);
	}
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/* One signed start over a plain connection from src with this X-Forwarded-For; the response status. */
static int
raw_start(const char *src, const char *xff)
{
	char *state = rand_b64(32), *ret = xfmt("%s/finish", E.idp);
	char *u = signed_start("e95p2", state, ret, "", "0", "0", (long long)time(NULL));
	char *req = xfmt("GET %s HTTP/1.1\r\nHost: %s:%d\r\nX-Forwarded-For: %s\r\nConnection: close\r\n\r\n",
	    u + strlen(E.bridge), E.host, bridge_port(), xff);
	int fd = raw_connect(src, bridge_port()), st = -1;

	if (fd >= 0 && raw_send(fd, req) == 0)
		st = raw_status(fd, 10000);
	raw_close(fd);
	free(req);
	free(u);
	free(state);
	free(ret);
	return st;
}

/* An IPv6 client is counted by its /64: walking through the prefix does not reset the count. */
void
t_proxy_ipv6_prefix(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	const char *one[] = { "2001:db8:1:2::1", NULL }, *same64[] = { "2001:db8:1:2:ffff::abcd", NULL };
	const char *next64[] = { "2001:db8:1:3::1", NULL };
	int first;

	if (!proxy_stack())
		th_skip("the stack does not trust 127.0.0.1 as a proxy (the proxy run sets trusted_proxies)");
	if (E.limit_address > 50)
		th_skip("per_address is over 50 (the proxy run sets STACK_LIMIT_ADDRESS low)");
	bget(b, "/login?for=passkeys", &r);
	REQUIRE_STATUS(&r, 200);
	fresh_minute();
	first = xff_until_limited(b, one, &r);
	REQUIREF(first == E.limit_address, "2001:db8:1:2::1 limited after %d requests, per_address is %ld", first,
	    E.limit_address);
	xff_options(b, same64, &r);
	CHECKF(r.status == 429, "2001:db8:1:2:ffff::abcd is in the same /64: HTTP %ld", r.status);
	xff_options(b, next64, &r);
	CHECKF(r.status == 200, "2001:db8:1:3::1 is another /64: HTTP %ld", r.status);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/* From a peer that is not a trusted proxy, X-Forwarded-For is not believed. */
void
t_proxy_untrusted_peer(void)
{
	char *c;
	int st;

	if (!proxy_stack())
		th_skip("the stack does not trust 127.0.0.1 as a proxy");
	if (!raw_can_bind("127.0.0.2"))
		th_skip("127.0.0.2 cannot be a source address here");
	st = raw_start("127.0.0.2", "203.0.113.20");
	CHECKF(st == 303, "signed start from 127.0.0.2: HTTP %d", st);
	c = audit_last_client("handoff_started");
	CHECKF(c != NULL && strcmp(c, "127.0.0.2") == 0, "handoff_started from 127.0.0.2 names %s", c != NULL ? c : "(none)");
	free(c);
	CHECKF(audit_count_client(NULL, "203.0.113.20") == 0, "an untrusted peer's X-Forwarded-For was believed");
}

/* Without trusted_proxies the header means nothing: the client is the TCP peer. */
void
t_proxy_header_ignored(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char *c;

	if (proxy_stack())
		th_skip("the stack trusts 127.0.0.1 as a proxy");
	/* (the address's limit may be used up by now: a 429 names the client too) */
	xff_start(b, "203.0.113.30", &r);
	CHECKF(r.status == 303 || r.status == 429, "signed start: HTTP %ld", r.status);
	c = audit_last_client(r.status == 303 ? "handoff_started" : "rate_limited");
	CHECKF(c != NULL && strcmp(c, "127.0.0.1") == 0, "the audit line names %s, want 127.0.0.1", c != NULL ? c : "(none)");
	free(c);
	CHECKF(audit_count_client(NULL, "203.0.113.30") == 0, "X-Forwarded-For was believed without trusted_proxies");
	hc_resp_reset(&r);
	hc_browser_free(b);
}
