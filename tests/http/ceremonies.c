/* The browser's side of the ceremonies for the HTTP tests: sign-in through the IdP stand-in and at /login, enrolment at a link. */
#include "ceremonies.h"

#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "stack.h"
#include "tools.h"

char *
idp_start(hc_browser *b, const char *query)
{
	hc_resp r = { 0 };
	char *url = xfmt("%s/start%s%s", E.idp, query != NULL ? "?" : "", query != NULL ? query : ""), *loc;
	char *want = xfmt("%s/authn/start?", E.bridge);

	hc_get(b, url, &r);
	free(url);
	REQUIRE_STATUS(&r, 303);
	loc = hc_header_get(&r, "Location") != NULL ? strdup(hc_header_get(&r, "Location")) : NULL;
	REQUIREF(starts_with(loc, want), "the stand-in sent us to %s, want %s...", loc != NULL ? loc : "(none)", want);
	free(want);
	hc_resp_reset(&r);
	return loc;
}

void
idp_begin(hc_browser *b, const char *query)
{
	hc_resp r = { 0 };
	char *start = idp_start(b, query), *flow;

	bget(b, start, &r);
	free(start);
	REQUIRE_STATUS(&r, 303);
	CHECK_STR(hc_header_get(&r, "Location"), "/login");
	REQUIREF(hc_set_cookie(&r, "fb_flow") != NULL, "/authn/start did not set fb_flow");
	bget(b, "/login", &r);
	REQUIRE_STATUS(&r, 200);
	CHECKF(strstr(r.body, "data-page=\"login\"") != NULL && strstr(r.body, "data-has-flow=\"1\"") != NULL,
	    "/login with an IdP flow: not the login page with data-has-flow=\"1\"");
	/* the page belongs to the flow /authn/start made: it must not start another one */
	CHECKF(hc_set_cookie(&r, "fb_flow") == NULL, "/login replaced the IdP flow's cookie: %s", hc_set_cookie(&r, "fb_flow"));
	flow = hc_cookie(b, "fb_flow");
	REQUIREF(flow != NULL && strlen(flow) == 43, "fb_flow cookie \"%s\"", flow != NULL ? flow : "(none)");
	free(flow);
	hc_resp_reset(&r);
}

char *
auth_options(hc_browser *b, const char *body, json_t **pk)
{
	return auth_options_path(b, "/api/authenticate/options", body, pk);
}

char *
auth_options_path(hc_browser *b, const char *path, const char *body, json_t **pk)
{
	hc_resp r = { 0 };
	json_t *p;
	const char *chal;
	char *out;

	bpost(b, path, body, &r);
	REQUIRE_STATUS(&r, 200);
	CHECK(json_is_true(json_object_get(r.json, "ok")));
	p = json_object_get(r.json, "publicKey");
	chal = json_string_value(json_object_get(p, "challenge"));
	REQUIREF(chal != NULL && strlen(chal) == 43, "options: challenge \"%s\"", chal != NULL ? chal : "(none)");
	note_secret("challenge", chal);
	out = strdup(chal);
	if (pk != NULL)
		*pk = json_incref(p);
	hc_resp_reset(&r);
	return out;
}

json_t *
make_assertion(sk_key *k, const char *challenge, const sk_auth_opts *o)
{
	sk_auth_opts a;

	if (o != NULL)
		a = *o;
	else
		memset(&a, 0, sizeof(a));
	if (a.origin == NULL)
		a.origin = E.bridge;
	if (a.rp_id == NULL)
		a.rp_id = RP_ID;
	a.challenge = challenge;
	return sk_assertion(k, &a);
}

char *
auth_verify_ok(hc_browser *b, json_t *cred)
{
	hc_resp r = { 0 };
	char *next;

	bpostj(b, "/api/authenticate/verify", cred, &r);
	REQUIRE_STATUS(&r, 200);
	CHECK(json_is_true(json_object_get(r.json, "ok")));
	REQUIREF(hc_json_str(&r, "next") != NULL, "verify: no next in %s", r.body);
	next = strdup(hc_json_str(&r, "next"));
	hc_resp_reset(&r);
	return next;
}

