/* HTTP tests: My passkeys: local sign-in, list, rename, a second passkey, delete, last_passkey. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cases.h"
#include "ceremonies.h"
#include "client.h"
#include "fixtures.h"
#include "harness.h"
#include "softkey.h"
#include "stack.h"
#include "tools.h"

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

void
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
	CHECK_STR(hc_header_get(&r, "Location"), "/login?for=passkeys");
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
	bget(late, "/login?for=passkeys", &r);
	chal = auth_options_path(late, "/api/authenticate/options?for=passkeys", "{}", NULL);
	bpostj(late, "/api/authenticate/verify?for=passkeys", make_assertion(&k1, chal, NULL), &r);
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
