/*
 * HTTP tests: enrolment refused: a code used in two tabs, bad registrations,
 * nickname limits; nothing stored, and nothing spent that need not be.
 */
#include <stdint.h>
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

void
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
void
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