char *
bridge_finish(hc_browser *b)
{
	hc_resp r = { 0 };
	char *want = xfmt("%s/finish?", E.idp), *loc, *ticket;
	const char *del;

	bget(b, "/authn/finish", &r);
	REQUIRE_STATUS(&r, 303);
	loc = hc_header_get(&r, "Location") != NULL ? strdup(hc_header_get(&r, "Location")) : NULL;
	REQUIREF(starts_with(loc, want), "/authn/finish sent us to %s, want %s...", loc != NULL ? loc : "(none)", want);
	/* the flow is over: its cookie goes */
	del = hc_set_cookie(&r, "fb_flow");
	CHECKF(del != NULL && strstr(del, "Max-Age=0") != NULL, "/authn/finish did not delete fb_flow: %s",
	    del != NULL ? del : "(no Set-Cookie)");
	if ((ticket = hc_query_param(loc, "ticket")) != NULL)
		note_secret("ticket", ticket);
	free(ticket);
	free(want);
	hc_resp_reset(&r);
	return loc;
}

static char *
html_unescape(const char *s, size_t n)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = { { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&#39;", '\'' }, { "&#x27;", '\'' } };
	char *out = malloc(n + 1), *o = out;
	size_t i, k;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n;) {
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++)
			if (strncmp(s + i, ents[k].ent, strlen(ents[k].ent)) == 0)
				break;
		if (k < sizeof(ents) / sizeof(ents[0])) {
			*o++ = ents[k].c;
			i += strlen(ents[k].ent);
		} else {
			*o++ = s[i++];
		}
	}
	*o = '\0';
	return out;
}

json_t *
idp_result(hc_browser *b, const char *url, long *status)
{
	hc_resp r = { 0 };
	const char *start, *end;
	char *text;
	json_error_t je;
	json_t *j;

	hc_get(b, url, &r);
	*status = r.status;
	start = strstr(r.body, "<pre id=\"result\">");
	if (start == NULL) {
		hc_resp_reset(&r);
		return NULL;
	}
	start += strlen("<pre id=\"result\">");
	end = strstr(start, "</pre>");
	if (end == NULL) {
		hc_resp_reset(&r);
		return NULL;
	}
	text = html_unescape(start, (size_t)(end - start));
	j = text != NULL ? json_loads(text, 0, &je) : NULL;
	free(text);
	hc_resp_reset(&r);
	return j;
}

void
expect_no_ticket(hc_browser *b)
{
	hc_resp r = { 0 };

	bget(b, "/authn/finish", &r);
	if (EXPECT_STATUS(&r, 303))
		CHECKF(starts_with(hc_header_get(&r, "Location"), "/login"),
		    "/authn/finish without a sign-in went to %s (a ticket was issued?)", hc_header_get(&r, "Location"));
	hc_resp_reset(&r);
}

json_t *
signin_via_idp(hc_browser *b, sk_key *k, const char *username, char **finish_url)
{
	char *chal, *next, *url, *body;
	sk_auth_opts o;
	json_t *res;
	long st;

	idp_begin(b, SP_ENTITY_Q);
	body = username != NULL ? xfmt("{\"username\":\"%s\"}", username) : strdup("{}");
	chal = auth_options(b, body, NULL);
	free(body);
	memset(&o, 0, sizeof(o));
	o.no_user_handle = username != NULL;
	next = auth_verify_ok(b, make_assertion(k, chal, &o));
	CHECK_STR(next, "/authn/finish");
	url = bridge_finish(b);
	res = idp_result(b, url, &st);
	REQUIREF(st == 200 && res != NULL && json_is_true(json_object_get(res, "ok")), "stand-in result (HTTP %ld): %s", st,
	    res != NULL ? json_dumps(res, JSON_COMPACT) : "(none)");
	if (finish_url != NULL)
		*finish_url = url;
	else
		free(url);
	free(chal);
	free(next);
	return res;
}

hc_browser *
signin_local(sk_key *k)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char *chal, *flow, *idp;
	const char *sess;

	bget(b, "/login?for=passkeys", &r);
	REQUIRE_STATUS(&r, 200);
	CHECKF(strstr(r.body, "data-has-flow=\"0\"") != NULL, "/login without an IdP flow: data-has-flow is not 0");
	CHECKF(strstr(r.body, "data-for=\"passkeys\"") != NULL, "/login?for=passkeys: not My passkeys' sign-in");
	REQUIREF(hc_set_cookie(&r, "fb_local") != NULL, "/login without a flow set no fb_local (the local flow)");
	CHECKF(hc_set_cookie(&r, "fb_flow") == NULL, "a local sign-in set fb_flow: %s", hc_set_cookie(&r, "fb_flow"));
	chal = auth_options_path(b, "/api/authenticate/options?for=passkeys", "{}", NULL);
	bpostj(b, "/api/authenticate/verify?for=passkeys", make_assertion(k, chal, NULL), &r);
	REQUIRE_STATUS(&r, 200);
	CHECK_STR(hc_json_str(&r, "next"), "/passkeys");
	sess = hc_set_cookie(&r, "fb_session");
	REQUIREF(sess != NULL, "a My passkeys sign-in set no fb_session");
	flow = hc_cookie(b, "fb_local");
	CHECKF(flow == NULL, "the local flow cookie stayed after sign-in: %s", flow);
	idp = hc_cookie(b, "fb_flow");
	CHECKF(idp == NULL, "a local sign-in left an fb_flow cookie: %s", idp);
	free(idp);
	free(flow);
	free(chal);
	hc_resp_reset(&r);
	return b;
}

