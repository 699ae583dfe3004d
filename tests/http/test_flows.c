/*
 * HTTP-level tests of fido-bridged on a running stack (real slapd, memcached,
 * the IdP stand-in), with a software passkey in the test: enrolment, sign-in
 * through the IdP handoff, My passkeys, and every rejection the bridge
 * promises. Run through tests/http/run.sh, which starts and stops the stack.
 *
 *   test_http_flows [--list | --group main|cache|limits|proxy | CASE...]
 *
 * The cases of a run share the stack: fixtures (alice's and bob's passkeys)
 * are made by the first case that needs them, so any case can also run
 * alone, e.g. tests/http/run.sh --build build -- build/tests/http/test_http_flows my_passkeys
 * Groups: "main" (everything the bridge promises), "cache" (single use in
 * memcached across server threads: needs a stack of its own), "limits" (the
 * per-address limit: needs STACK_LIMIT_ADDRESS low), "proxy" (behind a
 * trusted proxy: needs trusted_proxies = 127.0.0.1 and low limits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "client.h"
#include "harness.h"
#include "rawconn.h"
#include "softkey.h"
#include "stack.h"

/* ---- fixtures ---- */

static sk_key alice, bob;
static int alice_ready, bob_ready;

static void
need_alice(void)
{
	if (alice_ready)
		return;
	sk_key_new(&alice);
	enrol("alice", &alice, "test key");
	alice_ready = 1;
}

static void
need_bob(void)
{
	if (bob_ready)
		return;
	sk_key_new(&bob);
	enrol("bob", &bob, "bob's key");
	bob_ready = 1;
}

static char *
rand_b64(size_t n)
{
	unsigned char b[64];

	sk_random(b, n);
	return sk_b64url(b, n);
}

static const char *
jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
jtrue(const json_t *o, const char *k)
{
	return json_is_true(json_object_get(o, k));
}

static int
jfalse(const json_t *o, const char *k)
{
	return json_is_false(json_object_get(o, k));
}

static int
is_public_key(const json_t *d)
{
	const char *t = jstr(d, "type");

	return t != NULL && strcmp(t, "public-key") == 0;
}

static int
streq_json_error(const hc_resp *r, const char *code)
{
	const char *e = json_string_value(json_object_get(r->json, "error"));

	return e != NULL && strcmp(e, code) == 0;
}

/* The first value of a multi-valued attribute in a result/record. */
static const char *
attr0(const json_t *rec, const char *name)
{
	return json_string_value(json_array_get(json_object_get(json_object_get(rec, "attributes"), name), 0));
}

/* A bridge error page that must not redirect anywhere. */
static void
expect_error_page(const hc_resp *r, long status)
{
	EXPECT_STATUS(r, status);
	CHECKF(hc_header_get(r, "Location") == NULL, "%s: error answer redirects to %s", r->url, hc_header_get(r, "Location"));
	CHECKF(strstr(r->body, "data-page=\"error\"") != NULL, "%s: not the error page: %.200s", r->url, r->body);
	CHECKF(hc_set_cookie(r, "fb_flow") == NULL || strstr(hc_set_cookie(r, "fb_flow"), "Max-Age=0") != NULL,
	    "%s: an error page started a flow: %s", r->url, hc_set_cookie(r, "fb_flow"));
}

/* ======================================================================
 * 6. operations
 * ====================================================================== */

/* A metric without labels from /metrics; -1 when absent. */
static long
metric_value(hc_browser *b, const char *name)
{
	hc_resp r = { 0 };
	char *key = xfmt("\n%s ", name);
	const char *p;
	long v = -1;

	bget(b, "/metrics", &r);
	if (r.status == 200 && r.body != NULL && (p = strstr(r.body, key)) != NULL)
		v = strtol(p + strlen(key), NULL, 10);
	free(key);
	hc_resp_reset(&r);
	return v;
}

