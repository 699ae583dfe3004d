/*
 * The IdP side of a login (app/login.c) and My passkeys (app/passkeys.c)
 * over the in-memory stores: a start that does not verify never sends the
 * browser anywhere, a passive request goes straight back, and a passkey is
 * managed only from its owner's sign-in session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bridge/app/activity.h"
#include "../../bridge/app/enrolment.h"
#include "../../bridge/app/events.h"
#include "../../bridge/app/login.h"
#include "../../bridge/app/passkeys.h"
#include "../../bridge/app/registration.h"
#include "../../bridge/app/signin.h"
#include "svc_fixture.h"

static br_handoff_start
signed_start(svc *s, char *ts, char *sig, const char *passive, const char *ret)
{
	br_handoff_start st = {
		.conversation = "e2s1", .state = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", .return_url = ret,
		.entity = SVC_ENTITY, .force = "0", .passive = passive, .ts = ts, .sig = sig,
	};

	snprintf(ts, 24, "%lld", (long long)s->who.now);
	CHECK(br_handoff_sign_start(&st, s->app.secrets.cur, s->app.secrets.cur_len, sig) == 0);
	return st;
}

static void
bad_start_goes_nowhere(void)
{
	svc s;
	char ts[24], sig[BR_HANDOFF_SIG_LEN + 1];
	br_handoff_start st;
	br_login_next next;

	svc_open(&s, NULL);
	st = signed_start(&s, ts, sig, "0", SVC_RETURN);
	sig[0] = sig[0] == 'A' ? 'B' : 'A';
	CHECK_INT(br_login_start(&s.app, &s.who, &st, NULL, &next), BR_RESULT_BAD_START);
	CHECK(next.back_url == NULL && next.flow_id[0] == '\0');
	CHECK_INT(svc_audit_count(&s, "handoff_rejected", "bad_signature"), 1);
	/* correctly signed, but the return URL is not one of ours */
	st = signed_start(&s, ts, sig, "0", "https://evil.example/idp/Authn/External/finish");
	CHECK_INT(br_login_start(&s.app, &s.who, &st, NULL, &next), BR_RESULT_BAD_START);
	CHECK(next.back_url == NULL && next.flow_id[0] == '\0');
	/* an hour old */
	s.who.now -= 3600;
	st = signed_start(&s, ts, sig, "0", SVC_RETURN);
	s.who.now += 3600;
	CHECK_INT(br_login_start(&s.app, &s.who, &st, NULL, &next), BR_RESULT_BAD_START);
	CHECK_INT(svc_audit_count(&s, "handoff_rejected", "stale_timestamp"), 1);
	/* no flow was made: only the address counter is in the cache */
	CHECK_INT(svc_audit_count(&s, "handoff_started", NULL), 0);
	CHECK(mem_cache_count(s.app.cache) == 1);
	svc_close(&s);
}

static void
passive_goes_straight_back(void)
{
	svc s;
	char ts[24], sig[BR_HANDOFF_SIG_LEN + 1];
	br_handoff_start st;
	br_login_next next;

	svc_open(&s, NULL);
	st = signed_start(&s, ts, sig, "1", SVC_RETURN);
	CHECK_INT(br_login_start(&s.app, &s.who, &st, NULL, &next), BR_RESULT_OK);
	CHECK(next.back_url != NULL && strstr(next.back_url, "error=NoPassive") != NULL && next.flow_id[0] == '\0');
	br_login_next_reset(&next);
	svc_close(&s);
}

static void
finish_and_cancel(void)
{
	svc s;
	char flow[BR_ID_LEN + 1];
	br_login_next next;
	br_login_page p;

	svc_open(&s, NULL);
	svc_idp_flow(&s, flow);
	/* the page of an IdP flow names the service and keeps the cookie */
	CHECK_INT(br_login_page_flow(&s.app, &s.who, flow, &p), BR_RESULT_OK);
	CHECK(p.idp && p.flow_id[0] == '\0' && strcmp(p.entity, SVC_ENTITY) == 0);
	br_login_page_reset(&p);
	/* not signed in yet: back to the page, the flow stays */
	CHECK_INT(br_login_finish(&s.app, &s.who, flow, &next), BR_RESULT_OK);
	CHECK(next.back_url == NULL && !next.flow_done);
	br_login_next_reset(&next);
	CHECK_INT(svc_cancel(&s, flow, NULL, &next), BR_RESULT_OK);
	CHECK(next.flow_done && strstr(next.back_url, "error=NoCredentials") != NULL);
	br_login_next_reset(&next);
	/* the flow is over */
	CHECK_INT(svc_cancel(&s, flow, NULL, &next), BR_RESULT_EXPIRED);
	CHECK_INT(br_login_finish(&s.app, &s.who, flow, &next), BR_RESULT_EXPIRED);
	CHECK(next.back_url == NULL);
	/* a timed-out page */
	svc_idp_flow(&s, flow);
	CHECK_INT(svc_cancel(&s, flow, "expired", &next), BR_RESULT_OK);
	CHECK(strstr(next.back_url, "error=Expired") != NULL);
	br_login_next_reset(&next);
	svc_close(&s);
}

