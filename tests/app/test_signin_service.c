/*
 * The sign-in service (app/signin.c) over the in-memory stores: what it
 * decides around the core's verdict, each refusal named after the attack,
 * each leaving no ticket, no session and no change in the directory.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bridge/app/flow.h"
#include "../../bridge/app/login.h"
#include "../../bridge/app/signin.h"
#include <stdio.h>
#include "svc_fixture.h"

/* What a refused sign-in must leave behind: nothing. */
static void
expect_nothing_issued(svc *s, const char *flow_id, const br_signin_done *done)
{
	br_flow f;

	CHECK(!done->local && done->session_id[0] == '\0');
	if (flow_id != NULL && br_flow_load(&s->app, flow_id, s->who.now, &f) == BR_CACHE_OK) {
		CHECK(f.ticket == NULL);
		br_flow_reset(&f);
	}
}

/* One assertion in an IdP flow of its own; the result must be want. */
static void
refused(svc *s, sk_key *k, const char *username, const sk_auth_opts *o, br_result want, const char *reason)
{
	char flow[BR_ID_LEN + 1], *chal;
	br_signin_done done;
	json_t *a;
	int before = svc_audit_count(s, "signin_failure", reason);

	svc_idp_flow(s, flow);
	chal = svc_signin_challenge(s, flow, username);
	a = svc_assertion(k, chal, o);
	CHECK_INT(br_signin_verify(&s->app, &s->who, flow, a, &done), want);
	expect_nothing_issued(s, flow, &done);
	CHECK_INT(svc_audit_count(s, "signin_failure", reason), before + 1);
	json_decref(a);
	free(chal);
}

static void
discoverable_idp_signin(void)
{
	svc s;
	sk_key k;
	char flow[BR_ID_LEN + 1], *chal;
	br_signin_done done;
	br_login_next next;
	br_flow f;
	json_t *a, *ev;
	br_user *u;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	svc_idp_flow(&s, flow);
	chal = svc_signin_challenge(&s, flow, NULL);
	a = svc_assertion(&k, chal, NULL);
	CHECK_INT(br_signin_verify(&s.app, &s.who, flow, a, &done), BR_RESULT_OK);
	CHECK(!done.local);
	CHECK(br_flow_load(&s.app, flow, s.who.now, &f) == BR_CACHE_OK && f.ticket != NULL && strlen(f.ticket) == BR_ID_LEN);
	br_flow_reset(&f);
	ev = svc_audit_last(&s, "signin_success");
	CHECK(ev != NULL && strcmp(json_string_value(json_object_get(ev, "username")), "alice") == 0);
	CHECK(json_is_true(json_object_get(ev, "mfa")) && json_is_true(json_object_get(ev, "uv")));
	CHECK(strcmp(json_string_value(json_object_get(ev, "entity")), SVC_ENTITY) == 0);
	json_decref(ev);
	/* the way back carries the ticket, and the flow is gone */
	CHECK_INT(br_login_finish(&s.app, &s.who, flow, &next), BR_RESULT_OK);
	CHECK(next.flow_done && next.back_url != NULL && strstr(next.back_url, "ticket=") != NULL);
	CHECK(strncmp(next.back_url, SVC_RETURN, strlen(SVC_RETURN)) == 0);
	br_login_next_reset(&next);
	CHECK_INT(br_login_finish(&s.app, &s.who, flow, &next), BR_RESULT_EXPIRED);
	/* the sign count went into the directory */
	u = svc_user(&s, "alice");
	CHECK(u->n_creds == 1 && u->creds[0].sign_count == k.sign_count && u->creds[0].last_used == SVC_NOW);
	br_user_free(&u);
	json_decref(a);
	free(chal);
	sk_key_free(&k);
	svc_close(&s);
}

static void
local_signin_starts_a_session(void)
{
	svc s;
	sk_key k;
	char sid[BR_ID_LEN + 1];

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	svc_signin_local(&s, &k, sid);
	CHECK(mem_cache_count(s.app.cache) > 0);
	sk_key_free(&k);
	svc_close(&s);
}