char *
signed_start(const char *conversation, const char *state, const char *ret, const char *entity,
    const char *force, const char *passive, long long ts)
{
	char *m = xfmt("fido-bridge start v2\n%s\n%s\n%s\n%s\n%s\n%s\n%lld", conversation, state, ret, entity, force, passive, ts);
	char *sig = hmac_b64url(E.secret, m);
	char *c = hc_urlencode(conversation), *s = hc_urlencode(state), *r = hc_urlencode(ret), *e = hc_urlencode(entity);
	char *url = xfmt("%s/authn/start?conversation=%s&state=%s&return=%s&entity=%s&force=%s&passive=%s&ts=%lld&sig=%s",
	    E.bridge, c, s, r, e, force, passive, ts, sig);

	free(m);
	free(sig);
	free(c);
	free(s);
	free(r);
	free(e);
	return url;
}

/* ---- enrolment ---- */

json_t *
reg_options(hc_browser *b)
{
	return reg_options_body(b, "{}");
}

json_t *
reg_options_link(hc_browser *b, const char *link)
{
	char *u = hc_query_param(link, "u"), *c = hc_query_param(link, "c");
	json_t *body = json_pack("{s:s, s:s}", "username", u != NULL ? u : "", "code", c != NULL ? c : "");
	char *text = json_dumps(body, JSON_COMPACT);
	json_t *pk = reg_options_body(b, text);

	free(text);
	json_decref(body);
	free(u);
	free(c);
	return pk;
}

json_t *
reg_options_body(hc_browser *b, const char *body)
{
	hc_resp r = { 0 };
	json_t *pk;
	const char *chal;

	bpost(b, "/api/register/options", body, &r);
	REQUIRE_STATUS(&r, 200);
	CHECK(json_is_true(json_object_get(r.json, "ok")));
	pk = json_object_get(r.json, "publicKey");
	chal = json_string_value(json_object_get(pk, "challenge"));
	REQUIREF(chal != NULL && strlen(chal) == 43, "register options: challenge \"%s\"", chal != NULL ? chal : "(none)");
	note_secret("challenge", chal);
	json_incref(pk);
	hc_resp_reset(&r);
	return pk;
}

json_t *
make_registration(sk_key *k, const char *challenge, const sk_reg_opts *o)
{
	sk_reg_opts a;

	if (o != NULL)
		a = *o;
	else
		memset(&a, 0, sizeof(a));
	if (a.origin == NULL)
		a.origin = E.bridge;
	if (a.rp_id == NULL)
		a.rp_id = RP_ID;
	a.challenge = challenge;
	return sk_registration(k, &a);
}

long
cancel_flow(hc_browser *b, const char *reason, hc_resp *r)
{
	char *body = reason != NULL ? xfmt("{\"reason\":\"%s\"}", reason) : xfmt("{}");

	bpost(b, "/authn/cancel", body, r);
	free(body);
	if (r->status != 200)
		return r->status;
	CHECK_STR(hc_json_str(r, "next"), "/authn/finish");
	return bget(b, "/authn/finish", r);
}

hc_browser *
enrol_browser(const char *user, sk_key *k, const char *nick)
{
	char *link = enrol_link(user);
	hc_browser *b = browser();
	hc_resp r = { 0 };
	json_t *pk;

	bget(b, link, &r);
	REQUIRE_STATUS(&r, 200);
	pk = reg_options_link(b, link);
	REQUIREF(sk_key_set_user_handle(k, json_string_value(json_object_get(json_object_get(pk, "user"), "id"))) == 0,
	    "register options: no usable user.id");
	bpostj(b, "/api/register/verify", json_pack("{s:o, s:s}", "credential",
	    make_registration(k, json_string_value(json_object_get(pk, "challenge")), NULL), "nickname", nick), &r);
	REQUIRE_STATUS(&r, 200);
	CHECK_STR(hc_json_str(&r, "next"), "/enrolled");
	json_decref(pk);
	hc_resp_reset(&r);
	free(link);
	return b;
}

void
enrol(const char *user, sk_key *k, const char *nick)
{
	hc_browser_free(enrol_browser(user, k, nick));
}
