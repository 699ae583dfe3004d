/*
 * HTTP tests: single use in memcached ([memcached] replicas = 1 in the
 * stack): what was consumed is gone from every server, whichever server
 * thread handled it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cases.h"
#include "ceremonies.h"
#include "client.h"
#include "fixtures.h"
#include "harness.h"
#include "memcached.h"
#include "../services/proc_stop.h"
#include "stack.h"

/*
 * Challenges and flows are single-use: once consumed they must be gone from
 * every memcached server, whichever server thread handled each request.
 * Fresh connections spread the requests over the bridge's threads.
 */
void
t_consumed_keys_everywhere(void)
{
	enum { N = 16 };
	char *chal[N], *flow[N];
	hc_browser *b;
	hc_resp r = { 0 };
	int i, n = 0, copies, left_c = 0, left_f = 0;

	need_alice();
	for (i = 0; i < N; i++) {
		json_t *pk;
		b = hc_browser_new_fresh(E.bridge);
		bget(b, "/login?for=passkeys", &r);
		if (!EXPECT_STATUS(&r, 200)) {
			hc_browser_free(b);
			continue;
		}
		flow[n] = hc_cookie(b, "fb_local");
		bpost(b, "/api/authenticate/options?for=passkeys", "{}", &r);
		if (!EXPECT_STATUS(&r, 200)) {
			free(flow[n]);
			hc_browser_free(b);
			continue;
		}
		pk = json_object_get(r.json, "publicKey");
		chal[n] = strdup(jstr(pk, "challenge"));
		note_secret("challenge", chal[n]);
		bpostj(b, "/api/authenticate/verify?for=passkeys", make_assertion(&alice, chal[n], NULL), &r);
		EXPECT_STATUS(&r, 200);
		n++;
		hc_browser_free(b);
	}
	/* a busy server goes on working: more requests on every thread */
	for (i = 0; i < 8; i++) {
		b = hc_browser_new_fresh(E.bridge);
		bget(b, "/login?for=passkeys", &r);
		bpost(b, "/api/authenticate/options?for=passkeys", "{}", &r);
		hc_browser_free(b);
	}
	for (i = 0; i < n; i++) {
		char *k = state_name("challenge", chal[i]), *v = mc_lookup(k, &copies, NULL);
		if (v != NULL)
			left_c++;
		free(v);
		free(k);
		k = state_name("flow", flow[i]);
		v = mc_lookup(k, &copies, NULL);
		if (v != NULL)
			left_f++;
		free(v);
		free(k);
		free(chal[i]);
		free(flow[i]);
	}
	CHECKF(left_c == 0, "%d of %d consumed challenges are still (or again) in memcached", left_c, n);
	CHECKF(left_f == 0, "%d of %d finished local flows are still (or again) in memcached", left_f, n);
	hc_resp_reset(&r);
}

/*
 * A ticket redeemed the way the IdP shim redeems it (get on every server,
 * delete wherever found) cannot be redeemed a second time, while the bridge
 * goes on serving other sign-ins. Fresh connections spread the requests
 * over the bridge's threads, as real browsers do.
 */
void
t_ticket_single_use_shim(void)
{
	enum { N = 12 };
	hc_browser *b, *other;
	hc_resp r = { 0 };
	int i, j, twice = 0, done = 0;

	need_alice();
	for (i = 0; i < N; i++) {
		char *start, *chal, *loc, *ticket, *k, *v1, *v2;
		b = hc_browser_new_fresh(E.bridge);
		start = idp_start(b, SP_ENTITY_Q);
		bget(b, start, &r);
		free(start);
		if (!EXPECT_STATUS(&r, 303) || (bpost(b, "/api/authenticate/options", "{}", &r), !EXPECT_STATUS(&r, 200))) {
			hc_browser_free(b);
			continue;
		}
		chal = strdup(jstr(json_object_get(r.json, "publicKey"), "challenge"));
		note_secret("challenge", chal);
		bpostj(b, "/api/authenticate/verify", make_assertion(&alice, chal, NULL), &r);
		free(chal);
		if (!EXPECT_STATUS(&r, 200)) {
			hc_browser_free(b);
			continue;
		}
		bget(b, "/authn/finish", &r);
		if (!EXPECT_STATUS(&r, 303)) {
			hc_browser_free(b);
			continue;
		}
		loc = strdup(hc_header_get(&r, "Location"));
		ticket = hc_query_param(loc, "ticket");
		free(loc);
		if (!CHECKF(ticket != NULL, "sign-in %d: no ticket", i + 1)) {
			hc_browser_free(b);
			continue;
		}
		note_secret("ticket", ticket);
		k = xfmt("ticket:%s", ticket);
		v1 = shim_take(k);
		CHECKF(v1 != NULL, "sign-in %d: the shim could not take its ticket", i + 1);
		done++;
		/* the bridge serves others meanwhile */
		for (j = 0; j < 3; j++) {
			other = hc_browser_new_fresh(E.bridge);
			bget(other, "/login?for=passkeys", &r);
			bpost(other, "/api/authenticate/options?for=passkeys", "{}", &r);
			hc_browser_free(other);
		}
		v2 = shim_take(k);
		if (v2 != NULL) {
			twice++;
			CHECKF(0, "sign-in %d: ticket %s redeemed a second time", i + 1, ticket);
		}
		free(v1);
		free(v2);
		free(k);
		free(ticket);
		hc_browser_free(b);
	}
	th_note("  %d sign-ins, %d tickets redeemed twice", done, twice);
	hc_resp_reset(&r);
}