static void
replayed_assertion(void)
{
	svc s;
	sk_key k;
	char flow[BR_ID_LEN + 1], *chal;
	br_signin_done done;
	json_t *a;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	svc_idp_flow(&s, flow);
	chal = svc_signin_challenge(&s, flow, NULL);
	a = svc_assertion(&k, chal, NULL);
	CHECK_INT(br_signin_verify(&s.app, &s.who, flow, a, &done), BR_RESULT_OK);
	/* the same bytes again: the challenge is spent */
	CHECK_INT(br_signin_verify(&s.app, &s.who, flow, a, &done), BR_RESULT_EXPIRED);
	CHECK_INT(svc_audit_count(&s, "signin_failure", "challenge_expired"), 1);
	json_decref(a);
	free(chal);
	sk_key_free(&k);
	svc_close(&s);
}

static void
signature_from_other_key(void)
{
	svc s;
	sk_key alice, mallory;
	sk_auth_opts o;
	br_user *before, *after;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &alice);
	sk_key_new(&mallory);
	before = svc_user(&s, "alice");
	memset(&o, 0, sizeof(o));
	o.signer = &mallory;    /* alice's id and handle, mallory's signature */
	refused(&s, &alice, NULL, &o, BR_RESULT_FAILED, "signature");
	o.no_user_handle = 1;   /* username-first, the same forgery */
	refused(&s, &alice, "alice", &o, BR_RESULT_FAILED, "signature");
	after = svc_user(&s, "alice");
	CHECK(after->creds[0].sign_count == before->creds[0].sign_count && after->creds[0].last_used == 0);
	br_user_free(&before);
	br_user_free(&after);
	sk_key_free(&alice);
	sk_key_free(&mallory);
	svc_close(&s);
}

static void
user_handle_of_other_user(void)
{
	svc s;
	sk_key alice, bob;
	sk_auth_opts o;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &alice);
	svc_enrol(&s, "bob", &bob);
	memset(&o, 0, sizeof(o));
	o.user_handle = bob.user_handle;        /* alice's credential, bob's handle */
	o.user_handle_len = bob.user_handle_len;
	refused(&s, &alice, NULL, &o, BR_RESULT_FAILED, "user_handle");
	/* discoverable without any handle: it must come back */
	memset(&o, 0, sizeof(o));
	o.no_user_handle = 1;
	refused(&s, &alice, NULL, &o, BR_RESULT_FAILED, "user_handle");
	sk_key_free(&alice);
	sk_key_free(&bob);
	svc_close(&s);
}

static void
username_first_other_account(void)
{
	svc s;
	sk_key alice, bob;
	sk_auth_opts o;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &alice);
	svc_enrol(&s, "bob", &bob);
	memset(&o, 0, sizeof(o));
	o.no_user_handle = 1;   /* bob's options, alice's passkey */
	refused(&s, &alice, "bob", &o, BR_RESULT_FAILED, "wrong_account");
	sk_key_free(&alice);
	sk_key_free(&bob);
	svc_close(&s);
}

static void
assertion_fields(void)
{
	static const struct {
		const char *origin, *rp_id, *type, *reason;
		int flags_set;
		uint8_t flags;
	} bad[] = {
		{ "https://evil.example", NULL, NULL, "origin", 0, 0 },
		{ "https://login.example.edu:8443", NULL, NULL, "origin", 0, 0 },
		{ NULL, "evil.example", NULL, "rp_id", 0, 0 },
		{ NULL, NULL, "webauthn.create", "type", 0, 0 },
		{ NULL, NULL, NULL, "user_presence", 1, SK_UV },
	};
	svc s;
	sk_key k;
	sk_auth_opts o;
	size_t i;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.origin = bad[i].origin;
		o.rp_id = bad[i].rp_id;
		o.type = bad[i].type;
		o.flags_set = bad[i].flags_set;
		o.flags = bad[i].flags;
		refused(&s, &k, NULL, &o, BR_RESULT_FAILED, bad[i].reason);
	}
	sk_key_free(&k);
	svc_close(&s);
}