static void
local_flow_is_not_an_idp_flow(void)
{
	svc s;
	char flow[BR_ID_LEN + 1];
	br_login_next next;

	svc_open(&s, NULL);
	svc_local_flow(&s, flow);
	/* nothing to go back to */
	CHECK_INT(br_login_finish(&s.app, &s.who, flow, &next), BR_RESULT_EXPIRED);
	CHECK_INT(svc_cancel(&s, flow, NULL, &next), BR_RESULT_EXPIRED);
	svc_close(&s);
}

/* The recent activity: this account's successes only, newest first, at most BR_ACTIVITY_MAX. */
static void
recent_activity(void)
{
	svc s;
	sk_key k;
	char sid[BR_ID_LEN + 1];
	json_t *list, *a;
	int i;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	list = br_activity_list(&s.app, "alice", s.who.now);
	CHECK(json_array_size(list) == 1);
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(list, 0), "event")), "registration") == 0);
	json_decref(list);
	for (i = 0; i < BR_ACTIVITY_MAX + 2; i++) {
		s.who.now++;
		svc_signin_local(&s, &k, sid);
	}
	/* a failure is not the owner's activity: someone else's attempts cannot push it out */
	s.who.now++;
	br_event(&s.app, &s.who, "signin_failure", "bad_signature", json_pack("{s:s}", "username", "alice"));
	br_event(&s.app, &s.who, "registration_failure", NULL, json_pack("{s:s}", "username", "alice"));
	br_event(&s.app, &s.who, "signed_out", "cache_error", json_pack("{s:s}", "username", "alice"));
	s.who.now--;
	list = br_activity_list(&s.app, "alice", s.who.now);
	CHECK(json_array_size(list) == BR_ACTIVITY_MAX);
	a = json_array_get(list, 0);
	CHECK(strcmp(json_string_value(json_object_get(a, "event")), "signin_success") == 0);
	CHECK(json_integer_value(json_object_get(a, "ts")) == s.who.now);
	CHECK(strcmp(json_string_value(json_object_get(a, "client")), s.who.client) == 0);
	CHECK(json_integer_value(json_object_get(json_array_get(list, 1), "ts")) == s.who.now - 1);
	json_decref(list);
	/* another account's list is its own */
	list = br_activity_list(&s.app, "bob", s.who.now);
	CHECK(json_array_size(list) == 0);
	json_decref(list);
	sk_key_free(&k);
	svc_close(&s);
}

/* The pages keep the two kinds apart: My passkeys never takes up an IdP flow, nor an IdP page a local one. */
static void
page_split_keeps_the_kinds_apart(void)
{
	svc s;
	char idp[BR_ID_LEN + 1], local[BR_ID_LEN + 1];
	br_login_page p;
	json_t *pk = NULL;

	svc_open(&s, NULL);
	svc_idp_flow(&s, idp);
	/* an IdP flow waiting, no for=passkeys: its page */
	CHECK_INT(br_login_page_split(&s.app, &s.who, idp, NULL, 0, &p), BR_RESULT_OK);
	CHECK(p.idp && p.flow_id[0] == '\0');
	br_login_page_reset(&p);
	/* the same browser on My passkeys' sign-in: a new local flow, the IdP's left alone */
	CHECK_INT(br_login_page_split(&s.app, &s.who, idp, NULL, 1, &p), BR_RESULT_OK);
	CHECK(!p.idp && strlen(p.flow_id) == BR_ID_LEN && strcmp(p.flow_id, idp) != 0);
	memcpy(local, p.flow_id, sizeof(local));
	br_login_page_reset(&p);
	/* its cookie back: the same local flow */
	CHECK_INT(br_login_page_split(&s.app, &s.who, idp, local, 1, &p), BR_RESULT_OK);
	CHECK(!p.idp && p.flow_id[0] == '\0');
	br_login_page_reset(&p);
	/* the IdP flow's id in the local cookie is not taken up */
	CHECK_INT(br_login_page_split(&s.app, &s.who, NULL, idp, 1, &p), BR_RESULT_OK);
	CHECK(!p.idp && strlen(p.flow_id) == BR_ID_LEN && strcmp(p.flow_id, idp) != 0);
	br_login_page_reset(&p);
	/* a local flow in the IdP cookie is no IdP flow */
	CHECK_INT(br_login_page_split(&s.app, &s.who, local, local, 0, &p), BR_RESULT_OK);
	CHECK(!p.idp && p.flow_id[0] == '\0');
	br_login_page_reset(&p);
	/* the sign-in calls refuse a flow of the other kind */
	CHECK_INT(br_signin_options_for(&s.app, &s.who, BR_SIGNIN_LOCAL_FLOW, idp, NULL, &pk), BR_RESULT_EXPIRED);
	CHECK(pk == NULL);
	CHECK_INT(br_signin_options_for(&s.app, &s.who, BR_SIGNIN_IDP_FLOW, local, NULL, &pk), BR_RESULT_EXPIRED);
	CHECK(pk == NULL);
	CHECK_INT(br_signin_options_for(&s.app, &s.who, BR_SIGNIN_LOCAL_FLOW, local, NULL, &pk), BR_RESULT_OK);
	json_decref(pk);
	pk = NULL;
	CHECK_INT(br_signin_options_for(&s.app, &s.who, BR_SIGNIN_IDP_FLOW, idp, NULL, &pk), BR_RESULT_OK);
	json_decref(pk);
	/* the cache cannot say whether an IdP sign-in waits: no local page over it */
	mem_cache_fail_next(s.app.cache, 1);
	CHECK_INT(br_login_page_split(&s.app, &s.who, idp, NULL, 0, &p), BR_RESULT_UNAVAILABLE);
	br_login_page_reset(&p);
	svc_close(&s);
}

