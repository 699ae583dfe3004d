/*
 * HTTP tests: sign-in through the IdP stand-in: discoverable (the ticket
 * record, taken once) and username-first.
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
#include "memcached.h"
#include "softkey.h"
#include "stack.h"
#include "tools.h"

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
	long long inst, exp;

	free(key);
	REQUIREF(text != NULL, "memcached has no %sticket:%s", E.prefix, ticket);
	rec = json_loads(text, 0, &je);
	REQUIREF(json_is_object(rec), "the ticket record is not JSON: %s", text);
	CHECK_INT(json_integer_value(json_object_get(rec, "v")), 2);
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
	exp = json_integer_value(json_object_get(rec, "expires"));
	CHECKF(json_is_integer(json_object_get(rec, "expires")) && exp > inst && exp <= inst + 60,
	    "expires %lld, auth_instant %lld", exp, inst);
	/* the MAC, recomputed here from the document (section 3, not with the bridge's code): every field */
	m = xfmt("fido-bridge ticket v2\nticket=%s\nprincipal=%s\nconversation=%s\nstate=%s\nentity=%s\n"
		 "auth_instant=%lld\nexpires=%lld\nuv=%s\nbe=%s\nbs=%s\nmfa=%s\ncredential_id=%s\naaguid=%s",
	    ticket, principal, conv, state, SP_ENTITY, inst, exp, jtrue(rec, "uv") ? "1" : "0",
	    jtrue(rec, "be") ? "1" : "0", jtrue(rec, "bs") ? "1" : "0", jtrue(rec, "mfa") ? "1" : "0",
	    k->cred_id_b64, k->aaguid_text);
	mac = hmac_b64url(E.secret, m);
	CHECK_STR(jstr(rec, "mac"), mac);
	free(m);
	free(mac);
	free(text);
	json_decref(rec);
}

void
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
 * username-first sign-in
 * ====================================================================== */

void
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
