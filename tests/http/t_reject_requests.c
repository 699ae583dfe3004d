/*
 * HTTP tests: requests refused: oversized and malformed bodies, missing or
 * foreign Origin, unknown and finished flows.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cases.h"
#include "ceremonies.h"
#include "client.h"
#include "fixtures.h"
#include "harness.h"
#include "stack.h"
#include "tools.h"

static long
raw_post(hc_browser *b, const char *path, const char *body, size_t len, const char *ctype, const char *origin,
    int chunked, int expect100, hc_resp *r)
{
	char *url = xfmt("%s%s", E.bridge, path), *h_ct = NULL, *h_or = NULL;
	const char *h[5];
	int n = 0;

	if (ctype != NULL)
		h[n++] = h_ct = xfmt("Content-Type: %s", ctype);
	else
		h[n++] = "Content-Type:";
	if (origin != NULL)
		h[n++] = h_or = xfmt("Origin: %s", origin);
	if (!expect100)
		h[n++] = "Expect:";
	h[n] = NULL;
	hc_request(b, "POST", url, body, len, h, chunked, r);
	bridge_response_checks(r);
	free(url);
	free(h_ct);
	free(h_or);
	return r->status;
}

static char *
padded_json(size_t total)
{
	/* {"pad":"aaa…"} of exactly total bytes */
	char *s = malloc(total + 1);

	memcpy(s, "{\"pad\":\"", 8);
	memset(s + 8, 'a', total - 10);
	memcpy(s + total - 2, "\"}", 2);
	s[total] = '\0';
	return s;
}

