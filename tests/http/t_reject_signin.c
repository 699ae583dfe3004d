/*
 * HTTP tests: sign-in refused end to end: an unknown credential (the answer
 * the page hands to the Signal API) and a disabled account whose passkey was
 * put in over LDAP (the IdP hears AccountDisabled). Forged and misdirected
 * assertions are refused by the sign-in service and tested at that level
 * (tests/app/test_signin_service.c).
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
	cancel_flow(b, NULL, &r);
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
