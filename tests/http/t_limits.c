/*
 * HTTP tests: the rate limits (per account however spelled, per address) and
 * the per-address connection limit ([server] max_connections_per_address).
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
#include "softkey.h"
#include "stack.h"
#include "tools.h"

/* The minute the limiter counts in (bridge/http/guard.c: now / 60). */
static long
minute(void)
{
	return (long)(time(NULL) / 60);
}

/* Post body to path until 429; returns how many requests went through first (-1: never limited). */
static int
hammer(hc_browser *b, const char *path, const char *body, long limit, long ok_status, const char *ok_error)
{
	hc_resp r = { 0 };
	int i, first = -1;

	for (i = 0; i < 2 * limit + 4; i++) {
		bpost(b, path, body, &r);
		if (r.status == 429) {
			EXPECT_ERROR(&r, 429, "rate_limited");
			first = i;
			break;
		}
		if (!CHECKF(r.status == ok_status && (ok_error == NULL || streq_json_error(&r, ok_error)),
			"request %d before the limit: HTTP %ld %s", i + 1, r.status, r.body))
			break;
	}
	hc_resp_reset(&r);
	return first;
}

void
t_rate_limit_account(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	long m0, m1;
	int first, events = audit_count("rate_limited", "account");

	if (E.limit_account > 200)
		th_skip("per_account is over 200");
	if (E.limit_address < 4 * E.limit_account + 50)
		th_skip("per_address is too low to reach the per-account limit first");
	need_alice();
	bget(b, "/login?for=passkeys", &r);
	REQUIRE_STATUS(&r, 200);
	m0 = minute();
	first = hammer(b, "/api/authenticate/options?for=passkeys", "{\"username\":\"no-such-user-rl\"}", E.limit_account, 404, "unknown_account");
	m1 = minute();
	REQUIREF(first >= 0, "%ld attempts for one account were never limited", 2 * E.limit_account + 4);
	if (m0 == m1)
		CHECKF(first == E.limit_account, "limited after %d attempts, per_account is %ld", first, E.limit_account);
	else
		CHECKF(first >= E.limit_account, "limited after %d attempts, per_account is %ld", first, E.limit_account);
	CHECKF(audit_count("rate_limited", "account") > events, "audit: no rate_limited/account line");
	/* another account is not affected */
	bpost(b, "/api/authenticate/options?for=passkeys", "{\"username\":\"alice\"}", &r);
	EXPECT_STATUS(&r, 200);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/* "tivan" spelled the i-th way: letters upper-cased by the bits of i, then trailing spaces. */
static char *
spelling(const char *name, int i)
{
	size_t n = strlen(name), k, o = 0;
	char *s = calloc(1, 3 * n + 64);
	int spaces = i >> n;

	/* every third spelling in fullwidth letters (U+FF41...), which slapd folds to ASCII too */
	if (i % 3 == 2) {
		for (k = 0; k < n; k++) {
			unsigned cp = 0xff41 + (unsigned)(name[k] - 'a');
			s[o++] = (char)(0xe0 | (cp >> 12));
			s[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			s[o++] = (char)(0x80 | (cp & 0x3f));
		}
		return s;
	}
	for (k = 0; k < n; k++)
		s[k] = (char)((i >> k) & 1 ? name[k] - 'a' + 'A' : name[k]);
	for (k = 0; k < (size_t)spaces && k < 60; k++)
		s[n + k] = ' ';
	return s;
}

/*
 * The directory does not care how a username is spelled (uid matching
 * ignores case and outer spaces), so the per-account limit must not either.
 */
void
t_rate_limit_account_spelling(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	sk_key k;
	long m0, m1;
	int i, first = -1;

	if (E.limit_account > 200 || E.limit_address < 4 * E.limit_account + 50)
		th_skip("limits not suited (per_account <= 200, per_address well above it needed)");
	make_user("tivan", "Ivan Test");
	sk_key_new(&k);
	enrol("tivan", &k, "ivan");
	bget(b, "/login?for=passkeys", &r);
	REQUIRE_STATUS(&r, 200);
	/* every spelling is the same account, fullwidth letters too */
	for (i = 0; i < 3; i++) {
		char *u = spelling("tivan", i == 2 ? 2 : i * 7), *body = json_dumps(json_pack("{s:s}", "username", u), JSON_COMPACT);
		json_t *pk = NULL;
		free(auth_options_path(b, "/api/authenticate/options?for=passkeys", body, &pk));
		CHECKF(json_array_size(json_object_get(pk, "allowCredentials")) == 1, "\"%s\" is not tivan", u);
		json_decref(pk);
		free(body);
		free(u);
	}
	m0 = minute();
	for (i = 3; i < 2 * E.limit_account + 4; i++) {
		char *u = spelling("tivan", i), *body = json_dumps(json_pack("{s:s}", "username", u), JSON_COMPACT);
		bpost(b, "/api/authenticate/options?for=passkeys", body, &r);
		free(body);
		free(u);
		if (r.status == 429) {
			first = i;
			break;
		}
		if (!EXPECT_STATUS(&r, 200))
			break;
	}
	m1 = minute();
	CHECKF(first >= 0, "%ld sign-in attempts for one account, spelled differently, were never limited (per_account %ld)",
	    2 * E.limit_account + 4, E.limit_account);
	/*
	 * (enrol() counted for the account too: the link page checks the code and
	 * the page's post starts the session with it, one attempt each)
	 */
	if (first >= 0 && m0 == m1)
		CHECKF(first <= E.limit_account && first >= E.limit_account - 2, "limited after %d attempts, per_account is %ld",
		    first, E.limit_account);

	/* the enrolment page: guessing codes for one account */
	make_user("tjudy", "Judy Test");
	first = -1;
	m0 = minute();
	for (i = 0; i < 2 * E.limit_account + 4; i++) {
		char *u = spelling("tjudy", i), *eu = hc_urlencode(u), *url = xfmt("/enroll?u=%s&c=WRONGCODE%d", eu, i);
		bget(b, url, &r);
		free(url);
		free(eu);
		free(u);
		if (r.status == 429) {
			first = i;
			break;
		}
		if (!EXPECT_STATUS(&r, 400))
			break;
	}
	m1 = minute();
	CHECKF(first >= 0, "%ld enrolment code guesses for one account, spelled differently, were never limited (per_account %ld)",
	    2 * E.limit_account + 4, E.limit_account);
	if (first >= 0 && m0 == m1)
		CHECKF(first == E.limit_account, "limited after %d guesses, per_account is %ld", first, E.limit_account);
	sk_key_free(&k);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/* Verify has no counter of its own, but one refused before its challenge is counted. */
void
t_rate_limit_verify_refused(void)
{
	hc_browser *b = hc_browser_new_fresh(E.bridge);
	int first, events = audit_count("rate_limited", "address");
	long m0, m1;

	if (E.limit_address > 200)
		th_skip("per_address is over 200 (the limits run sets STACK_LIMIT_ADDRESS low)");
	hc_browser_source(b, "127.0.0.4");  /* not the address the other limit tests use up */
	m0 = minute();
	idp_begin(b, SP_ENTITY_Q);  /* a live flow: refusals below come after the flow check */
	first = hammer(b, "/api/authenticate/verify", "{\"id\":\"AA\",\"rawId\":\"AA\",\"type\":\"public-key\",\"response\":{}}",
	    E.limit_address, 400, "bad_request");
	m1 = minute();
	REQUIREF(first >= 0, "%ld refused verify requests from one address were never limited", 2 * E.limit_address + 4);
	/* the counter's window is the clock's minute: one that turned meanwhile started the count again */
	if (m0 == m1)
		CHECKF(first <= E.limit_address, "limited after %d refused verify requests, per_address is %ld", first,
		    E.limit_address);
	CHECKF(audit_count("rate_limited", "address") > events, "audit: no rate_limited/address line");
	hc_browser_free(b);
}

void
t_rate_limit_address(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	long m0, m1;
	int first, events = audit_count("rate_limited", "address");
	char *state, *ret, *u;

	if (E.limit_address > 200)
		th_skip("per_address is over 200 (the limits run sets STACK_LIMIT_ADDRESS low)");
	m0 = minute();
	bget(b, "/login?for=passkeys", &r);  /* counted: it makes a flow */
	REQUIRE_STATUS(&r, 200);
	first = hammer(b, "/api/authenticate/options?for=passkeys", "{}", E.limit_address, 200, NULL);
	REQUIREF(first >= 0, "%ld requests from one address were never limited", 2 * E.limit_address + 4);
	first++;
	/* pages are limited too, with a page */
	state = rand_b64(32);
	ret = xfmt("%s/finish", E.idp);
	bget(b, u = signed_start("e95s1", state, ret, "", "0", "0", (long long)time(NULL)), &r);
	m1 = minute();
	if (m0 == m1) {
		CHECKF(first == E.limit_address, "limited after %d requests, per_address is %ld", first, E.limit_address);
		expect_error_page(&r, 429);
	} else {
		CHECKF(first >= E.limit_address, "limited after %d requests, per_address is %ld", first, E.limit_address);
	}
	CHECKF(audit_count("rate_limited", "address") > events, "audit: no rate_limited/address line");
	/* operations are never limited */
	bget(b, "/healthz", &r);
	EXPECT_STATUS(&r, 200);
	free(u);
	free(state);
	free(ret);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/* ======================================================================
 * connections per address
 * ====================================================================== */

/*
 * n connections from src open at once, then a request on each: how many the
 * bridge answered (the others it closed at once). Keep-alive: no answered
 * connection closes before all are counted.
 */
static int
answered_of(const char *src, int n)
{
	int *fd = calloc((size_t)n, sizeof(int)), i, answered = 0, refused = 0;
	char *req = xfmt("GET /no-such-page HTTP/1.1\r\nHost: %s:%d\r\n\r\n", E.host, bridge_port());

	REQUIRE(fd != NULL);
	for (i = 0; i < n; i++)
		REQUIREF((fd[i] = raw_connect(src, bridge_port())) >= 0, "connection %d from %s failed", i + 1, src);
	for (i = 0; i < n; i++) {
		int st = raw_send(fd[i], req) == 0 ? raw_status(fd[i], 10000) : 0;
		if (st == 404)
			answered++;
		else if (st == 0)
			refused++;
		else
			CHECKF(0, "connection %d from %s: %s %d", i + 1, src, st < 0 ? "no answer in 10 s" : "HTTP", st);
	}
	for (i = 0; i < n; i++)
		raw_close(fd[i]);
	th_note("  %d connections from %s at once: %d answered, %d closed", n, src, answered, refused);
	free(req);
	free(fd);
	return answered;
}

/*
 * The per-address connection limit counts the TCP peer: a trusted proxy is
 * not limited, anyone else is, and closed connections give their place back.
 */
void
t_proxy_connections(void)
{
	char *v = conf_value("server", "max_connections_per_address");
	long limit = v != NULL ? atol(v) : 64;
	int got, tries;

	free(v);
	if (!proxy_stack())
		th_skip("the stack does not trust 127.0.0.1 as a proxy");
	if (limit <= 0 || limit > 30)
		th_skip("max_connections_per_address is not between 1 and 30 (the proxy run sets it low)");
	/* the proxy: more than the limit and more than MHD's default of 64 */
	got = answered_of("127.0.0.1", 100);
	CHECKF(got == 100, "a trusted proxy got %d of 100 connections answered", got);
	if (!raw_can_bind("127.0.0.2"))
		th_skip("127.0.0.2 cannot be a source address here");
	got = answered_of("127.0.0.2", (int)limit + 12);
	CHECKF(got == limit, "127.0.0.2 got %d of %ld connections answered, max_connections_per_address is %ld", got,
	    limit + 12, limit);
	/* places come back when connections close (the server notices soon after us) */
	for (tries = 0; tries < 25; tries++) {
		raw_pause(200);
		if ((got = answered_of("127.0.0.2", (int)limit + 3)) == limit)
			break;
	}
	CHECKF(got == limit, "after closing, 127.0.0.2 got %d of %ld connections answered, want %ld", got, limit + 3, limit);
}

/* Without trusted_proxies the per-address connection limit is MHD's, at its default. */
void
t_connection_limit_default(void)
{
	char *v = conf_value("server", "max_connections_per_address");
	long limit = v != NULL ? atol(v) : 64;
	int got;

	free(v);
	if (proxy_stack())
		th_skip("the stack trusts 127.0.0.1 as a proxy");
	if (limit <= 0 || limit > 200)
		th_skip("max_connections_per_address is off or high");
	if (!raw_can_bind("127.0.0.3"))
		th_skip("127.0.0.3 cannot be a source address here");
	got = answered_of("127.0.0.3", (int)limit + 36);
	CHECKF(got == limit, "127.0.0.3 got %d of %ld connections answered, max_connections_per_address is %ld", got,
	    limit + 36, limit);
}