static void
page_keeps_an_idp_flow_when_the_cache_is_down(void)
{
	svc s;
	char flow[BR_ID_LEN + 1];
	br_login_page p;

	svc_open(&s, NULL);
	svc_idp_flow(&s, flow);
	mem_cache_fail_next(s.app.cache, 1);
	/* a new (local) flow would turn an IdP sign-in into a local one */
	CHECK_INT(br_login_page_flow(&s.app, &s.who, flow, &p), BR_RESULT_UNAVAILABLE);
	CHECK(p.flow_id[0] == '\0');
	br_login_page_reset(&p);
	svc_close(&s);
}

static void
login_page_flood_is_limited(void)
{
	svc s;
	char flow[BR_ID_LEN + 1];
	br_login_page p;
	int i, limit;

	svc_open(&s, "[limits]\nper_address = 20\n");
	limit = s.app.cfg.limit_per_address;
	for (i = 0; i < limit; i++)
		svc_local_flow(&s, flow);
	CHECK_INT(br_login_page_flow(&s.app, &s.who, NULL, &p), BR_RESULT_RATE_LIMITED);
	CHECK(p.flow_id[0] == '\0');
	CHECK(mem_cache_count(s.app.cache) <= (size_t)limit + 2);   /* the flows and the counter */
	/* another address is not affected; a page with its flow writes nothing and is not counted */
	s.who.client = "198.51.100.7";
	CHECK_INT(br_login_page_flow(&s.app, &s.who, flow, &p), BR_RESULT_OK);
	CHECK(p.flow_id[0] == '\0');
	br_login_page_reset(&p);
	svc_close(&s);
}

static void
my_passkeys(void)
{
	svc s;
	sk_key k, k2;
	char sid[BR_ID_LEN + 1], *chal;
	br_registration_done done;
	json_t *list = NULL, *cred;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	svc_signin_local(&s, &k, sid);
	CHECK_INT(br_passkeys_list(&s.app, &s.who, sid, &list), BR_RESULT_OK);
	CHECK(json_array_size(json_object_get(list, "passkeys")) == 1);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(list, "user"), "name")), "alice") == 0);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(list, "user"), "displayName")), "Alice Liddell") == 0);
	json_decref(list);
	/* rename: the nickname rule */
	CHECK_INT(br_passkeys_rename(&s.app, &s.who, sid, k.cred_id_b64, "Key\xc2\x85One"), BR_RESULT_BAD_REQUEST);
	CHECK_INT(br_passkeys_rename(&s.app, &s.who, sid, k.cred_id_b64, ""), BR_RESULT_BAD_REQUEST);
	CHECK_INT(br_passkeys_rename(&s.app, &s.who, sid, "!!", "ok"), BR_RESULT_BAD_REQUEST);
	CHECK_INT(br_passkeys_rename(&s.app, &s.who, sid, k.cred_id_b64, "Laptop"), BR_RESULT_OK);
	CHECK_INT(svc_audit_count(&s, "credential_renamed", NULL), 1);
	/* the last one needs a confirmation */
	CHECK_INT(br_passkeys_delete(&s.app, &s.who, sid, k.cred_id_b64, 0), BR_RESULT_LAST_PASSKEY);
	/* with a second one it does not */
	sk_key_new(&k2);
	chal = svc_reg_challenge(&s, sid, &k2);
	cred = svc_registration(&k2, chal, NULL);
	CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, NULL, &done), BR_RESULT_OK);
	CHECK_INT(br_passkeys_delete(&s.app, &s.who, sid, k.cred_id_b64, 0), BR_RESULT_OK);
	CHECK_INT(br_passkeys_delete(&s.app, &s.who, sid, k.cred_id_b64, 1), BR_RESULT_UNKNOWN_CREDENTIAL);
	CHECK_INT(br_passkeys_delete(&s.app, &s.who, sid, k2.cred_id_b64, 1), BR_RESULT_OK);
	json_decref(cred);
	free(chal);
	sk_key_free(&k);
	sk_key_free(&k2);
	svc_close(&s);
}