static void
uv_required_refuses_up_only(void)
{
	svc s;
	sk_key k;
	sk_auth_opts o;

	svc_open(&s, "[webauthn]\nuser_verification = required\n");
	svc_enrol(&s, "alice", &k);
	memset(&o, 0, sizeof(o));
	o.flags_set = 1;
	o.flags = SK_UP;
	refused(&s, &k, NULL, &o, BR_RESULT_FAILED, "user_verification");
	sk_key_free(&k);
	svc_close(&s);
}

static void
challenge_from_other_flow(void)
{
	svc s;
	sk_key k;
	char a[BR_ID_LEN + 1], b[BR_ID_LEN + 1], sid[BR_ID_LEN + 1], local[BR_ID_LEN + 1], *chal, *reg;
	br_signin_done done;
	json_t *as;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	svc_idp_flow(&s, a);
	svc_idp_flow(&s, b);
	chal = svc_signin_challenge(&s, a, NULL);
	as = svc_assertion(&k, chal, NULL);
	/* A's challenge answered in B's flow: refused, and spent for A as well */
	CHECK_INT(br_signin_verify(&s.app, &s.who, b, as, &done), BR_RESULT_NOT_OURS);
	expect_nothing_issued(&s, b, &done);
	CHECK_INT(br_signin_verify(&s.app, &s.who, a, as, &done), BR_RESULT_EXPIRED);
	expect_nothing_issued(&s, a, &done);
	json_decref(as);
	free(chal);
	/* a registration challenge answered as a sign-in */
	svc_signin_local(&s, &k, sid);
	reg = svc_reg_challenge(&s, sid, &k);
	svc_local_flow(&s, local);
	as = svc_assertion(&k, reg, NULL);
	CHECK_INT(br_signin_verify(&s.app, &s.who, local, as, &done), BR_RESULT_NOT_OURS);
	/* a challenge we never issued */
	json_decref(as);
	as = svc_assertion(&k, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
	CHECK_INT(br_signin_verify(&s.app, &s.who, local, as, &done), BR_RESULT_EXPIRED);
	json_decref(as);
	as = svc_assertion(&k, "not-ours", NULL);
	CHECK_INT(br_signin_verify(&s.app, &s.who, local, as, &done), BR_RESULT_NOT_OURS);
	json_decref(as);
	free(reg);
	sk_key_free(&k);
	svc_close(&s);
}

static void
unknown_credential(void)
{
	svc s;
	sk_key stranger;
	char flow[BR_ID_LEN + 1], *chal;
	br_signin_done done;
	json_t *a;

	svc_open(&s, NULL);
	sk_key_new(&stranger);
	sk_random(stranger.user_handle, 32);
	stranger.user_handle_len = 32;
	svc_idp_flow(&s, flow);
	chal = svc_signin_challenge(&s, flow, NULL);
	a = svc_assertion(&stranger, chal, NULL);
	CHECK_INT(br_signin_verify(&s.app, &s.who, flow, a, &done), BR_RESULT_UNKNOWN_CREDENTIAL);
	/* the page hands it to the Signal API */
	CHECK(strcmp(done.credential_id, stranger.cred_id_b64) == 0);
	expect_nothing_issued(&s, flow, &done);
	json_decref(a);
	free(chal);
	sk_key_free(&stranger);
	svc_close(&s);
}

static void
disabled_account(void)
{
	svc s;
	sk_key k;
	char flow[BR_ID_LEN + 1], *chal;
	br_signin_done done;
	br_login_next next;
	br_user *dave;
	br_credential_record rec;
	unsigned char *cose = NULL;
	size_t n = 0;
	json_t *pk = NULL, *a;

	svc_open(&s, NULL);
	/* enrolment refuses a disabled account: the passkey goes straight into the directory */
	sk_key_new(&k);
	sk_random(k.user_handle, 32);
	k.user_handle_len = 32;
	dave = svc_user(&s, "dave");
	CHECK_INT(br_dir_set_user_handle(s.app.dir, dave, k.user_handle, 32), BR_DIR_OK);
	sk_cose_key(&k, &cose, &n);
	memset(&rec, 0, sizeof(rec));
	rec.id.ptr = k.cred_id;
	rec.id.len = k.cred_id_len;
	rec.public_key.ptr = cose;
	rec.public_key.len = n;
	rec.created = SVC_NOW;
	CHECK_INT(br_dir_add_credential(s.app.dir, dave, &rec), BR_DIR_OK);
	br_user_free(&dave);

	svc_idp_flow(&s, flow);
	/* username-first: refused at once */
	CHECK_INT(br_signin_options(&s.app, &s.who, flow, "dave", &pk), BR_RESULT_ACCOUNT_DISABLED);
	CHECK(pk == NULL);
	/* discoverable: the passkey is dave's, the account is disabled */
	chal = svc_signin_challenge(&s, flow, NULL);
	a = svc_assertion(&k, chal, NULL);
	CHECK_INT(br_signin_verify(&s.app, &s.who, flow, a, &done), BR_RESULT_ACCOUNT_DISABLED);
	expect_nothing_issued(&s, flow, &done);
	/* "use another way" still tells the IdP the account is disabled */
	CHECK_INT(svc_cancel(&s, flow, NULL, &next), BR_RESULT_OK);
	CHECK(next.back_url != NULL && strstr(next.back_url, "error=AccountDisabled") != NULL &&
	    strstr(next.back_url, "ticket=") == NULL);
	br_login_next_reset(&next);
	json_decref(a);
	free(chal);
	free(cose);
	sk_key_free(&k);
	svc_close(&s);
}

static void
sign_count_regression(void)
{
	svc s;
	sk_key k;
	char flow[BR_ID_LEN + 1], *chal;
	br_signin_done done;
	br_login_next next;
	json_t *a;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	svc_signin_local(&s, &k, (char[BR_ID_LEN + 1]){ 0 });
	/* a clone answers with a counter the original already used */
	k.sign_count = 0;
	svc_idp_flow(&s, flow);
	chal = svc_signin_challenge(&s, flow, NULL);
	a = svc_assertion(&k, chal, NULL);
	CHECK_INT(br_signin_verify(&s.app, &s.who, flow, a, &done), BR_RESULT_FAILED);
	CHECK_INT(svc_audit_count(&s, "signin_failure", "sign_count"), 1);
	/* the IdP hears of it, whatever the user does next */
	CHECK_INT(svc_cancel(&s, flow, NULL, &next), BR_RESULT_OK);
	CHECK(next.back_url != NULL && strstr(next.back_url, "error=AuthnFailed") != NULL);
	br_login_next_reset(&next);
	json_decref(a);
	free(chal);
	sk_key_free(&k);
	svc_close(&s);
}

static void
sign_count_flagged(void)
{
	svc s;
	sk_key k;
	char flow[BR_ID_LEN + 1], *chal;
	br_signin_done done;
	json_t *a, *ev;

	svc_open(&s, "[webauthn]\nsign_count_policy = flag\n");
	svc_enrol(&s, "alice", &k);
	svc_signin_local(&s, &k, (char[BR_ID_LEN + 1]){ 0 });
	k.sign_count = 0;
	svc_idp_flow(&s, flow);
	chal = svc_signin_challenge(&s, flow, NULL);
	a = svc_assertion(&k, chal, NULL);
	CHECK_INT(br_signin_verify(&s.app, &s.who, flow, a, &done), BR_RESULT_OK);
	ev = svc_audit_last(&s, "signin_success");
	CHECK(ev != NULL && json_is_true(json_object_get(ev, "clone_warning")));
	json_decref(ev);
	json_decref(a);
	free(chal);
	sk_key_free(&k);
	svc_close(&s);
}

static void
mfa_verdict(void)
{
	br_config c;
	static char aaguid[] = "fbfc3007-154e-4ecc-8c0b-6e020557d7bd";
	char *list[] = { aaguid };

	memset(&c, 0, sizeof(c));
	CHECK(!br_signin_mfa(&c, 0, 0, NULL));          /* no user verification */
	CHECK(br_signin_mfa(&c, 1, 0, NULL));           /* a device-bound key with UV */
	CHECK(!br_signin_mfa(&c, 1, 1, aaguid));        /* synced: not unless listed */
	c.mfa_aaguids.v = list;
	c.mfa_aaguids.n = 1;
	CHECK(br_signin_mfa(&c, 1, 1, "FBFC3007-154E-4ECC-8C0B-6E020557D7BD"));
	CHECK(!br_signin_mfa(&c, 0, 1, aaguid));
	CHECK(!br_signin_mfa(&c, 1, 1, NULL));
}

static void
directory_down(void)
{
	svc s;
	sk_key k;
	char flow[BR_ID_LEN + 1], *chal;
	br_signin_done done;
	json_t *a, *ev;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	svc_idp_flow(&s, flow);
	chal = svc_signin_challenge(&s, flow, NULL);
	a = svc_assertion(&k, chal, NULL);
	CHECK(mem_dir_fail_next(s.app.dir, "find_for_signin", 1) == 0);
	CHECK_INT(br_signin_verify(&s.app, &s.who, flow, a, &done), BR_RESULT_UNAVAILABLE);
	expect_nothing_issued(&s, flow, &done);
	/* the audit line says what failed, in the store's words */
	ev = svc_audit_last(&s, "signin_failure");
	CHECK(ev != NULL && strcmp(json_string_value(json_object_get(ev, "reason")), "directory_error") == 0);
	CHECK(json_string_value(json_object_get(ev, "detail")) != NULL &&
	    strstr(json_string_value(json_object_get(ev, "detail")), "find_for_signin") != NULL);
	json_decref(ev);
	/* username-first when the directory cannot answer */
	CHECK(mem_dir_fail_next(s.app.dir, "find_user", 1) == 0);
	{
		json_t *pk = NULL;
		CHECK_INT(br_signin_options(&s.app, &s.who, flow, "alice", &pk), BR_RESULT_UNAVAILABLE);
		CHECK(pk == NULL);
	}
	json_decref(a);
	free(chal);
	sk_key_free(&k);
	svc_close(&s);
}

static void
last_used_write_failure_is_no_refusal(void)
{
	svc s;
	sk_key k;
	char flow[BR_ID_LEN + 1], *chal;
	br_signin_done done;
	json_t *a;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	svc_idp_flow(&s, flow);
	chal = svc_signin_challenge(&s, flow, NULL);
	a = svc_assertion(&k, chal, NULL);
	CHECK(mem_dir_fail_next(s.app.dir, "record_use", 1) == 0);
	CHECK_INT(br_signin_verify(&s.app, &s.who, flow, a, &done), BR_RESULT_OK);
	CHECK_INT(svc_audit_count(&s, "directory_write_failed", "record_use"), 1);
	json_decref(a);
	free(chal);
	sk_key_free(&k);
	svc_close(&s);
}

static void
cache_down(void)
{
	svc s;
	sk_key k;
	char flow[BR_ID_LEN + 1], *chal;
	br_signin_done done;
	json_t *a, *pk = NULL;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	svc_idp_flow(&s, flow);
	chal = svc_signin_challenge(&s, flow, NULL);
	a = svc_assertion(&k, chal, NULL);
	/* the flow cannot be read: unavailable, not "expired" */
	mem_cache_fail_next(s.app.cache, 1);
	CHECK_INT(br_signin_verify(&s.app, &s.who, flow, a, &done), BR_RESULT_UNAVAILABLE);
	mem_cache_fail_next(s.app.cache, 2);    /* the counter (fails open), then the flow */
	CHECK_INT(br_signin_options(&s.app, &s.who, flow, NULL, &pk), BR_RESULT_UNAVAILABLE);
	CHECK(pk == NULL);
	json_decref(a);
	free(chal);
	sk_key_free(&k);
	svc_close(&s);
}

static void
no_flow(void)
{
	svc s;
	json_t *pk = NULL, *a;
	sk_key k;
	br_signin_done done;

	svc_open(&s, NULL);
	sk_key_new(&k);
	CHECK_INT(br_signin_options(&s.app, &s.who, NULL, NULL, &pk), BR_RESULT_EXPIRED);
	CHECK_INT(br_signin_options(&s.app, &s.who, "not a flow id", NULL, &pk), BR_RESULT_EXPIRED);
	CHECK_INT(br_signin_options(&s.app, &s.who, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, &pk), BR_RESULT_EXPIRED);
	a = svc_assertion(&k, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
	CHECK_INT(br_signin_verify(&s.app, &s.who, NULL, a, &done), BR_RESULT_EXPIRED);
	CHECK(pk == NULL);
	json_decref(a);
	sk_key_free(&k);
	svc_close(&s);
}

static void
malformed_credential(void)
{
	svc s;
	char flow[BR_ID_LEN + 1];
	br_signin_done done;
	json_t *bad = json_pack("{s:s, s:s, s:s, s:{}}", "id", "AA", "rawId", "AA", "type", "public-key", "response");

	svc_open(&s, NULL);
	svc_idp_flow(&s, flow);
	CHECK_INT(br_signin_verify(&s.app, &s.who, flow, bad, &done), BR_RESULT_BAD_REQUEST);
	CHECK_INT(br_signin_verify(&s.app, &s.who, flow, NULL, &done), BR_RESULT_BAD_REQUEST);
	json_decref(bad);
	svc_close(&s);
}

static void
account_counted_by_entry(void)
{
	svc s;
	json_t *pk = NULL;
	char flow[BR_ID_LEN + 1];
	int i, limit;
	sk_key k;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	/* a new minute: the enrolment link counted for alice too */
	s.who.now += 60;
	mem_cache_set_now(s.app.cache, s.who.now);
	svc_idp_flow(&s, flow);
	limit = s.app.cfg.limit_per_account;
	/* spellings the directory matches to the same entry share its counter */
	for (i = 0; i < limit; i++) {
		CHECK_INT(br_signin_options(&s.app, &s.who, flow, i % 2 ? "ALICE" : "alice", &pk), BR_RESULT_OK);
		json_decref(pk);
	}
	CHECK_INT(br_signin_options(&s.app, &s.who, flow, "Alice", &pk), BR_RESULT_RATE_LIMITED);
	CHECK_INT(svc_audit_count(&s, "rate_limited", "account"), 1);
	/* another account is not affected */
	CHECK_INT(br_signin_options(&s.app, &s.who, flow, "bob", &pk), BR_RESULT_NO_CREDENTIALS);
	sk_key_free(&k);
	svc_close(&s);
}

/* What the IdP's ticket record says for the flow's ticket. */
static json_t *
ticket_of(svc *s, const char *flow_id)
{
	br_flow f;
	char key[96], *text = NULL;
	size_t len = 0;
	json_t *rec = NULL;
	const char *why = NULL;

	CHECK(br_flow_load(&s->app, flow_id, s->who.now, &f) == BR_CACHE_OK && f.ticket != NULL);
	snprintf(key, sizeof(key), "ticket:%s", f.ticket);
	CHECK(br_cache_get(s->app.cache, key, &text, &len) == BR_CACHE_OK);
	CHECK((rec = json_loadb(text, len, 0, NULL)) != NULL);
	free(text);
	/* as the shim reads it: every field under the MAC, within its time */
	CHECK(br_ticket_verify(rec, f.ticket, f.conversation, f.state, &s->app.secrets, s->who.now, 0, &why) == 0);
	CHECK(json_integer_value(json_object_get(rec, "expires")) == s->who.now + s->app.cfg.ticket_ttl_s);
	br_flow_reset(&f);
	return rec;
}

static void
second_factor_bound_to_principal(void)
{
	svc s;
	sk_key alice, bob;
	char flow[BR_ID_LEN + 1], *chal;
	br_signin_done done;
	br_login_next next;
	json_t *pk = NULL, *a, *rec;
	sk_auth_opts o;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &alice);
	svc_enrol(&s, "bob", &bob);
	/* the options are the named account's, whatever the page asked */
	svc_idp_flow_ext(&s, "ALICE", NULL, flow);
	CHECK_INT(br_signin_options(&s.app, &s.who, flow, NULL, &pk), BR_RESULT_OK);
	CHECK(json_array_size(json_object_get(pk, "allowCredentials")) == 1);
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(json_object_get(pk, "allowCredentials"), 0), "id")),
	    alice.cred_id_b64) == 0);
	chal = strdup(json_string_value(json_object_get(pk, "challenge")));
	json_decref(pk);
	/* the right passkey: the ticket names the first factor's user byte for byte */
	memset(&o, 0, sizeof(o));
	o.no_user_handle = 1;
	a = svc_assertion(&alice, chal, &o);
	CHECK_INT(br_signin_verify(&s.app, &s.who, flow, a, &done), BR_RESULT_OK);
	rec = ticket_of(&s, flow);
	CHECK(strcmp(json_string_value(json_object_get(rec, "principal")), "ALICE") == 0);
	json_decref(rec);
	json_decref(a);
	free(chal);

	/* bob's passkey for alice's second factor */
	svc_idp_flow_ext(&s, "alice", NULL, flow);
	chal = svc_signin_challenge(&s, flow, NULL);
	a = svc_assertion(&bob, chal, NULL);
	CHECK_INT(br_signin_verify(&s.app, &s.who, flow, a, &done), BR_RESULT_FAILED);
	CHECK_INT(svc_cancel(&s, flow, NULL, &next), BR_RESULT_OK);
	CHECK(strstr(next.back_url, "error=AccountMismatch") != NULL && strstr(next.back_url, "ticket=") == NULL);
	br_login_next_reset(&next);
	json_decref(a);
	free(chal);

	/* the page asking for someone else */
	svc_idp_flow_ext(&s, "alice", NULL, flow);
	CHECK_INT(br_signin_options(&s.app, &s.who, flow, "bob", &pk), BR_RESULT_FAILED);
	CHECK_INT(svc_cancel(&s, flow, NULL, &next), BR_RESULT_OK);
	CHECK(strstr(next.back_url, "error=AccountMismatch") != NULL);
	br_login_next_reset(&next);

	/* an account without a passkey, one the directory does not know, a disabled one */
	svc_idp_flow_ext(&s, "nobody", NULL, flow);
	CHECK_INT(br_signin_options(&s.app, &s.who, flow, NULL, &pk), BR_RESULT_UNKNOWN_ACCOUNT);
	CHECK_INT(svc_cancel(&s, flow, NULL, &next), BR_RESULT_OK);
	CHECK(strstr(next.back_url, "error=NoCredentials") != NULL);
	br_login_next_reset(&next);
	svc_idp_flow_ext(&s, "dave", NULL, flow);
	CHECK_INT(br_signin_options(&s.app, &s.who, flow, NULL, &pk), BR_RESULT_ACCOUNT_DISABLED);
	CHECK_INT(svc_cancel(&s, flow, NULL, &next), BR_RESULT_OK);
	CHECK(strstr(next.back_url, "error=AccountDisabled") != NULL);
	br_login_next_reset(&next);
	sk_key_free(&alice);
	sk_key_free(&bob);
	svc_close(&s);
}

