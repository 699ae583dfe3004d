/* HTTP tests: enrolment with a one-time link, from the link to the directory entry. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cases.h"
#include "ceremonies.h"
#include "client.h"
#include "fixtures.h"
#include "harness.h"
#include "softkey.h"
#include "stack.h"
#include "tools.h"

void
t_enrol_with_link(void)
{
	hc_browser *a, *c;
	hc_resp r = { 0 };
	json_t *u, *pk, *cr, *reg, *p;
	char *link, *code, *old_session, *reg_text, *ldif, *cred_dn, *want_b64;
	unsigned char *handle = NULL, *cose = NULL;
	size_t hlen = 0, clen = 0, i;
	int found;

	if (alice_ready)
		th_skip("alice was enrolled by an earlier case");
	a = browser();
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

	/* the link page shows the enrolment and changes nothing: any site can make a browser open a link */
	bget(a, link, &r);
	REQUIRE_STATUS(&r, 200);
	CHECK(starts_with(hc_header_get(&r, "Content-Type"), "text/html"));
	CHECK(strstr(r.body, "data-page=\"enroll\"") != NULL);
	CHECK(strstr(r.body, "Alice Anderson") != NULL);
	CHECKF(hc_set_cookie(&r, "fb_session") == NULL, "opening the link set fb_session: %s", hc_set_cookie(&r, "fb_session"));
	/* the page posts the link back (same origin): that starts the enrolment session */
	pk = reg_options_link(a, link);
	old_session = hc_cookie(a, "fb_session");
	REQUIRE(old_session != NULL && strlen(old_session) == 43);
	/* an enrolment link proves no passkey: it does not open My passkeys */
	bget(a, "/api/passkeys", &r);
	EXPECT_ERROR(&r, 403, "forbidden");
	bget(a, "/passkeys", &r);
	EXPECT_STATUS(&r, 303);
	CHECK_STR(hc_header_get(&r, "Location"), "/login?for=passkeys");

	/* options */
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
	/* and posted back as the page does, it starts nothing either */
	{
		char *body = xfmt("{\"username\":\"alice\",\"code\":\"%s\"}", code);
		bpost(c, "/api/register/options", body, &r);
		EXPECT_ERROR(&r, 400, "expired");
		CHECKF(hc_set_cookie(&r, "fb_session") == NULL, "a used link posted back started a session");
		free(body);
	}
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