void
t_oversized_body(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	size_t max = (size_t)E.max_body;
	char *at = padded_json(max), *over = padded_json(max + 1), *big = padded_json(max * 4);

	bget(b, "/login?for=passkeys", &r);
	REQUIRE_STATUS(&r, 200);
	/* at the limit: an ordinary request */
	raw_post(b, "/api/authenticate/options?for=passkeys", at, max, "application/json", E.bridge, 0, 0, &r);
	EXPECT_STATUS(&r, 200);
	/* one byte over, declared in Content-Length */
	raw_post(b, "/api/authenticate/options?for=passkeys", over, max + 1, "application/json", E.bridge, 0, 0, &r);
	EXPECT_STATUS(&r, 413);
	/* the same with Expect: 100-continue: refused before the body is sent */
	raw_post(b, "/api/authenticate/options?for=passkeys", big, max * 4, "application/json", E.bridge, 0, 1, &r);
	EXPECT_STATUS(&r, 413);
	/* chunked: no length up front, counted while it arrives */
	raw_post(b, "/api/authenticate/options?for=passkeys", over, max + 1, "application/json", E.bridge, 1, 0, &r);
	EXPECT_STATUS(&r, 413);
	raw_post(b, "/api/authenticate/verify", big, max * 4, "application/json", E.bridge, 1, 0, &r);
	EXPECT_STATUS(&r, 413);
	/* the server is fine afterwards */
	bget(b, "/healthz", &r);
	EXPECT_STATUS(&r, 200);
	free(at);
	free(over);
	free(big);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

void
t_malformed_bodies(void)
{
	static const char *const bodies[] = {
		"", "not json", "{", "[]", "[{}]", "null", "\"text\"", "42", "{}", "{\"id\":\"x\"}",
		"{\"a\":1,\"a\":2}", "{\"type\":\"public-key\"}",
	};
	static const char *const endpoints[] = { "/api/authenticate/verify", "/api/register/verify" };
	static const char *const fields[] = { "id", "rawId", "response.clientDataJSON", "response.authenticatorData",
		"response.signature", "response.userHandle" };
	hc_browser *b;
	hc_resp r = { 0 };
	char *chal, *text, *before, *after, *url;
	json_t *cred, *res;
	size_t i;
	long st;

	need_alice();
	before = user_creds_text("alice");
	b = browser();
	idp_begin(b, SP_ENTITY_Q);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		bpost(b, "/api/authenticate/verify", bodies[i], &r);
		EXPECT_ERROR(&r, 400, "bad_request");
	}
	/* JSON that is not an object is malformed for the other endpoints too */
	for (i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++) {
		bpost(b, endpoints[i], "[]", &r);
		EXPECT_ERROR(&r, 400, "bad_request");
	}
	bpost(b, "/api/authenticate/options", "[\"alice\"]", &r);
	EXPECT_ERROR(&r, 400, "bad_request");
	bpost(b, "/api/authenticate/options", "nope", &r);
	EXPECT_ERROR(&r, 400, "bad_request");

	/* a real assertion with one member spoiled: padding, standard alphabet, a missing member */
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *f = fields[i];
		json_t *holder;
		const char *v;
		char *spoiled;
		size_t vlen;
		chal = auth_options(b, "{}", NULL);
		cred = make_assertion(&alice, chal, NULL);
		holder = strncmp(f, "response.", 9) == 0 ? json_object_get(cred, "response") : cred;
		if (strncmp(f, "response.", 9) == 0)
			f += 9;
		v = json_string_value(json_object_get(holder, f));
		REQUIRE(v != NULL);
		spoiled = xfmt("%s=", v);
		vlen = strlen(v); /* v dies with the old value below */
		json_object_set_new(holder, f, json_string(spoiled));
		th_note("  %s with '=' padding", fields[i]);
		bpostj(b, "/api/authenticate/verify", json_incref(cred), &r);
		EXPECT_ERROR(&r, 400, "bad_request");
		free(spoiled);
		if (vlen > 0) {
			/* '-' and '_' written the standard way */
			char *std = strdup(json_string_value(json_object_get(holder, f)));
			size_t k;
			std[strlen(std) - 1] = '\0';
			for (k = 0; std[k]; k++)
				std[k] = std[k] == '-' ? '+' : std[k] == '_' ? '/' : std[k];
			if (strpbrk(std, "+/") != NULL) {
				json_object_set_new(holder, f, json_string(std));
				bpostj(b, "/api/authenticate/verify", json_incref(cred), &r);
				EXPECT_ERROR(&r, 400, "bad_request");
			}
			free(std);
		}
		if (strcmp(f, "userHandle") != 0) {
			json_object_del(holder, f);
			bpostj(b, "/api/authenticate/verify", json_incref(cred), &r);
			EXPECT_ERROR(&r, 400, "bad_request");
		}
		json_decref(cred);
		free(chal);
	}
	/* right JSON, wrong Content-Type */
	chal = auth_options(b, "{}", NULL);
	text = json_dumps(make_assertion(&alice, chal, NULL), JSON_COMPACT);
	raw_post(b, "/api/authenticate/verify", text, strlen(text), "text/plain", E.bridge, 0, 0, &r);
	EXPECT_ERROR(&r, 400, "bad_request");
	raw_post(b, "/api/authenticate/verify", text, strlen(text), NULL, E.bridge, 0, 0, &r);
	EXPECT_ERROR(&r, 400, "bad_request");
	raw_post(b, "/api/authenticate/verify", text, strlen(text), "application/x-www-form-urlencoded", E.bridge, 0, 0, &r);
	EXPECT_ERROR(&r, 400, "bad_request");
	/* the media type is matched whole: a longer name that starts with it is another type */
	raw_post(b, "/api/authenticate/verify", text, strlen(text), "application/jsonx", E.bridge, 0, 0, &r);
	EXPECT_ERROR(&r, 400, "bad_request");
	raw_post(b, "/api/authenticate/verify", text, strlen(text), "application/json-patch+json", E.bridge, 0, 0, &r);
	EXPECT_ERROR(&r, 400, "bad_request");
	free(text);
	free(chal);
	/* parameters after ';' are fine */
	raw_post(b, "/api/authenticate/options", "{}", 2, "application/json; charset=utf-8", E.bridge, 0, 0, &r);
	EXPECT_STATUS(&r, 200);
	/* nothing happened: no ticket, the directory as before, and the flow still works */
	expect_no_ticket(b);
	after = user_creds_text("alice");
	CHECKF(strcmp(before, after) == 0, "malformed requests changed the directory:\n%s\n%s", before, after);
	chal = auth_options(b, "{}", NULL);
	text = auth_verify_ok(b, make_assertion(&alice, chal, NULL));
	CHECK_STR(text, "/authn/finish");
	url = bridge_finish(b);
	res = idp_result(b, url, &st);
	CHECKF(res != NULL && jtrue(res, "ok"), "the flow after malformed requests: %s", res != NULL ? json_dumps(res, 0) : "(none)");
	json_decref(res);
	free(url);
	free(text);
	free(chal);
	free(before);
	free(after);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