/* The stand-in takes a ticket once: afterwards no memcached server has it. */
void
t_standin_ticket_everywhere(void)
{
	hc_browser *b;
	char *url, *ticket, *chal, *next, *v, *key;
	int before = 0, after = 0;
	json_t *res;
	long st;

	need_alice();
	b = browser();
	idp_begin(b, SP_ENTITY_Q);
	chal = auth_options(b, "{}", NULL);
	next = auth_verify_ok(b, make_assertion(&alice, chal, NULL));
	url = bridge_finish(b);
	ticket = hc_query_param(url, "ticket");
	REQUIRE(ticket != NULL);
	key = xfmt("ticket:%s", ticket);
	v = mc_lookup(key, &before, NULL);
	free(v);
	res = idp_result(b, url, &st);
	REQUIREF(res != NULL && jtrue(res, "ok"), "the stand-in did not take the ticket");
	json_decref(res);
	v = mc_lookup(key, &after, NULL);
	CHECKF(v == NULL && after == 0, "after the stand-in took the ticket %d of the %d copies are left", after, before);
	free(v);
	free(key);
	free(ticket);
	free(url);
	free(next);
	free(chal);
	hc_browser_free(b);
}

/* The first memcached of the stack, its pid (MEMCACHED_PIDS from start-memcached.sh). */
static pid_t
first_memcached(void)
{
	const char *pids = getenv("MEMCACHED_PIDS");

	REQUIREF(pids != NULL && atoi(pids) > 0, "no MEMCACHED_PIDS in the stack's environment");
	return (pid_t)atoi(pids);
}

/* SIGSTOP, and every thread of pid stopped (tests/services/proc_stop.c). */
static void
stop_server(pid_t pid)
{
	char why[200];

	REQUIREF(svc_stop_process(pid, why, sizeof(why)) == 0, "memcached: %s", why);
}

/* A signed-in browser back at the stand-in's finish URL (not followed yet): the URL. */
static char *
signed_in_finish(hc_browser *b)
{
	char *chal, *next, *url;

	idp_begin(b, SP_ENTITY_Q);
	chal = auth_options(b, "{}", NULL);
	next = auth_verify_ok(b, make_assertion(&alice, chal, NULL));
	url = bridge_finish(b);
	free(next);
	free(chal);
	return url;
}

/*
 * Issue 12: a server fault must not let a ticket be taken twice. With a copy
 * on each of the two servers (replicas = 1) and one server stopped (SIGSTOP:
 * its connections hang, as in a timeout), a shim written from the document
 * (shim_take_rc) and the stand-in both get "unavailable" and delete nothing;
 * once the server is back the ticket is taken exactly once. Before, a taker
 * that could not reach one server took the other copy and won, and a later
 * one won again with the copy the fault had hidden.
 */
void
t_ticket_shim_after_fault(void)
{
	pid_t mc = first_memcached();
	hc_browser *b;
	char *url, *ticket, *key, *v = NULL;
	int copies = 0, wins = 0, i;
	long st = 0;
	json_t *res;
	shim_rc rc;

	need_alice();
	/* the shim written from the document */
	b = browser();
	url = signed_in_finish(b);
	ticket = hc_query_param(url, "ticket");
	REQUIRE(ticket != NULL);
	note_secret("ticket", ticket);
	key = xfmt("ticket:%s", ticket);
	free(mc_lookup(key, &copies, NULL));
	REQUIREF(copies == 2, "replicas = 1: the ticket should be on both servers, it is on %d", copies);
	stop_server(mc);
	for (i = 0; i < 2; i++) {
		rc = shim_take_rc(key, &v);
		CHECKF(rc == SHIM_UNAVAILABLE && v == NULL, "take %d with a server stopped: %d, not unavailable", i + 1, rc);
		free(v);
		v = NULL;
	}
	REQUIRE(kill(mc, SIGCONT) == 0);
	free(mc_lookup(key, &copies, NULL));
	CHECKF(copies == 2, "a take that was unavailable deleted a copy (%d left)", copies);
	for (i = 0; i < 4; i++) {
		if (shim_take_rc(key, &v) == SHIM_WON) {
			wins++;
			CHECKF(v != NULL && strstr(v, "\"mac\"") != NULL, "won without the record");
		}
		free(v);
		v = NULL;
	}
	CHECKF(wins == 1, "after the fault the ticket was taken %d times, not once", wins);
	free(key);
	free(ticket);
	free(url);
	hc_browser_free(b);

	/* the stand-in (the bridge's take): 503 unavailable, and the ticket is still there to be taken once */
	b = browser();
	url = signed_in_finish(b);
	ticket = hc_query_param(url, "ticket");
	REQUIRE(ticket != NULL);
	note_secret("ticket", ticket);
	key = xfmt("ticket:%s", ticket);
	stop_server(mc);
	res = idp_result(b, url, &st);
	REQUIRE(kill(mc, SIGCONT) == 0);
	CHECKF(st == 503 && res != NULL && !jtrue(res, "ok") && strcmp(jstr(res, "error"), "ticket_store_unavailable") == 0,
	    "the stand-in with a server stopped: %ld %s", st, res != NULL ? jstr(res, "error") : "(no JSON)");
	json_decref(res);
	free(mc_lookup(key, &copies, NULL));
	CHECKF(copies == 2, "the stand-in's unavailable take deleted a copy (%d left)", copies);
	v = shim_take(key);
	CHECKF(v != NULL, "the ticket the stand-in could not take is taken once the server is back");
	free(v);
	CHECK(shim_take(key) == NULL);
	free(key);
	free(ticket);
	free(url);
	hc_browser_free(b);
	/* libmemcached in the stand-in skips the server for 2-3 s after its failure: let that pass */
	sleep(4);
}
