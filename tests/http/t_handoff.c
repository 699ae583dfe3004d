/*
 * HTTP tests: the IdP handoff refused (signature, timestamp, return URL) and
 * answered without a sign-in (passive, "use another way").
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
#include "stack.h"

/* url with the value of query parameter name replaced (or removed when value is NULL). */
static char *
with_param(const char *url, const char *name, const char *value)
{
	char *out = calloc(1, strlen(url) + (value != NULL ? strlen(value) : 0) + strlen(name) + 4);
	const char *q = strchr(url, '?'), *p;
	size_t n = strlen(name);
	int first = 1;

	memcpy(out, url, (size_t)(q - url) + 1);
	for (p = q + 1; *p;) {
		size_t len = strcspn(p, "&");
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			if (value != NULL) {
				strcat(out, first ? "" : "&");
				strcat(out, name);
				strcat(out, "=");
				strcat(out, value);
				first = 0;
			}
		} else {
			strcat(out, first ? "" : "&");
			strncat(out, p, len);
			first = 0;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	return out;
}

static void
refused_start(hc_browser *b, const char *url, const char *why)
{
	hc_resp r = { 0 };

	bget(b, url, &r);
	th_note("  %s", why);
	expect_error_page(&r, 400);
	hc_resp_reset(&r);
}

void
t_start_bad_sig(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char *start = idp_start(b, SP_ENTITY_Q), *sig = hc_query_param(start, "sig"), *bad, *u, *flow;
	int rejected = audit_count("handoff_rejected", NULL), badsig = audit_count("handoff_rejected", "bad_signature");

	REQUIRE(sig != NULL && strlen(sig) == 43);
	/* one character of the signature changed */
	bad = strdup(sig);
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	refused_start(b, u = with_param(start, "sig", bad), "signature altered");
	free(u);
	refused_start(b, u = with_param(start, "sig", NULL), "sig missing");
	free(u);
	refused_start(b, u = with_param(start, "sig", ""), "sig empty");
	free(u);
	{
		char *twice = xfmt("%s&sig=%s", start, sig);
		refused_start(b, twice, "sig given twice");
		free(twice);
	}
	/* a signed value changed: the signature no longer covers it */
	refused_start(b, u = with_param(start, "entity", "https%3A%2F%2Fother.example.org%2Fsp"), "entity changed");
	free(u);
	refused_start(b, u = with_param(start, "force", "1"), "force changed");
	free(u);
	refused_start(b, u = with_param(start, "return", "https%3A%2F%2Fevil.example%2Ffinish"), "return changed");
	free(u);
	flow = hc_cookie(b, "fb_flow");
	CHECKF(flow == NULL, "a refused start left a flow cookie: %s", flow);
	CHECKF(audit_count("handoff_rejected", NULL) == rejected + 7, "audit: %d handoff_rejected lines, want %d",
	    audit_count("handoff_rejected", NULL), rejected + 7);
	CHECKF(audit_count("handoff_rejected", "bad_signature") >= badsig + 4, "audit: bad_signature not recorded");

	/* the control: the URL as signed works */
	bget(b, start, &r);
	EXPECT_STATUS(&r, 303);
	CHECK_STR(hc_header_get(&r, "Location"), "/login");
	free(bad);
	free(sig);
	free(start);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

void
t_start_stale_ts(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char *state = rand_b64(32), *ret = xfmt("%s/finish", E.idp), *u;
	long long now = (long long)time(NULL);
	int stale = audit_count("handoff_rejected", "stale_timestamp");

	refused_start(b, u = signed_start("e90s1", state, ret, SP_ENTITY, "0", "0", now - 3600), "ts an hour old");
	free(u);
	refused_start(b, u = signed_start("e90s1", state, ret, SP_ENTITY, "0", "0", now + 3600), "ts an hour ahead");
	free(u);
	refused_start(b, u = signed_start("e90s1", state, ret, SP_ENTITY, "0", "0", 0), "ts 0");
	free(u);
	CHECKF(audit_count("handoff_rejected", "stale_timestamp") == stale + 3, "audit: %d stale_timestamp lines, want %d",
	    audit_count("handoff_rejected", "stale_timestamp"), stale + 3);
	/* the control: signed the same way, with the time now, it is accepted */
	bget(b, u = signed_start("e90s1", state, ret, SP_ENTITY, "0", "0", now), &r);
	free(u);
	EXPECT_STATUS(&r, 303);
	CHECK_STR(hc_header_get(&r, "Location"), "/login");
	CHECK(hc_set_cookie(&r, "fb_flow") != NULL);
	free(state);
	free(ret);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

void
t_start_foreign_return(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char *state = rand_b64(32), *ret = xfmt("%s/finish", E.idp), *u, *other;
	long long now = (long long)time(NULL);
	int refused = audit_count("handoff_rejected", "return_not_allowed");

	refused_start(b, u = signed_start("e91s1", state, "https://evil.example/finish", "", "0", "0", now), "return on another host");
	free(u);
	other = xfmt("http://localhost:1/finish");
	refused_start(b, u = signed_start("e91s1", state, other, "", "0", "0", now), "return on another port");
	free(u);
	free(other);
	other = xfmt("%s/other", E.idp);
	refused_start(b, u = signed_start("e91s1", state, other, "", "0", "0", now), "return on another path");
	free(u);
	free(other);
	refused_start(b, u = signed_start("e91s1", state, "javascript:alert(1)", "", "0", "0", now), "javascript: return");
	free(u);
	CHECKF(audit_count("handoff_rejected", "return_not_allowed") >= refused + 3, "audit: return_not_allowed not recorded");
	/* passive requests are answered by redirect: a foreign return must not get one either */
	refused_start(b, u = signed_start("e91s1", state, "https://evil.example/finish", "", "0", "1", now), "passive, foreign return");
	free(u);
	/* the control */
	bget(b, u = signed_start("e91s1", state, ret, "", "0", "0", now), &r);
	free(u);
	EXPECT_STATUS(&r, 303);
	CHECK_STR(hc_header_get(&r, "Location"), "/login");
	free(state);
	free(ret);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

void
t_passive(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char *start = idp_start(b, "passive=1&" SP_ENTITY_Q), *want = xfmt("%s/finish?", E.idp), *loc, *e, *t;
	json_t *res;
	long st;

	bget(b, start, &r);
	REQUIRE_STATUS(&r, 303);
	loc = hc_header_get(&r, "Location") != NULL ? strdup(hc_header_get(&r, "Location")) : NULL;
	REQUIREF(starts_with(loc, want), "passive start went to %s", loc != NULL ? loc : "(none)");
	e = hc_query_param(loc, "error");
	t = hc_query_param(loc, "ticket");
	CHECK_STR(e, "NoPassive");
	CHECK(t == NULL);
	CHECK_STR(hc_tmp(hc_query_param(loc, "conversation")), hc_tmp(hc_query_param(start, "conversation")));
	CHECK_STR(hc_tmp(hc_query_param(loc, "state")), hc_tmp(hc_query_param(start, "state")));
	CHECKF(hc_set_cookie(&r, "fb_flow") == NULL, "a passive start made a flow: %s", hc_set_cookie(&r, "fb_flow"));
	CHECKF(r.len == 0 || strstr(r.body, "data-page") == NULL, "a passive start rendered a page");
	res = idp_result(b, loc, &st);
	REQUIRE(res != NULL);
	CHECK(jfalse(res, "ok"));
	CHECK_STR(jstr(res, "authnError"), "NoPassive");
	json_decref(res);
	free(e);
	free(t);
	free(loc);
	free(want);
	free(start);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

void
t_cancel(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	json_t *res;
	long st;
	char *loc;

	idp_begin(b, SP_ENTITY_Q);
	cancel_flow(b, NULL, &r);
	REQUIRE_STATUS(&r, 303);
	loc = strdup(hc_header_get(&r, "Location"));
	CHECK_STR(hc_tmp(hc_query_param(loc, "error")), "NoCredentials");
	res = idp_result(b, loc, &st);
	REQUIRE(res != NULL);
	CHECK_STR(jstr(res, "authnError"), "NoCredentials");
	json_decref(res);
	/* the flow is over */
	cancel_flow(b, NULL, &r);
	EXPECT_ERROR(&r, 400, "expired");
	/* cancelling is a POST from our page: a link or another site's request cannot end a sign-in */
	hc_browser_free(b);
	b = browser();
	idp_begin(b, SP_ENTITY_Q);
	bget(b, "/authn/cancel", &r);
	EXPECT_STATUS(&r, 405);
	{
		hc_browser *evil = hc_browser_new_fresh("https://evil.example");
		char *flow = hc_cookie(b, "fb_flow");
		hc_resp e = { 0 };
		char *u = xfmt("%s/authn/cancel", E.bridge);

		hc_cookie_put(evil, E.host, "fb_flow", flow);
		hc_post_form(evil, u, "reason=expired", &e);
		CHECKF(e.status == 403 && hc_header_get(&e, "Location") == NULL, "a foreign form cancelled: HTTP %ld", e.status);
		hc_post_json(evil, u, "{}", &e);
		CHECKF(e.status == 403, "another site's script cancelled: HTTP %ld", e.status);
		hc_resp_reset(&e);
		hc_browser_free(evil);
		free(flow);
		free(u);
	}
	/* the sign-in is still there */
	expect_no_ticket(b);
	cancel_flow(b, "expired", &r);
	REQUIRE_STATUS(&r, 303);
	CHECK_STR(hc_tmp(hc_query_param(hc_header_get(&r, "Location"), "error")), "Expired");
	free(loc);
	hc_resp_reset(&r);
	hc_browser_free(b);
}