void
t_origin(void)
{
	static const char *const endpoints[] = {
		"/api/authenticate/options", "/api/authenticate/verify", "/api/register/options",
		"/api/register/verify", "/api/passkeys/rename", "/api/passkeys/delete",
	};
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char *slash = xfmt("%s/", E.bridge), *https = NULL, *upper = NULL;
	const char *origins[6];
	size_t i, j, n = 0;

	/* the same host on https, or spelled otherwise, is another origin */
	https = xfmt("https://%s", strstr(E.bridge, "://") + 3);
	upper = xfmt("http://LOCALHOST%s", strchr(strstr(E.bridge, "://") + 3, ':'));
	origins[n++] = NULL;
	origins[n++] = "https://evil.example";
	origins[n++] = "null";
	origins[n++] = slash;
	origins[n++] = https;
	origins[n++] = upper;
	bget(b, "/login?for=passkeys", &r);
	REQUIRE_STATUS(&r, 200);
	for (i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++)
		for (j = 0; j < n; j++) {
			raw_post(b, endpoints[i], "{}", 2, "application/json", origins[j], 0, 0, &r);
			CHECKF(r.status == 403 && streq_json_error(&r, "forbidden"), "%s with Origin %s: HTTP %ld %s", endpoints[i],
			    origins[j] != NULL ? origins[j] : "(none)", r.status, r.body);
		}
	/* the control: our own origin */
	raw_post(b, "/api/authenticate/options?for=passkeys", "{}", 2, "application/json", E.bridge, 0, 0, &r);
	EXPECT_STATUS(&r, 200);
	free(slash);
	free(https);
	free(upper);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

void
t_unknown_flow(void)
{
	hc_browser *b;
	hc_resp r = { 0 };
	char *ids[3], *old, *chal, *next;
	size_t i;

	ids[0] = NULL;
	ids[1] = rand_b64(32);
	ids[2] = strdup("..%2F..%2Fetc");
	for (i = 0; i < 3; i++) {
		b = browser();
		if (ids[i] != NULL)
			hc_cookie_put(b, E.host, "fb_flow", ids[i]);
		bpost(b, "/api/authenticate/options", "{}", &r);
		EXPECT_ERROR(&r, 400, "expired");
		bpost(b, "/api/authenticate/verify", "{\"id\":\"AA\",\"rawId\":\"AA\",\"type\":\"public-key\",\"response\":{}}", &r);
		CHECKF(r.status == 400, "verify without a flow: HTTP %ld", r.status);
		bget(b, "/authn/finish", &r);
		expect_error_page(&r, 400);
		cancel_flow(b, NULL, &r);
		EXPECT_ERROR(&r, 400, "expired");
		hc_browser_free(b);
		free(ids[i]);
	}
	/* a finished flow is unknown from then on */
	need_alice();
	b = browser();
	idp_begin(b, SP_ENTITY_Q);
	old = hc_cookie(b, "fb_flow");
	chal = auth_options(b, "{}", NULL);
	next = auth_verify_ok(b, make_assertion(&alice, chal, NULL));
	free(bridge_finish(b));
	hc_cookie_put(b, E.host, "fb_flow", old);
	bget(b, "/authn/finish", &r);
	expect_error_page(&r, 400);
	bpost(b, "/api/authenticate/options", "{}", &r);
	EXPECT_ERROR(&r, 400, "expired");
	free(next);
	free(chal);
	free(old);
	hc_resp_reset(&r);
	hc_browser_free(b);
}