static void
t_ops(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	const char *ct;

	bget(b, "/healthz", &r);
	EXPECT_STATUS(&r, 200);
	CHECK_STR(r.body, "ok\n");
	ct = hc_header_get(&r, "Content-Type");
	CHECKF(starts_with(ct, "text/plain"), "/healthz Content-Type %s", ct);

	/* one event and one observed request to look for */
	bget(b, "/authn/start?conversation=x", &r);
	expect_error_page(&r, 400);
	bget(b, "/metrics", &r);
	EXPECT_STATUS(&r, 200);
	CHECK(strstr(r.body, "# TYPE fidobridge_events_total counter") != NULL);
	CHECKF(strstr(r.body, "fidobridge_events_total{event=\"handoff_rejected\",reason=\"missing_parameter\"}") != NULL,
	    "/metrics does not count the rejected start: %.2000s", r.body);
	CHECK(strstr(r.body, "# TYPE fidobridge_request_seconds histogram") != NULL);
	CHECKF(strstr(r.body, "fidobridge_request_seconds_bucket{route=\"healthz\",le=\"+Inf\"}") != NULL,
	    "/metrics has no latency buckets for healthz: %.2000s", r.body);

	/* the key cache: a key that signs in twice is parsed once */
	CHECKF(strstr(r.body, "fidobridge_key_cache_capacity 1024\n") != NULL,
	    "/metrics has no key cache capacity 1024: %.3000s", r.body);
	{
		long h0, h1, m0, m1;
		int i;

		need_alice();
		h0 = metric_value(b, "fidobridge_key_cache_hits_total");
		m0 = metric_value(b, "fidobridge_key_cache_misses_total");
		for (i = 0; i < 2; i++) {
			hc_browser *s = browser();
			char *chal, *next;

			idp_begin(s, SP_ENTITY_Q);
			chal = auth_options(s, "{}", NULL);
			next = auth_verify_ok(s, make_assertion(&alice, chal, NULL));
			free(next);
			free(chal);
			hc_browser_free(s);
		}
		h1 = metric_value(b, "fidobridge_key_cache_hits_total");
		m1 = metric_value(b, "fidobridge_key_cache_misses_total");
		CHECKF(h0 >= 0 && m0 >= 0 && h1 + m1 == h0 + m0 + 2, "key cache lookups %ld+%ld -> %ld+%ld after 2 sign-ins",
		    h0, m0, h1, m1);
		CHECKF(h1 >= h0 + 1, "the second sign-in with the same key was not a cache hit (%ld -> %ld)", h0, h1);
	}

	bget(b, "/no/such/page", &r);
	EXPECT_STATUS(&r, 404);
	bpost(b, "/healthz", "{}", &r);
	EXPECT_STATUS(&r, 405);
	bget(b, "/api/authenticate/options", &r);
	EXPECT_STATUS(&r, 405);
	bget(b, "/static/js/common.js", &r);
	EXPECT_STATUS(&r, 200);
	CHECKF(strstr(hc_header_get(&r, "Content-Type") != NULL ? hc_header_get(&r, "Content-Type") : "", "javascript") != NULL,
	    "common.js Content-Type %s", hc_header_get(&r, "Content-Type"));
	bget(b, "/static/../bridge.conf", &r);
	CHECKF(r.status == 404 || r.status == 400, "/static/../ answered %ld", r.status);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/* ======================================================================
 * 1. enrolment with a link
 * ====================================================================== */

static void
t_enrol_with_link(void)
{
	hc_browser *a = browser(), *c;
	hc_resp r = { 0 };
	json_t *u, *pk, *cr, *reg, *p;
	char *link, *code, *old_session, *reg_text, *ldif, *cred_dn, *want_b64;
	unsigned char *handle = NULL, *cose = NULL;
	size_t hlen = 0, clen = 0, i;
	int found;
	const char *sess;

	if (alice_ready)
		th_skip("alice was enrolled by an earlier case");
	sk_key_new(&alice);

	u = user_show("alice");
	REQUIREF(json_array_size(json_object_get(u, "credentials")) == 0, "alice already has passkeys");
	CHECK_STR(jstr(u, "user_handle"), "");
	json_decref(u);

	link = enrol_link("alice");
	code = hc_query_param(link, "c");
	u = user_show("alice");
	CHECK_INT(json_integer_value(json_object_get(u, "pending_enrolment_codes")), 1);
	json_decref(u);

	/* the link page starts an enrolment session */
	bget(a, link, &r);
	REQUIRE_STATUS(&r, 200);
	CHECK(starts_with(hc_header_get(&r, "Content-Type"), "text/html"));
	CHECK(strstr(r.body, "data-page=\"enroll\"") != NULL);
	CHECK(strstr(r.body, "Alice Anderson") != NULL);
	sess = hc_set_cookie(&r, "fb_session");
	REQUIREF(sess != NULL, "the enrolment page set no fb_session");
	old_session = hc_cookie(a, "fb_session");
	REQUIRE(old_session != NULL && strlen(old_session) == 43);
	/* an enrolment link proves no passkey: it does not open My passkeys */
	bget(a, "/api/passkeys", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	bget(a, "/passkeys", &r);
	EXPECT_STATUS(&r, 303);
	CHECK_STR(hc_header_get(&r, "Location"), "/login");

	/* options */
	pk = reg_options(a);
	p = json_object_get(pk, "rp");
	CHECK_STR(jstr(p, "id"), "localhost");
	CHECK(jstr(p, "name") != NULL);
	p = json_object_get(pk, "user");
	CHECK_STR(jstr(p, "name"), "alice");
	CHECK_STR(jstr(p, "displayName"), "Alice Anderson");
	REQUIREF(jstr(p, "id") != NULL && sk_b64url_decode(jstr(p, "id"), &handle, &hlen) == 0,
	    "user.id \"%s\" is not base64url", jstr(p, "id"));
	CHECKF(hlen >= 16 && hlen <= 64, "user handle of %zu bytes", hlen);
	CHECKF(strstr(jstr(p, "id"), "alice") == NULL, "the user handle shows the username");
	REQUIRE(sk_key_set_user_handle(&alice, jstr(p, "id")) == 0);
	CHECK(json_is_array(json_object_get(pk, "excludeCredentials")) && json_array_size(json_object_get(pk, "excludeCredentials")) == 0);
	found = 0;
	json_array_foreach(json_object_get(pk, "pubKeyCredParams"), i, cr)
		found |= json_integer_value(json_object_get(cr, "alg")) == -7 && is_public_key(cr);
	CHECKF(found, "pubKeyCredParams offers no ES256 public-key");
	CHECK(json_integer_value(json_object_get(pk, "timeout")) > 0);
	CHECK_STR(jstr(json_object_get(pk, "authenticatorSelection"), "userVerification"), "preferred");
	CHECK_STR(jstr(json_object_get(pk, "authenticatorSelection"), "residentKey"), "preferred");
	CHECK(jstr(pk, "attestation") != NULL);
	/* the handle is in the directory from the options on */
	u = user_show("alice");
	CHECK_STR(jstr(u, "user_handle"), jstr(json_object_get(pk, "user"), "id"));
	json_decref(u);

	/* verify */
	reg = make_registration(&alice, jstr(pk, "challenge"), NULL);
	reg_text = json_dumps(json_pack("{s:O, s:s}", "credential", reg, "nickname", "test key"), JSON_COMPACT);
	bpost(a, "/api/register/verify", reg_text, &r);
	REQUIRE_STATUS(&r, 200);
	CHECK(json_is_true(json_object_get(r.json, "ok")));
	CHECK_STR(hc_json_str(&r, "next"), "/enrolled");

	/* what the directory holds now */
	u = user_show("alice");
	CHECK_INT(json_array_size(json_object_get(u, "credentials")), 1);
	CHECK_INT(json_integer_value(json_object_get(u, "pending_enrolment_codes")), 0);
	cr = user_cred(u, alice.cred_id_b64);
	REQUIREF(cr != NULL, "the directory has no credential %s", alice.cred_id_b64);
	CHECK_STR(jstr(cr, "nickname"), "test key");
	CHECK_STR(jstr(cr, "aaguid"), alice.aaguid_text);
	CHECK_STR(jstr(cr, "fmt"), "none");
	CHECK_STR(jstr(cr, "transports"), "internal");
	CHECK_INT(json_integer_value(json_object_get(cr, "sign_count")), 0);
	CHECK(jtrue(cr, "user_verified"));
	CHECK(jfalse(cr, "backup_eligible"));
	CHECK(jfalse(cr, "backup_state"));
	CHECK(jstr(cr, "created") != NULL);
	cred_dn = xfmt("fidoCredentialId=%s,uid=alice,%s", alice.cred_id_b64, E.people);
	CHECK_STR(jstr(cr, "dn"), cred_dn);
	json_decref(u);
	/* and the public key is the one the authenticator made, byte for byte */
	ldif = ldap_search(cred_dn, "(objectClass=fidoCredential)", "fidoPublicKey");
	sk_cose_key(&alice, &cose, &clen);
	want_b64 = b64std(cose, clen);
	{
		char *line = xfmt("fidoPublicKey:: %s\n", want_b64);
		CHECKF(strstr(ldif, line) != NULL, "fidoPublicKey in LDAP is not the COSE key: %s", ldif);
		free(line);
	}
	free(ldif);

	/* the enrolled page; still no My passkeys without a passkey sign-in */
	bget(a, "/enrolled", &r);
	EXPECT_STATUS(&r, 200);
	CHECK(strstr(r.body, "Alice Anderson") != NULL);
	bget(a, "/api/passkeys", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	bpostj(a, "/api/passkeys/delete", json_pack("{s:s, s:b}", "id", alice.cred_id_b64, "confirm", 1), &r);
	EXPECT_ERROR(&r, 403, "forbidden");

	/* the code is spent: the link shows an error and starts nothing */
	c = browser();
	bget(c, link, &r);
	expect_error_page(&r, 400);
	CHECKF(hc_set_cookie(&r, "fb_session") == NULL, "a used link still starts a session");
	/* the enrolment session is gone: its cookie gets nothing */
	hc_cookie_put(c, E.host, "fb_session", old_session);
	bpost(c, "/api/register/options", "{}", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	bpost(c, "/api/register/verify", reg_text, &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	/* and the same browser cannot register again after the enrolment */
	bpost(a, "/api/register/verify", reg_text, &r);
	CHECKF(r.status == 403 || r.status == 400, "a second register/verify in the enrolment browser: HTTP %ld %s", r.status, r.body);
	CHECK(json_is_false(json_object_get(r.json, "ok")));
	bpost(a, "/api/register/options", "{}", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	CHECK_INT(user_ncreds("alice"), 1);

	if (code != NULL)
		note_secret("enrolment_code", code);
	alice_ready = 1;
	json_decref(pk);
	json_decref(reg);
	free(reg_text);
	free(handle);
	free(cose);
	free(want_b64);
	free(cred_dn);
	free(old_session);
	free(code);
	free(link);
	hc_resp_reset(&r);
	hc_browser_free(a);
	hc_browser_free(c);
}

/* ======================================================================
 * 2. discoverable sign-in through the IdP stand-in
 * ====================================================================== */

/* The ticket record as the bridge stored it, checked against the protocol document. */
static void
check_ticket_record(const char *ticket, const char *conv, const char *state, const sk_key *k, const char *principal,
    long long t0)
{
	int copies = 0;
	long ttl = -2;
	char *key = xfmt("ticket:%s", ticket), *text = mc_lookup(key, &copies, &ttl), *m, *mac;
	json_error_t je;
	json_t *rec;
	long long inst;

	free(key);
	REQUIREF(text != NULL, "memcached has no %sticket:%s", E.prefix, ticket);
	rec = json_loads(text, 0, &je);
	REQUIREF(json_is_object(rec), "the ticket record is not JSON: %s", text);
	CHECK_INT(json_integer_value(json_object_get(rec, "v")), 1);
	CHECK_STR(jstr(rec, "principal"), principal);
	CHECK_STR(jstr(rec, "conversation"), conv);
	CHECK_STR(jstr(rec, "state"), state);
	CHECK_STR(jstr(rec, "entity"), SP_ENTITY);
	CHECK(jtrue(rec, "uv"));
	CHECK(jfalse(rec, "be"));
	CHECK(jfalse(rec, "bs"));
	CHECK(jtrue(rec, "mfa"));
	CHECK_STR(jstr(rec, "credential_id"), k->cred_id_b64);
	CHECK_STR(jstr(rec, "aaguid"), k->aaguid_text);
	inst = json_integer_value(json_object_get(rec, "auth_instant"));
	CHECKF(json_is_integer(json_object_get(rec, "auth_instant")) && inst >= t0 - 2 && inst <= (long long)time(NULL) + 2,
	    "auth_instant %lld, the sign-in was at %lld", inst, t0);
	CHECKF(ttl > 0 && ttl <= 60, "the ticket lives %ld s (60 at most)", ttl);
	/* the MAC, recomputed here from the document (not with the bridge's code) */
	m = xfmt("v1\n%s\n%s\n%s\n%s\n%lld\n%s", ticket, principal, conv, state, inst, jtrue(rec, "mfa") ? "1" : "0");
	mac = hmac_b64url(E.secret, m);
	CHECK_STR(jstr(rec, "mac"), mac);
	free(m);
	free(mac);
	free(text);
	json_decref(rec);
}

static void
t_signin_discoverable(void)
{
	hc_browser *b;
	hc_resp r = { 0 };
	json_t *pk, *res, *cr, *u;
	char *start, *chal, *next, *url, *ticket, *conv, *state;
	const char *fc;
	long st;
	long long t0 = (long long)time(NULL);

	need_alice();
	b = browser();
	start = idp_start(b, SP_ENTITY_Q);
	CHECK(hc_tmp(hc_cookie(b, "idp_session")) != NULL);
	bget(b, start, &r);
	REQUIRE_STATUS(&r, 303);
	CHECK_STR(hc_header_get(&r, "Location"), "/login");
	fc = hc_set_cookie(&r, "fb_flow");
	REQUIREF(fc != NULL, "/authn/start set no fb_flow");
	CHECKF(strstr(fc, "; HttpOnly") != NULL && strstr(fc, "; SameSite=Lax") != NULL, "fb_flow: %s", fc);
	bget(b, "/login", &r);
	REQUIRE_STATUS(&r, 200);
	CHECK(strstr(r.body, "data-has-flow=\"1\"") != NULL);
	CHECKF(strstr(r.body, SP_ENTITY) != NULL, "the login page does not name the service");

	chal = auth_options(b, "{}", &pk);
	CHECK_STR(jstr(pk, "rpId"), "localhost");
	CHECK_STR(jstr(pk, "userVerification"), "preferred");
	CHECK(json_integer_value(json_object_get(pk, "timeout")) > 0);
	CHECKF(json_is_array(json_object_get(pk, "allowCredentials")) && json_array_size(json_object_get(pk, "allowCredentials")) == 0,
	    "discoverable options list credentials");
	next = auth_verify_ok(b, make_assertion(&alice, chal, NULL));
	CHECK_STR(next, "/authn/finish");

	url = bridge_finish(b);
	ticket = hc_query_param(url, "ticket");
	conv = hc_query_param(url, "conversation");
	state = hc_query_param(url, "state");
	REQUIREF(ticket != NULL && conv != NULL && state != NULL, "finish URL %s lacks ticket/conversation/state", url);
	CHECKF(strlen(ticket) == 43, "ticket \"%s\" is not 32 bytes of base64url", ticket);
	CHECKF(hc_tmp(hc_query_param(url, "error")) == NULL, "finish URL has an error: %s", url);
	/* conversation and state are the ones the stand-in sent */
	CHECK_STR(conv, hc_tmp(hc_query_param(start, "conversation")));
	CHECK_STR(state, hc_tmp(hc_query_param(start, "state")));
	check_ticket_record(ticket, conv, state, &alice, "alice", t0);

	res = idp_result(b, url, &st);
	REQUIREF(res != NULL, "the stand-in showed no result");
	CHECK_INT(st, 200);
	CHECKF(jtrue(res, "ok"), "stand-in: %s", json_dumps(res, JSON_COMPACT));
	CHECK_STR(jstr(res, "principal"), "alice");
	CHECK(jtrue(res, "uv"));
	CHECK(jtrue(res, "mfa"));
	CHECK(jfalse(res, "be"));
	CHECK_STR(jstr(res, "entity"), SP_ENTITY);
	CHECK_STR(attr0(res, "eduPersonPrincipalName"), "alice@example.edu");
	CHECK_STR(attr0(res, "mail"), "alice@example.edu");
	CHECKF(json_array_size(json_object_get(json_object_get(res, "attributes"), "eduPersonAffiliation")) == 3,
	    "eduPersonAffiliation: %s", json_dumps(json_object_get(json_object_get(res, "attributes"), "eduPersonAffiliation"), 0));
	json_decref(res);

	/* the same finish URL again: nothing */
	res = idp_result(b, url, &st);
	CHECKF(res != NULL && !jtrue(res, "ok") && jstr(res, "principal") == NULL, "a second redemption: %s",
	    res != NULL ? json_dumps(res, JSON_COMPACT) : "(no result)");
	CHECK_INT(st, 400);
	json_decref(res);

	/* the directory saw the use */
	u = user_show("alice");
	cr = user_cred(u, alice.cred_id_b64);
	REQUIRE(cr != NULL);
	CHECK_INT(json_integer_value(json_object_get(cr, "sign_count")), alice.sign_count);
	CHECKF(jstr(cr, "last_used") != NULL, "last_used not recorded: %s", json_dumps(cr, JSON_COMPACT));
	json_decref(u);

	json_decref(pk);
	free(start);
	free(chal);
	free(next);
	free(url);
	free(ticket);
	free(conv);
	free(state);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/* ======================================================================
 * 3. username-first sign-in
 * ====================================================================== */

static void
t_signin_username_first(void)
{
	hc_browser *b;
	json_t *pk, *allow, *d, *res;
	char *chal, *next, *url;
	sk_auth_opts o;
	long st;

	need_alice();
	b = browser();
	idp_begin(b, SP_ENTITY_Q);
	chal = auth_options(b, "{\"username\":\"alice\"}", &pk);
	allow = json_object_get(pk, "allowCredentials");
	CHECKF(json_array_size(allow) == user_ncreds("alice") && json_array_size(allow) >= 1,
	    "allowCredentials has %zu entries", json_array_size(allow));
	d = json_array_get(allow, 0);
	CHECK(is_public_key(d));
	CHECK_STR(jstr(d, "id"), alice.cred_id_b64);
	CHECK_STR(json_string_value(json_array_get(json_object_get(d, "transports"), 0)), "internal");
	CHECK_STR(jstr(pk, "rpId"), "localhost");

	memset(&o, 0, sizeof(o));
	o.no_user_handle = 1;
	next = auth_verify_ok(b, make_assertion(&alice, chal, &o));
	CHECK_STR(next, "/authn/finish");
	url = bridge_finish(b);
	res = idp_result(b, url, &st);
	REQUIRE(res != NULL);
	CHECKF(st == 200 && jtrue(res, "ok"), "stand-in: %s", json_dumps(res, JSON_COMPACT));
	CHECK_STR(jstr(res, "principal"), "alice");
	CHECK_STR(jstr(res, "credential_id"), alice.cred_id_b64);
	json_decref(res);
	json_decref(pk);
	free(chal);
	free(next);
	free(url);
	hc_browser_free(b);
}

/* ======================================================================
 * 4. My passkeys
 * ====================================================================== */

static json_t *
passkey_list(hc_browser *s)
{
	hc_resp r = { 0 };
	json_t *l;

	bget(s, "/api/passkeys", &r);
	REQUIRE_STATUS(&r, 200);
	CHECK(json_is_true(json_object_get(r.json, "ok")));
	l = json_incref(r.json);
	hc_resp_reset(&r);
	return l;
}

static void
t_my_passkeys(void)
{
	sk_key k1, k2;
	hc_browser *anon = browser(), *s, *late;
	hc_resp r = { 0 };
	json_t *l, *p, *pk, *u;
	char *body, *chal, *k1_handle, *long_name, *before;
	long long t0 = (long long)time(NULL);
	size_t i;
	int found;

	sk_key_new(&k1);
	sk_key_new(&k2);
	enrol("carol", &k1, "first");
	k1_handle = sk_b64url(k1.user_handle, k1.user_handle_len);

	/* without a session */
	bget(anon, "/passkeys", &r);
	EXPECT_STATUS(&r, 303);
	CHECK_STR(hc_header_get(&r, "Location"), "/login");
	bget(anon, "/api/passkeys", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	bpost(anon, "/api/passkeys/rename", "{\"id\":\"AAAA\",\"nickname\":\"x\"}", &r);
	EXPECT_ERROR(&r, 403, "forbidden");

	/* sign in at /login without an IdP flow */
	s = signin_local(&k1);
	bget(s, "/passkeys", &r);
	EXPECT_STATUS(&r, 200);
	CHECK(strstr(r.body, "data-page=\"passkeys\"") != NULL);
	CHECK(strstr(r.body, "Prof. Carol Chen") != NULL);

	l = passkey_list(s);
	CHECK_STR(jstr(l, "rp_id"), "localhost");
	CHECK_STR(jstr(json_object_get(l, "user"), "name"), "carol");
	CHECK_STR(jstr(json_object_get(l, "user"), "displayName"), "Prof. Carol Chen");
	CHECK_STR(jstr(json_object_get(l, "user"), "id"), k1_handle);
	CHECK_INT(json_array_size(json_object_get(l, "passkeys")), 1);
	p = json_array_get(json_object_get(l, "passkeys"), 0);
	CHECK_STR(jstr(p, "id"), k1.cred_id_b64);
	CHECK_STR(jstr(p, "nickname"), "first");
	CHECKF(json_integer_value(json_object_get(p, "created")) >= t0 - 5 &&
	    json_integer_value(json_object_get(p, "created")) <= (long long)time(NULL) + 2, "created %lld", (long long)json_integer_value(json_object_get(p, "created")));
	CHECKF(json_integer_value(json_object_get(p, "last_used")) >= t0 - 5, "last_used %lld after a sign-in",
	    (long long)json_integer_value(json_object_get(p, "last_used")));
	CHECK(jfalse(p, "synced"));
	CHECK(json_is_string(json_object_get(p, "authenticator")));
	json_decref(l);

	/* rename */
	body = json_dumps(json_pack("{s:s, s:s}", "id", k1.cred_id_b64, "nickname", "renamed key"), JSON_COMPACT);
	bpost(s, "/api/passkeys/rename", body, &r);
	EXPECT_STATUS(&r, 200);
	CHECK(json_is_true(json_object_get(r.json, "ok")));
	free(body);
	u = user_show("carol");
	CHECK_STR(jstr(user_cred(u, k1.cred_id_b64), "nickname"), "renamed key");
	json_decref(u);
	/* nicknames: 1-64 characters, no control characters */
	bpostj(s, "/api/passkeys/rename", json_pack("{s:s, s:s}", "id", k1.cred_id_b64, "nickname", ""), &r);
	EXPECT_ERROR(&r, 400, "bad_request");
	bpostj(s, "/api/passkeys/rename", json_pack("{s:s, s:s}", "id", k1.cred_id_b64, "nickname", "tab\there"), &r);
	EXPECT_ERROR(&r, 400, "bad_request");
	{
		/* 64 characters of three bytes each: allowed */
		char jp[64 * 3 + 1] = "";
		for (i = 0; i < 64; i++)
			strcat(jp, "\xe3\x81\x82");
		bpostj(s, "/api/passkeys/rename", json_pack("{s:s, s:s}", "id", k1.cred_id_b64, "nickname", jp), &r);
		EXPECT_STATUS(&r, 200);
		u = user_show("carol");
		CHECK_STR(jstr(user_cred(u, k1.cred_id_b64), "nickname"), jp);
		json_decref(u);
	}
	long_name = calloc(1, 66);
	memset(long_name, 'n', 65);
	bpostj(s, "/api/passkeys/rename", json_pack("{s:s, s:s}", "id", k1.cred_id_b64, "nickname", long_name), &r);
	EXPECT_ERROR(&r, 400, "bad_request");
	bpostj(s, "/api/passkeys/rename", json_pack("{s:s, s:s}", "id", "AAAAAAAAAAAAAAAAAAAAAA", "nickname", "x"), &r);
	EXPECT_ERROR(&r, 404, "unknown_credential");

	/* another user's passkey is out of reach */
	need_alice();
	before = user_creds_text("alice");
	bpostj(s, "/api/passkeys/rename", json_pack("{s:s, s:s}", "id", alice.cred_id_b64, "nickname", "stolen"), &r);
	CHECKF(r.status == 404 || r.status == 403, "renaming alice's passkey from carol's session: HTTP %ld %s", r.status, r.body);
	bpostj(s, "/api/passkeys/delete", json_pack("{s:s, s:b}", "id", alice.cred_id_b64, "confirm", 1), &r);
	CHECKF(r.status == 404 || r.status == 403, "deleting alice's passkey from carol's session: HTTP %ld %s", r.status, r.body);
	{
		char *after = user_creds_text("alice");
		CHECKF(strcmp(before, after) == 0, "alice's passkeys changed:\n%s\n%s", before, after);
		free(after);
	}
	free(before);

	/* a second passkey from the signed-in session */
	pk = reg_options(s);
	CHECK_STR(jstr(json_object_get(pk, "user"), "id"), k1_handle);
	found = 0;
	json_array_foreach(json_object_get(pk, "excludeCredentials"), i, p)
		found |= jstr(p, "id") != NULL && strcmp(jstr(p, "id"), k1.cred_id_b64) == 0;
	CHECKF(found, "excludeCredentials does not list the first passkey");
	REQUIRE(sk_key_set_user_handle(&k2, jstr(json_object_get(pk, "user"), "id")) == 0);
	bpostj(s, "/api/register/verify", json_pack("{s:o, s:s}", "credential",
	    make_registration(&k2, jstr(pk, "challenge"), NULL), "nickname", "second"), &r);
	EXPECT_STATUS(&r, 200);
	CHECK_STR(hc_json_str(&r, "next"), "/passkeys");
	json_decref(pk);
	l = passkey_list(s);
	CHECK_INT(json_array_size(json_object_get(l, "passkeys")), 2);
	json_decref(l);
	CHECK_INT(user_ncreds("carol"), 2);

	/* deleting from another site: refused */
	{
		const char *h[] = { "Content-Type: application/json", "Origin: https://evil.example", "Expect:", NULL };
		char *u2 = xfmt("%s/api/passkeys/delete", E.bridge), *b2 = xfmt("{\"id\":\"%s\",\"confirm\":true}", k1.cred_id_b64);
		hc_request(s, "POST", u2, b2, strlen(b2), h, 0, &r);
		bridge_response_checks(&r);
		EXPECT_ERROR(&r, 403, "forbidden");
		free(u2);
		free(b2);
		CHECK_INT(user_ncreds("carol"), 2);
	}

	/* delete the first; the last one needs confirm */
	bpostj(s, "/api/passkeys/delete", json_pack("{s:s, s:b}", "id", k1.cred_id_b64, "confirm", 0), &r);
	EXPECT_STATUS(&r, 200);
	CHECK(json_is_true(json_object_get(r.json, "ok")));
	u = user_show("carol");
	CHECK_INT(json_array_size(json_object_get(u, "credentials")), 1);
	CHECK(user_cred(u, k2.cred_id_b64) != NULL);
	CHECK(user_cred(u, k1.cred_id_b64) == NULL);
	json_decref(u);
	bpostj(s, "/api/passkeys/delete", json_pack("{s:s, s:b}", "id", k2.cred_id_b64, "confirm", 0), &r);
	EXPECT_ERROR(&r, 409, "last_passkey");
	bpostj(s, "/api/passkeys/delete", json_pack("{s:s}", "id", k2.cred_id_b64), &r);
	EXPECT_ERROR(&r, 409, "last_passkey");
	CHECK_INT(user_ncreds("carol"), 1);
	bpostj(s, "/api/passkeys/delete", json_pack("{s:s, s:b}", "id", k2.cred_id_b64, "confirm", 1), &r);
	EXPECT_STATUS(&r, 200);
	CHECK_INT(user_ncreds("carol"), 0);
	{
		char *dn = xfmt("uid=carol,%s", E.people), *out = ldap_search(dn, "(objectClass=fidoCredential)", "1.1");
		CHECKF(strstr(out, "dn:") == NULL, "credential entries left under carol: %s", out);
		free(out);
		free(dn);
	}

	/* a deleted passkey no longer signs in */
	late = browser();
	bget(late, "/login", &r);
	chal = auth_options(late, "{}", NULL);
	bpostj(late, "/api/authenticate/verify", make_assertion(&k1, chal, NULL), &r);
	EXPECT_ERROR(&r, 404, "unknown_credential");
	free(chal);

	free(long_name);
	free(k1_handle);
	sk_key_free(&k1);
	sk_key_free(&k2);
	hc_resp_reset(&r);
	hc_browser_free(anon);
	hc_browser_free(s);
	hc_browser_free(late);
}

/* ======================================================================
 * 5. rejections: the IdP handoff
 * ====================================================================== */

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

static void
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

static void
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

static void
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

static void
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

/* ======================================================================
 * 5. rejections: replays
 * ====================================================================== */

static void
t_replayed_challenge(void)
{
	hc_browser *b, *other;
	hc_resp r = { 0 };
	char *chal, *text, *before, *after, *url, *ticket;
	json_t *res;
	long st;

	need_alice();
	b = browser();
	idp_begin(b, SP_ENTITY_Q);
	chal = auth_options(b, "{}", NULL);
	text = json_dumps(make_assertion(&alice, chal, NULL), JSON_COMPACT);
	bpost(b, "/api/authenticate/verify", text, &r);
	REQUIRE_STATUS(&r, 200);
	before = user_creds_text("alice");
	/* the same assertion again, same flow */
	bpost(b, "/api/authenticate/verify", text, &r);
	EXPECT_ERROR(&r, 400, "expired");
	/* and from another browser with its own flow */
	other = browser();
	idp_begin(other, SP_ENTITY_Q);
	bpost(other, "/api/authenticate/verify", text, &r);
	CHECKF(r.status == 400 && json_is_false(json_object_get(r.json, "ok")), "a replay in another flow: HTTP %ld %s", r.status, r.body);
	expect_no_ticket(other);
	after = user_creds_text("alice");
	CHECKF(strcmp(before, after) == 0, "the replays changed the directory:\n%s\n%s", before, after);
	/* exactly one ticket: the first sign-in's */
	url = bridge_finish(b);
	ticket = hc_query_param(url, "ticket");
	CHECK(ticket != NULL);
	res = idp_result(b, url, &st);
	CHECKF(res != NULL && jtrue(res, "ok"), "the first sign-in's ticket: %s", res != NULL ? json_dumps(res, 0) : "(none)");
	json_decref(res);
	free(ticket);
	free(url);
	free(before);
	free(after);
	free(text);
	free(chal);
	hc_resp_reset(&r);
	hc_browser_free(b);
	hc_browser_free(other);
}

static void
t_replayed_ticket(void)
{
	hc_browser *b;
	char *url, *ticket, *start2, *forged, *c2, *s2;
	json_t *res;
	long st;

	need_alice();
	b = browser();
	res = signin_via_idp(b, &alice, NULL, &url);
	json_decref(res);
	ticket = hc_query_param(url, "ticket");
	REQUIRE(ticket != NULL);
	/* the same URL again */
	res = idp_result(b, url, &st);
	CHECKF(res != NULL && !jtrue(res, "ok"), "the finish URL worked twice: %s", res != NULL ? json_dumps(res, 0) : "(none)");
	CHECK_INT(st, 400);
	json_decref(res);
	/* the ticket inside a fresh, genuine conversation: memcached no longer has it */
	start2 = idp_start(b, SP_ENTITY_Q);
	c2 = hc_query_param(start2, "conversation");
	s2 = hc_query_param(start2, "state");
	REQUIRE(c2 != NULL && s2 != NULL);
	forged = xfmt("%s/finish?conversation=%s&state=%s&ticket=%s", E.idp, c2, s2, ticket);
	res = idp_result(b, forged, &st);
	REQUIRE(res != NULL);
	CHECK(!jtrue(res, "ok"));
	CHECK_STR(jstr(res, "error"), "ticket_unknown_or_used");
	CHECK(jstr(res, "principal") == NULL);
	json_decref(res);
	free(forged);
	free(c2);
	free(s2);
	free(start2);
	free(ticket);
	free(url);
	hc_browser_free(b);
}

/* ======================================================================
 * 5. rejections: enrolment
 * ====================================================================== */

static void
t_reused_enrolment_code(void)
{
	hc_browser *a = browser(), *b = browser(), *c = browser();
	hc_resp r = { 0 };
	sk_key ka, kb;
	json_t *pa, *pb, *u;
	char *link, *dn, *out;

	make_user("tfrank", "Frank Test");
	sk_key_new(&ka);
	sk_key_new(&kb);
	link = enrol_link("tfrank");
	/* two tabs open the same link */
	bget(a, link, &r);
	REQUIRE_STATUS(&r, 200);
	bget(b, link, &r);
	REQUIRE_STATUS(&r, 200);
	pa = reg_options(a);
	pb = reg_options(b);
	CHECK_STR(jstr(json_object_get(pa, "user"), "id"), jstr(json_object_get(pb, "user"), "id"));
	REQUIRE(sk_key_set_user_handle(&ka, jstr(json_object_get(pa, "user"), "id")) == 0);
	REQUIRE(sk_key_set_user_handle(&kb, jstr(json_object_get(pb, "user"), "id")) == 0);
	bpostj(a, "/api/register/verify", json_pack("{s:o, s:s}", "credential",
	    make_registration(&ka, jstr(pa, "challenge"), NULL), "nickname", "tab a"), &r);
	EXPECT_STATUS(&r, 200);
	/* the second tab: the code is spent */
	bpostj(b, "/api/register/verify", json_pack("{s:o, s:s}", "credential",
	    make_registration(&kb, jstr(pb, "challenge"), NULL), "nickname", "tab b"), &r);
	EXPECT_ERROR(&r, 400, "expired");
	u = user_show("tfrank");
	CHECK_INT(json_array_size(json_object_get(u, "credentials")), 1);
	CHECK(user_cred(u, ka.cred_id_b64) != NULL);
	CHECK(user_cred(u, kb.cred_id_b64) == NULL);
	CHECK_INT(json_integer_value(json_object_get(u, "pending_enrolment_codes")), 0);
	json_decref(u);
	dn = xfmt("uid=tfrank,%s", E.people);
	out = ldap_search(dn, "(objectClass=fidoCredential)", "1.1");
	CHECKF(strstr(out, kb.cred_id_b64) == NULL, "a partial entry for the refused passkey: %s", out);
	free(out);
	/* and the link itself */
	bget(c, link, &r);
	expect_error_page(&r, 400);
	json_decref(pa);
	json_decref(pb);
	free(dn);
	free(link);
	sk_key_free(&ka);
	sk_key_free(&kb);
	hc_resp_reset(&r);
	hc_browser_free(a);
	hc_browser_free(b);
	hc_browser_free(c);
}

static void
t_registration_rejections(void)
{
	static const struct {
		const char *why;
		const char *origin, *rp_id, *type;
		int flags_set;
		uint8_t flags;
	} bad[] = {
		{ "rpIdHash of another RP", NULL, "evil.example", NULL, 0, 0 },
		{ "clientData origin of another site", "https://evil.example", NULL, NULL, 0, 0 },
		{ "clientData type webauthn.get", NULL, NULL, "webauthn.get", 0, 0 },
		{ "user not present (UP=0)", NULL, NULL, NULL, 1, SK_UV | SK_AT },
		{ "no attested credential data flag", NULL, NULL, NULL, 1, SK_UP | SK_UV },
	};
	hc_browser *a = browser();
	hc_resp r = { 0 };
	sk_key k;
	json_t *pk, *u;
	char *link, *dn, *out;
	size_t i;

	make_user("tgrace", "Grace Test");
	sk_key_new(&k);
	link = enrol_link("tgrace");
	bget(a, link, &r);
	REQUIRE_STATUS(&r, 200);
	dn = xfmt("uid=tgrace,%s", E.people);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sk_reg_opts o;
		memset(&o, 0, sizeof(o));
		o.origin = bad[i].origin;
		o.rp_id = bad[i].rp_id;
		o.type = bad[i].type;
		o.flags_set = bad[i].flags_set;
		o.flags = bad[i].flags;
		th_note("  %s", bad[i].why);
		pk = reg_options(a);
		REQUIRE(sk_key_set_user_handle(&k, jstr(json_object_get(pk, "user"), "id")) == 0);
		bpostj(a, "/api/register/verify", json_pack("{s:o, s:s}", "credential",
		    make_registration(&k, jstr(pk, "challenge"), &o), "nickname", "bad"), &r);
		EXPECT_ERROR(&r, 403, "failed");
		json_decref(pk);
		out = ldap_search(dn, "(objectClass=fidoCredential)", "1.1");
		CHECKF(strstr(out, "dn:") == NULL, "a refused registration left an entry: %s", out);
		free(out);
	}
	/* a challenge that was never issued */
	{
		char *fake = rand_b64(32);
		bpostj(a, "/api/register/verify", json_pack("{s:o}", "credential", make_registration(&k, fake, NULL)), &r);
		CHECKF(r.status == 400 && json_is_false(json_object_get(r.json, "ok")), "unknown challenge: HTTP %ld %s", r.status, r.body);
		free(fake);
	}
	/* nothing was spent: the link still enrols */
	u = user_show("tgrace");
	CHECK_INT(json_array_size(json_object_get(u, "credentials")), 0);
	CHECK_INT(json_integer_value(json_object_get(u, "pending_enrolment_codes")), 1);
	json_decref(u);
	pk = reg_options(a);
	bpostj(a, "/api/register/verify", json_pack("{s:o, s:s}", "credential",
	    make_registration(&k, jstr(pk, "challenge"), NULL), "nickname", "good"), &r);
	EXPECT_STATUS(&r, 200);
	CHECK_INT(user_ncreds("tgrace"), 1);
	json_decref(pk);
	free(dn);
	free(link);
	sk_key_free(&k);
	hc_resp_reset(&r);
	hc_browser_free(a);
}

/* Nicknames are 1-64 characters (docs/http-api.md), checked before anything is spent. */
static void
t_enrol_nickname_limits(void)
{
	hc_browser *a = browser();
	hc_resp r = { 0 };
	sk_key k;
	json_t *pk, *u;
	char *link, long_name[66], jp[64 * 3 + 1] = "";
	size_t i;

	make_user("theidi", "Heidi Test");
	sk_key_new(&k);
	link = enrol_link("theidi");
	bget(a, link, &r);
	REQUIRE_STATUS(&r, 200);
	/* 65 characters: refused as a bad request, and the link stays usable */
	memset(long_name, 'n', 65);
	long_name[65] = '\0';
	pk = reg_options(a);
	REQUIRE(sk_key_set_user_handle(&k, jstr(json_object_get(pk, "user"), "id")) == 0);
	bpostj(a, "/api/register/verify", json_pack("{s:o, s:s}", "credential",
	    make_registration(&k, jstr(pk, "challenge"), NULL), "nickname", long_name), &r);
	EXPECT_ERROR(&r, 400, "bad_request");
	json_decref(pk);
	u = user_show("theidi");
	CHECK_INT(json_array_size(json_object_get(u, "credentials")), 0);
	CHECKF(json_integer_value(json_object_get(u, "pending_enrolment_codes")) == 1,
	    "a refused nickname spent the enrolment code (%lld codes left)",
	    (long long)json_integer_value(json_object_get(u, "pending_enrolment_codes")));
	json_decref(u);
	/* 64 characters of three bytes each: fine, stored as sent */
	for (i = 0; i < 64; i++)
		strcat(jp, "\xe3\x81\x82");
	bget(a, link, &r);   /* a new enrolment session, if the code survived */
	REQUIRE_STATUS(&r, 200);
	pk = reg_options(a);
	bpostj(a, "/api/register/verify", json_pack("{s:o, s:s}", "credential",
	    make_registration(&k, jstr(pk, "challenge"), NULL), "nickname", jp), &r);
	EXPECT_STATUS(&r, 200);
	json_decref(pk);
	u = user_show("theidi");
	CHECK_STR(jstr(user_cred(u, k.cred_id_b64), "nickname"), jp);
	json_decref(u);
	free(link);
	sk_key_free(&k);
	hc_resp_reset(&r);
	hc_browser_free(a);
}

/* ======================================================================
 * 5. rejections: sign-in
 * ====================================================================== */

/* One assertion posted in a flow of its own; the answer must be status/code; nothing may change. */
static void
refused_signin(sk_key *k, const char *options_body, const sk_auth_opts *o, long status, const char *code,
    const char *const *watch_users)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	char *chal, *before[4] = { NULL }, *after;
	int i, fails = audit_count("signin_failure", NULL);

	for (i = 0; watch_users != NULL && watch_users[i] != NULL && i < 4; i++)
		before[i] = user_creds_text(watch_users[i]);
	idp_begin(b, SP_ENTITY_Q);
	chal = auth_options(b, options_body, NULL);
	bpostj(b, "/api/authenticate/verify", make_assertion(k, chal, o), &r);
	EXPECT_ERROR(&r, status, code);
	CHECKF(hc_set_cookie(&r, "fb_session") == NULL, "a refused sign-in set fb_session");
	expect_no_ticket(b);
	CHECKF(audit_count("signin_failure", NULL) == fails + 1, "audit: %d new signin_failure lines, want 1",
	    audit_count("signin_failure", NULL) - fails);
	for (i = 0; watch_users != NULL && watch_users[i] != NULL && i < 4; i++) {
		after = user_creds_text(watch_users[i]);
		CHECKF(strcmp(before[i], after) == 0, "%s's passkeys changed:\n%s\n%s", watch_users[i], before[i], after);
		free(after);
		free(before[i]);
	}
	free(chal);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

static void
t_signature_from_other_key(void)
{
	static const char *const watch[] = { "alice", NULL };
	sk_key mallory;
	sk_auth_opts o;

	need_alice();
	sk_key_new(&mallory);
	memset(&o, 0, sizeof(o));
	o.signer = &mallory;   /* alice's id and handle, mallory's signature */
	refused_signin(&alice, "{}", &o, 403, "failed", watch);
	/* username-first, same forgery */
	o.no_user_handle = 1;
	refused_signin(&alice, "{\"username\":\"alice\"}", &o, 403, "failed", watch);
	sk_key_free(&mallory);
}

static void
t_user_handle_of_other_user(void)
{
	static const char *const watch[] = { "alice", "bob", NULL };
	sk_auth_opts o;

	need_alice();
	need_bob();
	memset(&o, 0, sizeof(o));
	o.user_handle = bob.user_handle;  /* alice's credential, bob's handle */
	o.user_handle_len = bob.user_handle_len;
	refused_signin(&alice, "{}", &o, 403, "failed", watch);
	/* discoverable without any handle: the handle must come back */
	memset(&o, 0, sizeof(o));
	o.no_user_handle = 1;
	refused_signin(&alice, "{}", &o, 403, "failed", watch);
}

static void
t_username_first_other_account(void)
{
	static const char *const watch[] = { "alice", "bob", NULL };
	sk_auth_opts o;

	need_alice();
	need_bob();
	/* bob's options, alice's passkey */
	memset(&o, 0, sizeof(o));
	o.no_user_handle = 1;
	refused_signin(&alice, "{\"username\":\"bob\"}", &o, 403, "failed", watch);
}

static void
t_unknown_credential(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	sk_key stranger;
	char *chal;
	unsigned char h[32];

	sk_key_new(&stranger);
	sk_random(h, sizeof(h));
	memcpy(stranger.user_handle, h, sizeof(h));
	stranger.user_handle_len = sizeof(h);
	idp_begin(b, SP_ENTITY_Q);
	chal = auth_options(b, "{}", NULL);
	bpostj(b, "/api/authenticate/verify", make_assertion(&stranger, chal, NULL), &r);
	EXPECT_ERROR(&r, 404, "unknown_credential");
	CHECK_STR(hc_json_str(&r, "credential_id"), stranger.cred_id_b64);
	CHECK_STR(hc_json_str(&r, "rp_id"), "localhost");
	expect_no_ticket(b);
	free(chal);
	sk_key_free(&stranger);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

static void
t_assertion_fields(void)
{
	static const char *const watch[] = { "alice", NULL };
	static const struct {
		const char *why;
		const char *origin, *rp_id, *type;
		int flags_set;
		uint8_t flags;
	} bad[] = {
		{ "clientData origin of another site", "https://evil.example", NULL, NULL, 0, 0 },
		{ "clientData origin on another port", "http://localhost:1", NULL, NULL, 0, 0 },
		{ "rpIdHash of another RP", NULL, "evil.example", NULL, 0, 0 },
		{ "clientData type webauthn.create", NULL, NULL, "webauthn.create", 0, 0 },
		{ "user not present (UP=0)", NULL, NULL, NULL, 1, SK_UV },
	};
	sk_auth_opts o;
	size_t i;

	need_alice();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.origin = bad[i].origin;
		o.rp_id = bad[i].rp_id;
		o.type = bad[i].type;
		o.flags_set = bad[i].flags_set;
		o.flags = bad[i].flags;
		th_note("  %s", bad[i].why);
		refused_signin(&alice, "{}", &o, 403, "failed", watch);
	}
}

static void
t_challenge_from_other_flow(void)
{
	hc_browser *a, *b, *s;
	hc_resp r = { 0 };
	char *chal, *text, *before, *after;
	json_t *pk;

	need_alice();
	before = user_creds_text("alice");
	a = browser();
	b = browser();
	idp_begin(a, SP_ENTITY_Q);
	idp_begin(b, SP_ENTITY_Q);
	chal = auth_options(a, "{}", NULL);
	text = json_dumps(make_assertion(&alice, chal, NULL), JSON_COMPACT);
	/* A's challenge answered in B's flow */
	bpost(b, "/api/authenticate/verify", text, &r);
	EXPECT_ERROR(&r, 400, "failed");
	/* refused, and spent for A as well */
	bpost(a, "/api/authenticate/verify", text, &r);
	EXPECT_ERROR(&r, 400, "expired");
	expect_no_ticket(a);
	expect_no_ticket(b);
	after = user_creds_text("alice");
	CHECKF(strcmp(before, after) == 0, "the directory changed:\n%s\n%s", before, after);
	free(text);
	free(chal);

	/* a registration challenge answered as a sign-in */
	s = signin_local(&alice);
	pk = reg_options(s);
	bget(s, "/login", &r);   /* a local flow for the sign-in API */
	EXPECT_STATUS(&r, 200);
	bpostj(s, "/api/authenticate/verify", make_assertion(&alice, jstr(pk, "challenge"), NULL), &r);
	EXPECT_ERROR(&r, 400, "failed");
	json_decref(pk);
	free(before);
	free(after);
	hc_resp_reset(&r);
	hc_browser_free(a);
	hc_browser_free(b);
	hc_browser_free(s);
}

static void
t_disabled_account(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	sk_key k;
	unsigned char *cose = NULL;
	size_t clen = 0;
	char *handle_std, *cose_std, *ldif, *chal, *loc, *want, *before, *after;
	json_t *u, *res;
	long st;

	/* bridgectl enroll refuses a disabled account: the passkey goes in over LDAP */
	sk_key_new(&k);
	sk_random(k.user_handle, 32);
	k.user_handle_len = 32;
	handle_std = b64std(k.user_handle, k.user_handle_len);
	sk_cose_key(&k, &cose, &clen);
	cose_std = b64std(cose, clen);
	ldif = xfmt("dn: uid=dave,%s\nchangetype: modify\nadd: objectClass\nobjectClass: fidoUser\n-\n"
		    "add: fidoUserHandle\nfidoUserHandle:: %s\n-\n\n"
		    "dn: fidoCredentialId=%s,uid=dave,%s\nchangetype: add\nobjectClass: fidoCredential\n"
		    "fidoCredentialId: %s\nfidoPublicKey:: %s\nfidoSignCount: 0\nfidoCreated: 20250101000000Z\n"
		    "fidoAAGUID: %s\nfidoAttestationFormat: none\nfidoBackupEligible: FALSE\nfidoBackupState: FALSE\n"
		    "fidoUserVerified: TRUE\n\n",
	    E.people, handle_std, k.cred_id_b64, E.people, k.cred_id_b64, cose_std, k.aaguid_text);
	ldap_modify(ldif);
	u = user_show("dave");
	CHECK(jtrue(u, "disabled"));
	CHECK_INT(json_array_size(json_object_get(u, "credentials")), 1);
	json_decref(u);
	before = user_creds_text("dave");

	idp_begin(b, SP_ENTITY_Q);
	/* username-first: refused at once */
	bpost(b, "/api/authenticate/options", "{\"username\":\"dave\"}", &r);
	EXPECT_ERROR(&r, 403, "account_disabled");
	/* discoverable: the passkey is dave's, the account is disabled */
	chal = auth_options(b, "{}", NULL);
	bpostj(b, "/api/authenticate/verify", make_assertion(&k, chal, NULL), &r);
	EXPECT_ERROR(&r, 403, "account_disabled");
	CHECKF(hc_set_cookie(&r, "fb_session") == NULL, "a disabled account got a session");
	after = user_creds_text("dave");
	CHECKF(strcmp(before, after) == 0, "dave's passkey changed:\n%s\n%s", before, after);
	/* "use another way" still tells the IdP the account is disabled */
	bget(b, "/authn/cancel", &r);
	REQUIRE_STATUS(&r, 303);
	want = xfmt("%s/finish?", E.idp);
	loc = hc_header_get(&r, "Location") != NULL ? strdup(hc_header_get(&r, "Location")) : NULL;
	REQUIREF(starts_with(loc, want), "cancel went to %s", loc != NULL ? loc : "(none)");
	CHECK_STR(hc_tmp(hc_query_param(loc, "error")), "AccountDisabled");
	CHECK(hc_tmp(hc_query_param(loc, "ticket")) == NULL);
	res = idp_result(b, loc, &st);
	REQUIRE(res != NULL);
	CHECK(!jtrue(res, "ok"));
	CHECK_STR(jstr(res, "authnError"), "AccountDisabled");
	CHECK(jstr(res, "principal") == NULL);
	json_decref(res);
	free(want);
	free(loc);
	free(before);
	free(after);
	free(chal);
	free(ldif);
	free(cose);
	free(cose_std);
	free(handle_std);
	sk_key_free(&k);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

static void
t_cancel(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	json_t *res;
	long st;
	char *loc;

	idp_begin(b, SP_ENTITY_Q);
	bget(b, "/authn/cancel", &r);
	REQUIRE_STATUS(&r, 303);
	loc = strdup(hc_header_get(&r, "Location"));
	CHECK_STR(hc_tmp(hc_query_param(loc, "error")), "NoCredentials");
	res = idp_result(b, loc, &st);
	REQUIRE(res != NULL);
	CHECK_STR(jstr(res, "authnError"), "NoCredentials");
	json_decref(res);
	/* the flow is over */
	bget(b, "/authn/cancel", &r);
	expect_error_page(&r, 400);
	free(loc);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/* ======================================================================
 * 5. rejections: requests
 * ====================================================================== */

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

static void
t_oversized_body(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	size_t max = (size_t)E.max_body;
	char *at = padded_json(max), *over = padded_json(max + 1), *big = padded_json(max * 4);

	bget(b, "/login", &r);
	REQUIRE_STATUS(&r, 200);
	/* at the limit: an ordinary request */
	raw_post(b, "/api/authenticate/options", at, max, "application/json", E.bridge, 0, 0, &r);
	EXPECT_STATUS(&r, 200);
	/* one byte over, declared in Content-Length */
	raw_post(b, "/api/authenticate/options", over, max + 1, "application/json", E.bridge, 0, 0, &r);
	EXPECT_STATUS(&r, 413);
	/* the same with Expect: 100-continue: refused before the body is sent */
	raw_post(b, "/api/authenticate/options", big, max * 4, "application/json", E.bridge, 0, 1, &r);
	EXPECT_STATUS(&r, 413);
	/* chunked: no length up front, counted while it arrives */
	raw_post(b, "/api/authenticate/options", over, max + 1, "application/json", E.bridge, 1, 0, &r);
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

static void
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
	free(text);
	free(chal);
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

static void
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
	bget(b, "/login", &r);
	REQUIRE_STATUS(&r, 200);
	for (i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++)
		for (j = 0; j < n; j++) {
			raw_post(b, endpoints[i], "{}", 2, "application/json", origins[j], 0, 0, &r);
			CHECKF(r.status == 403 && streq_json_error(&r, "forbidden"), "%s with Origin %s: HTTP %ld %s", endpoints[i],
			    origins[j] != NULL ? origins[j] : "(none)", r.status, r.body);
		}
	/* the control: our own origin */
	raw_post(b, "/api/authenticate/options", "{}", 2, "application/json", E.bridge, 0, 0, &r);
	EXPECT_STATUS(&r, 200);
	free(slash);
	free(https);
	free(upper);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

static void
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
		bget(b, "/authn/cancel", &r);
		expect_error_page(&r, 400);
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

static void
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
	bget(b, "/login", &r);
	REQUIRE_STATUS(&r, 200);
	m0 = minute();
	first = hammer(b, "/api/authenticate/options", "{\"username\":\"no-such-user-rl\"}", E.limit_account, 404, "unknown_account");
	m1 = minute();
	REQUIREF(first >= 0, "%ld attempts for one account were never limited", 2 * E.limit_account + 4);
	if (m0 == m1)
		CHECKF(first == E.limit_account, "limited after %d attempts, per_account is %ld", first, E.limit_account);
	else
		CHECKF(first >= E.limit_account, "limited after %d attempts, per_account is %ld", first, E.limit_account);
	CHECKF(audit_count("rate_limited", "account") > events, "audit: no rate_limited/account line");
	/* another account is not affected */
	bpost(b, "/api/authenticate/options", "{\"username\":\"alice\"}", &r);
	EXPECT_STATUS(&r, 200);
	hc_resp_reset(&r);
	hc_browser_free(b);
}

/* "tivan" spelled the i-th way: letters upper-cased by the bits of i, then trailing spaces. */
static char *
spelling(const char *name, int i)
{
	size_t n = strlen(name), k;
	char *s = calloc(1, n + 64);
	int spaces = i >> n;

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
static void
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
	bget(b, "/login", &r);
	REQUIRE_STATUS(&r, 200);
	/* every spelling is the same account */
	for (i = 0; i < 3; i++) {
		char *u = spelling("tivan", i * 7), *body = json_dumps(json_pack("{s:s}", "username", u), JSON_COMPACT);
		json_t *pk = NULL;
		free(auth_options(b, body, &pk));
		CHECKF(json_array_size(json_object_get(pk, "allowCredentials")) == 1, "\"%s\" is not tivan", u);
		json_decref(pk);
		free(body);
		free(u);
	}
	m0 = minute();
	for (i = 3; i < 2 * E.limit_account + 4; i++) {
		char *u = spelling("tivan", i), *body = json_dumps(json_pack("{s:s}", "username", u), JSON_COMPACT);
		bpost(b, "/api/authenticate/options", body, &r);
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
	/* (the enrolment page visited by enrol() counted for the account too: one more) */
	if (first >= 0 && m0 == m1)
		CHECKF(first == E.limit_account || first == E.limit_account - 1, "limited after %d attempts, per_account is %ld",
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
static void
t_rate_limit_verify_refused(void)
{
	hc_browser *b = hc_browser_new_fresh(E.bridge);
	int first, events = audit_count("rate_limited", "address");

	if (E.limit_address > 200)
		th_skip("per_address is over 200 (the limits run sets STACK_LIMIT_ADDRESS low)");
	hc_browser_source(b, "127.0.0.4");  /* not the address the other limit tests use up */
	idp_begin(b, SP_ENTITY_Q);  /* a live flow: refusals below come after the flow check */
	first = hammer(b, "/api/authenticate/verify", "{\"id\":\"AA\",\"rawId\":\"AA\",\"type\":\"public-key\",\"response\":{}}",
	    E.limit_address, 400, "bad_request");
	REQUIREF(first >= 0, "%ld refused verify requests from one address were never limited", 2 * E.limit_address + 4);
	CHECKF(first <= E.limit_address, "limited after %d refused verify requests, per_address is %ld", first, E.limit_address);
	CHECKF(audit_count("rate_limited", "address") > events, "audit: no rate_limited/address line");
	hc_browser_free(b);
}

static void
t_rate_limit_address(void)
{
	hc_browser *b = browser();
	hc_resp r = { 0 };
	long m0, m1;
	int first, events = audit_count("rate_limited", "address");
	char *state, *ret, *u;

	if (E.limit_address > 200)
		th_skip("per_address is over 200 (the limits run sets STACK_LIMIT_ADDRESS low)");
	bget(b, "/login", &r);  /* not counted */
	REQUIRE_STATUS(&r, 200);
	m0 = minute();
	first = hammer(b, "/api/authenticate/options", "{}", E.limit_address, 200, NULL);
	REQUIREF(first >= 0, "%ld requests from one address were never limited", 2 * E.limit_address + 4);
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
 * single use in memcached ([memcached] replicas = 1 in the stack)
 * ====================================================================== */

/*
 * Challenges and flows are single-use: once consumed they must be gone from
 * every memcached server, whichever server thread handled each request.
 * Fresh connections spread the requests over the bridge's threads.
 */
static void
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
		bget(b, "/login", &r);
		if (!EXPECT_STATUS(&r, 200)) {
			hc_browser_free(b);
			continue;
		}
		flow[n] = hc_cookie(b, "fb_flow");
		bpost(b, "/api/authenticate/options", "{}", &r);
		if (!EXPECT_STATUS(&r, 200)) {
			free(flow[n]);
			hc_browser_free(b);
			continue;
		}
		pk = json_object_get(r.json, "publicKey");
		chal[n] = strdup(jstr(pk, "challenge"));
		note_secret("challenge", chal[n]);
		bpostj(b, "/api/authenticate/verify", make_assertion(&alice, chal[n], NULL), &r);
		EXPECT_STATUS(&r, 200);
		n++;
		hc_browser_free(b);
	}
	/* a busy server goes on working: more requests on every thread */
	for (i = 0; i < 8; i++) {
		b = hc_browser_new_fresh(E.bridge);
		bget(b, "/login", &r);
		bpost(b, "/api/authenticate/options", "{}", &r);
		hc_browser_free(b);
	}
	for (i = 0; i < n; i++) {
		char *k = xfmt("challenge:%s", chal[i]), *v = mc_lookup(k, &copies, NULL);
		if (v != NULL)
			left_c++;
		free(v);
		free(k);
		k = xfmt("flow:%s", flow[i]);
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
static void
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
			bget(other, "/login", &r);
			bpost(other, "/api/authenticate/options", "{}", &r);
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
static void
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

/* ======================================================================
 * 6. the audit log
 * ====================================================================== */

static void
t_audit_log(void)
{
	char *text, *p, *line;
	int lines = 0, bad = 0, i, kinds = 0;
	static const char *const want_kinds[] = { "ticket", "challenge", "enrolment_code", "fb_flow", "fb_session" };
	static const char *const want_events[] = { "server_started", "registration", "enrolment_link_used", "handoff_started",
		"signin_success" };
	size_t k;

	if (n_secrets() == 0) {
		/* run alone: make something to look for */
		hc_browser *b;
		need_alice();
		b = browser();
		json_decref(signin_via_idp(b, &alice, NULL, NULL));
		hc_browser_free(b);
	}
	text = file_read(E.audit);
	REQUIREF(text != NULL && *text != '\0', "no audit log at %s", E.audit);
	CHECKF(text[strlen(text) - 1] == '\n', "the audit log does not end in a newline");
	for (p = text; *p; p = strchr(p, '\n') != NULL ? strchr(p, '\n') + 1 : p + strlen(p)) {
		size_t len = strcspn(p, "\n");
		json_error_t je;
		json_t *j;
		line = strndup(p, len);
		lines++;
		j = json_loads(line, 0, &je);
		if (!json_is_object(j) || jstr(j, "event") == NULL || jstr(j, "ts") == NULL || strlen(jstr(j, "ts")) != 20) {
			if (bad++ < 5)
				CHECKF(0, "audit line %d is not one JSON event: %s", lines, line);
		}
		json_decref(j);
		free(line);
	}
	CHECKF(bad == 0, "%d of %d audit lines are not JSON events", bad, lines);
	for (k = 0; k < sizeof(want_events) / sizeof(want_events[0]); k++)
		CHECKF(audit_count(want_events[k], NULL) > 0, "no %s event in the audit log", want_events[k]);
	/* nothing that works as a credential */
	for (i = 0; i < n_secrets(); i++)
		CHECKF(strstr(text, secret_value(i)) == NULL, "the audit log holds a %s: %s", secret_kind(i), secret_value(i));
	/* the check means something only when there were such values to look for */
	for (k = 0; k < sizeof(want_kinds) / sizeof(want_kinds[0]); k++) {
		int seen = 0;
		for (i = 0; i < n_secrets() && !seen; i++)
			seen = strcmp(secret_kind(i), want_kinds[k]) == 0;
		kinds += seen;
		if (!seen)
			th_note("  no %s value was seen in this run", want_kinds[k]);
	}
	th_note("  %d audit lines, %d values of %d kinds looked for", lines, n_secrets(), kinds);
	CHECKF(kinds >= 3, "only %d kinds of secret value seen: the check is too weak", kinds);
	free(text);
}

/* ======================================================================
 * 7. behind a reverse proxy: [server] trusted_proxies, X-Forwarded-For,
 *    max_connections_per_address ("proxy" group: a stack with
 *    trusted_proxies = 127.0.0.1; "limits" group: none)
 * ====================================================================== */

/* The value of [section] key in the bridge's config file (last one wins), or NULL. */
static char *
conf_value(const char *section, const char *key)
{
	char *text = file_read(E.config), *p, *val = NULL;
	char cur[64] = "";

	for (p = text; p != NULL && *p;) {
		size_t len = strcspn(p, "\n");
		char *line = strndup(p, len), *eq;
		if (line[0] == '[') {
			snprintf(cur, sizeof(cur), "%.*s", (int)strcspn(line + 1, "]"), line + 1);
		} else if (strcmp(cur, section) == 0 && (eq = strchr(line, '=')) != NULL) {
			char *k = line, *v = eq + 1, *e = eq;
			while (e > k && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			*e = '\0';
			while (*v == ' ' || *v == '\t')
				v++;
			if (strcmp(k, key) == 0) {
				free(val);
				val = strdup(v);
			}
		}
		free(line);
		p += len;
		if (*p == '\n')
			p++;
	}
	free(text);
	return val;
}

/* The stack trusts 127.0.0.1 as a proxy. */
static int
proxy_stack(void)
{
	char *v = conf_value("server", "trusted_proxies");
	int yes = v != NULL && strstr(v, "127.0.0.1") != NULL;

	free(v);
	return yes;
}

static int
bridge_port(void)
{
	const char *c = strrchr(E.bridge, ':');

	return c != NULL ? atoi(c + 1) : 0;
}

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
	char *origin = xfmt("Origin: %s", E.bridge), *u = xfmt("%s/api/authenticate/options", E.bridge);
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

/*
 * Behind a trusted proxy the rate limit counts the address X-Forwarded-For
 * names, and the audit log shows it; what the client itself wrote left of
 * the proxy's entry counts for nothing.
 */
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

static void
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
	bget(b, "/login", &r);  /* the options need a page first; not counted */
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

/* From a peer that is not a trusted proxy, X-Forwarded-For is not believed. */
/* An IPv6 client is counted by its /64: walking through the prefix does not reset the count. */
static void
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
	bget(b, "/login", &r);
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

static void
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
static void
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
static void
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
static void
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

/* ====================================================================== */

static const th_case cases[] = {
	{ "main", "ops", t_ops, "/healthz, /metrics, 404/405, static files" },
	{ "main", "enrol_with_link", t_enrol_with_link, "one-time link -> options -> none attestation -> directory; code used up" },
	{ "main", "signin_discoverable", t_signin_discoverable, "IdP stand-in -> /login -> discoverable passkey -> ticket, taken once" },
	{ "main", "signin_username_first", t_signin_username_first, "allowCredentials for alice, assertion without userHandle" },
	{ "main", "my_passkeys", t_my_passkeys, "local sign-in, list, rename, second passkey, delete, last_passkey" },
	{ "main", "start_bad_sig", t_start_bad_sig, "altered/missing/duplicate sig, altered signed values: 400, no redirect" },
	{ "main", "start_stale_ts", t_start_stale_ts, "ts outside the skew (signed here with the secret): 400" },
	{ "main", "start_foreign_return", t_start_foreign_return, "correctly signed return outside return_urls: 400, no redirect" },
	{ "main", "passive", t_passive, "passive=1: 303 straight back with error=NoPassive" },
	{ "main", "cancel", t_cancel, "use another way: error=NoCredentials, flow gone" },
	{ "main", "replayed_challenge", t_replayed_challenge, "the same assertion twice: expired; one ticket" },
	{ "main", "replayed_ticket", t_replayed_ticket, "the ticket is taken once" },
	{ "main", "reused_enrolment_code", t_reused_enrolment_code, "two tabs with one link: the second registration fails" },
	{ "main", "registration_rejections", t_registration_rejections, "bad rp/origin/type/flags: failed, nothing stored, code kept" },
	{ "main", "enrol_nickname_limits", t_enrol_nickname_limits, "65-character nickname: 400, code kept; 64 characters stored" },
	{ "main", "signature_from_other_key", t_signature_from_other_key, "alice's credential id, another key's signature" },
	{ "main", "user_handle_of_other_user", t_user_handle_of_other_user, "alice's credential with bob's (or no) userHandle" },
	{ "main", "username_first_other_account", t_username_first_other_account, "bob's options answered with alice's passkey" },
	{ "main", "assertion_fields", t_assertion_fields, "origin, rpIdHash, type, UP in the assertion" },
	{ "main", "challenge_from_other_flow", t_challenge_from_other_flow, "A's challenge in B's flow; registration challenge" },
	{ "main", "unknown_credential", t_unknown_credential, "404 with credential_id and rp_id" },
	{ "main", "disabled_account", t_disabled_account, "dave's passkey (added over LDAP): account_disabled, AccountDisabled" },
	{ "main", "oversized_body", t_oversized_body, "bodies over max_body_bytes: 413 (length, 100-continue, chunked)" },
	{ "main", "malformed_bodies", t_malformed_bodies, "not JSON, not an object, missing members, padded base64: 400" },
	{ "main", "origin", t_origin, "missing or foreign Origin on every API: 403" },
	{ "main", "unknown_flow", t_unknown_flow, "no, unknown, malformed and finished flow cookies" },
	{ "main", "rate_limit_account", t_rate_limit_account, "options for one account until 429" },
	{ "main", "rate_limit_account_spelling", t_rate_limit_account_spelling, "the per-account limit holds however the username is spelled" },
	{ "limits", "rate_limit_address", t_rate_limit_address, "requests from one address until 429 (limits run only)" },
	{ "limits", "rate_limit_verify_refused", t_rate_limit_verify_refused, "verify refused before its challenge counts per address (limits run only)" },
	{ "cache", "standin_ticket_everywhere", t_standin_ticket_everywhere, "after the stand-in took a ticket, no server has it" },
	{ "cache", "ticket_single_use_shim", t_ticket_single_use_shim, "a ticket taken like the IdP shim does cannot be taken again" },
	{ "cache", "consumed_keys_everywhere", t_consumed_keys_everywhere, "consumed challenges and flows gone from every memcached server" },
	{ "main", "audit_log", t_audit_log, "one JSON event per line, no ticket/challenge/code/cookie values" },
	{ "proxy", "proxy_client_from_header", t_proxy_client_from_header, "behind a trusted proxy: X-Forwarded-For client counted and logged" },
	{ "proxy", "proxy_ipv6_prefix", t_proxy_ipv6_prefix, "an IPv6 client is counted by its /64" },
	{ "proxy", "proxy_untrusted_peer", t_proxy_untrusted_peer, "X-Forwarded-For from an untrusted peer (127.0.0.2) ignored" },
	{ "proxy", "proxy_connections", t_proxy_connections, "100 connections from a trusted proxy; max_connections_per_address for others" },
	{ "limits", "proxy_header_ignored", t_proxy_header_ignored, "no trusted_proxies: X-Forwarded-For ignored, the client is the peer" },
	{ "limits", "connection_limit_default", t_connection_limit_default, "no trusted_proxies: 64 connections per address" },
};

int
main(int argc, char **argv)
{
	int rc;

	if (argc == 2 && strcmp(argv[1], "--list") == 0)
		return th_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
	stack_init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = th_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
	curl_global_cleanup();
	return rc;
}