static void
service_display_name(void)
{
	svc s;
	char flow[BR_ID_LEN + 1];
	br_login_page p;

	svc_open(&s, NULL);
	svc_idp_flow_ext(&s, NULL, "Moodle \xe2\x80\x94 Lectures", flow);
	CHECK_INT(br_login_page_flow(&s.app, &s.who, flow, &p), BR_RESULT_OK);
	CHECK(strcmp(p.service, "Moodle \xe2\x80\x94 Lectures") == 0 && strcmp(p.entity, SVC_ENTITY) == 0);
	CHECK(p.principal == NULL);
	br_login_page_reset(&p);
	svc_idp_flow(&s, flow);
	CHECK_INT(br_login_page_flow(&s.app, &s.who, flow, &p), BR_RESULT_OK);
	CHECK(strcmp(p.service, SVC_ENTITY) == 0);
	br_login_page_reset(&p);
	svc_close(&s);
}

/* [attestation] mds_refuse_signin: a model whose status turned bad after registration */
static void
model_revoked_after_registration(void)
{
	svc s;
	sk_key k;
	char path[64], conf[200], flow[BR_ID_LEN + 1], *chal, err[256];
	br_signin_done done;
	json_t *a;
	FILE *f;
	int pass;

	sk_key_new(&k);
	snprintf(path, sizeof(path), "/tmp/svc-signin-mds-%ld.json", (long)getpid());
	for (pass = 0; pass < 2; pass++) {
		/* registered while the model was fine */
		CHECK((f = fopen(path, "w")) != NULL);
		fprintf(f, "{\"no\":1,\"nextUpdate\":\"2030-01-01\",\"entries\":[{\"aaguid\":\"%s\",\"statusReports\":[{\"status\":\"FIDO_CERTIFIED\"}]}]}",
		    k.aaguid_text);
		CHECK(fclose(f) == 0);
		snprintf(conf, sizeof(conf), "[attestation]\nmds_file = %s\nmds_refuse_signin = %s\n", path, pass == 0 ? "true" : "false");
		svc_open(&s, conf);
		sk_key_free(&k);
		svc_enrol(&s, "alice", &k);
		/* then revoked, and reloaded */
		CHECK((f = fopen(path, "w")) != NULL);
		fprintf(f, "{\"no\":2,\"nextUpdate\":\"2030-01-01\",\"entries\":[{\"aaguid\":\"%s\",\"statusReports\":[{\"status\":\"FIDO_CERTIFIED\"},{\"status\":\"ATTESTATION_KEY_COMPROMISE\"}]}]}",
		    k.aaguid_text);
		CHECK(fclose(f) == 0);
		CHECK_INT(br_app_reload_metadata(&s.app, err, sizeof(err)), 0);
		svc_local_flow(&s, flow);
		chal = svc_signin_challenge(&s, flow, NULL);
		a = svc_assertion(&k, chal, NULL);
		if (pass == 0) {
			CHECK_INT(br_signin_verify(&s.app, &s.who, flow, a, &done), BR_RESULT_AUTHENTICATOR_REFUSED);
			CHECK_INT(svc_audit_count(&s, "signin_failure", "mds_status_refused"), 1);
			CHECK_INT(svc_audit_count(&s, "signin_success", NULL), 0);
		} else {
			CHECK_INT(br_signin_verify(&s.app, &s.who, flow, a, &done), BR_RESULT_OK);
		}
		json_decref(a);
		free(chal);
		svc_close(&s);
	}
	sk_key_free(&k);
	unlink(path);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(model_revoked_after_registration),
		UNIT_CASE(discoverable_idp_signin),
		UNIT_CASE(local_signin_starts_a_session),
		UNIT_CASE(replayed_assertion),
		UNIT_CASE(signature_from_other_key),
		UNIT_CASE(user_handle_of_other_user),
		UNIT_CASE(username_first_other_account),
		UNIT_CASE(assertion_fields),
		UNIT_CASE(uv_required_refuses_up_only),
		UNIT_CASE(challenge_from_other_flow),
		UNIT_CASE(unknown_credential),
		UNIT_CASE(disabled_account),
		UNIT_CASE(sign_count_regression),
		UNIT_CASE(sign_count_flagged),
		UNIT_CASE(mfa_verdict),
		UNIT_CASE(directory_down),
		UNIT_CASE(last_used_write_failure_is_no_refusal),
		UNIT_CASE(cache_down),
		UNIT_CASE(no_flow),
		UNIT_CASE(malformed_credential),
		UNIT_CASE(account_counted_by_entry),
		UNIT_CASE(second_factor_bound_to_principal),
		UNIT_CASE(service_display_name),
	};

	return unit_run("signin_service", cases, UNIT_N(cases));
}