static void
passkeys_of_another_account(void)
{
	svc s;
	sk_key alice, bob;
	char bob_sid[BR_ID_LEN + 1], enrol_sid[BR_ID_LEN + 1], code[BR_ENROL_CODE_LEN + 1];
	json_t *list = NULL;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &alice);
	svc_enrol(&s, "bob", &bob);
	svc_signin_local(&s, &bob, bob_sid);
	/* bob's session, alice's passkey */
	CHECK_INT(br_passkeys_rename(&s.app, &s.who, bob_sid, alice.cred_id_b64, "mine now"), BR_RESULT_UNKNOWN_CREDENTIAL);
	CHECK_INT(br_passkeys_delete(&s.app, &s.who, bob_sid, alice.cred_id_b64, 1), BR_RESULT_UNKNOWN_CREDENTIAL);
	{
		br_user *u = svc_user(&s, "alice");
		CHECK(u->n_creds == 1 && strcmp(u->creds[0].nickname, "test key") == 0);
		br_user_free(&u);
	}
	/* an enrolment session is no sign-in */
	svc_enrol_link(&s, "alice", code);
	svc_open_link(&s, "alice", code, enrol_sid);
	CHECK_INT(br_passkeys_list(&s.app, &s.who, enrol_sid, &list), BR_RESULT_FORBIDDEN);
	CHECK_INT(br_passkeys_delete(&s.app, &s.who, enrol_sid, alice.cred_id_b64, 1), BR_RESULT_FORBIDDEN);
	CHECK_INT(br_passkeys_list(&s.app, &s.who, NULL, &list), BR_RESULT_FORBIDDEN);
	CHECK(list == NULL);
	sk_key_free(&alice);
	sk_key_free(&bob);
	svc_close(&s);
}

static void
signout_everywhere(void)
{
	svc s;
	sk_key k, b;
	char phone[BR_ID_LEN + 1], laptop[BR_ID_LEN + 1], bobs[BR_ID_LEN + 1], later[BR_ID_LEN + 1];
	json_t *list = NULL;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	svc_enrol(&s, "bob", &b);
	svc_signin_local(&s, &k, phone);
	svc_signin_local(&s, &k, laptop);
	svc_signin_local(&s, &b, bobs);
	s.who.now += 10;
	CHECK_INT(br_passkeys_signout(&s.app, &s.who, laptop), BR_RESULT_OK);
	CHECK_INT(svc_audit_count(&s, "signed_out", NULL), 1);
	/* this session and the one on the other device are over; bob's is not */
	CHECK_INT(br_passkeys_list(&s.app, &s.who, laptop, &list), BR_RESULT_FORBIDDEN);
	CHECK_INT(br_passkeys_list(&s.app, &s.who, phone, &list), BR_RESULT_FORBIDDEN);
	CHECK_INT(br_passkeys_rename(&s.app, &s.who, phone, k.cred_id_b64, "x"), BR_RESULT_FORBIDDEN);
	CHECK_INT(br_passkeys_list(&s.app, &s.who, bobs, &list), BR_RESULT_OK);
	json_decref(list);
	/* signing in again afterwards works */
	s.who.now += 2;
	svc_signin_local(&s, &k, later);
	CHECK_INT(br_passkeys_list(&s.app, &s.who, later, &list), BR_RESULT_OK);
	json_decref(list);
	CHECK_INT(br_passkeys_signout(&s.app, &s.who, NULL), BR_RESULT_FORBIDDEN);
	sk_key_free(&k);
	sk_key_free(&b);
	svc_close(&s);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(bad_start_goes_nowhere),
		UNIT_CASE(passive_goes_straight_back),
		UNIT_CASE(finish_and_cancel),
		UNIT_CASE(local_flow_is_not_an_idp_flow),
		UNIT_CASE(page_split_keeps_the_kinds_apart),
		UNIT_CASE(recent_activity),
		UNIT_CASE(page_keeps_an_idp_flow_when_the_cache_is_down),
		UNIT_CASE(login_page_flood_is_limited),
		UNIT_CASE(my_passkeys),
		UNIT_CASE(passkeys_of_another_account),
		UNIT_CASE(signout_everywhere),
	};

	return unit_run("login_service", cases, UNIT_N(cases));
}
