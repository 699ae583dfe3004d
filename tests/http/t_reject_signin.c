/*
 * HTTP tests: sign-in refused: forged or misdirected assertions, unknown
 * credentials, challenges of other flows, a disabled account; no ticket, no
 * change in the directory.
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

void
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

void
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

void
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

void
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

void
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

void
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

void
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
