/*
 * Registration and enrolment (app/registration.c, app/enrol.c) over the
 * in-memory stores: who may add a passkey, when the one-time code is spent,
 * and that every refusal leaves the directory and the link as they were.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../bridge/app/enrol.h"
#include "../../bridge/app/enrolment.h"
#include "../../bridge/app/passkeys.h"
#include "../../bridge/app/authn_policy.h"
#include "../../bridge/app/registration.h"
#include "../../bridge/app/result.h"
#include "svc_fixture.h"

static size_t
codes_of(svc *s, const char *username)
{
	br_user *u = svc_user(s, username);
	size_t n = u->n_enrolment_codes;

	br_user_free(&u);
	return n;
}

static size_t
creds_of(svc *s, const char *username)
{
	br_user *u = svc_user(s, username);
	size_t n = u->n_creds;

	br_user_free(&u);
	return n;
}

/* A link opened, options fetched: the session and the challenge. */
static char *
begin(svc *s, const char *username, sk_key *k, char sid[BR_ID_LEN + 1])
{
	char code[BR_ENROL_CODE_LEN + 1];

	sk_key_new(k);
	svc_enrol_link(s, username, code);
	svc_open_link(s, username, code, sid);
	return svc_reg_challenge(s, sid, k);
}

static void
enrol_with_link(void)
{
	svc s;
	sk_key k;
	char sid[BR_ID_LEN + 1], *chal;
	br_registration_done done;
	br_user *u;
	json_t *cred, *ev;

	svc_open(&s, NULL);
	chal = begin(&s, "alice", &k, sid);
	CHECK(codes_of(&s, "alice") == 1);
	cred = svc_registration(&k, chal, NULL);
	CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, "Phone \xe9\x8d\xb5", &done), BR_RESULT_OK);
	CHECK(done.enrolled && strlen(done.session_id) == BR_ID_LEN);
	u = svc_user(&s, "alice");
	CHECK(u->n_creds == 1 && u->n_enrolment_codes == 0 && u->user_handle.len == 32);
	CHECK(u->creds[0].nickname != NULL && strcmp(u->creds[0].nickname, "Phone \xe9\x8d\xb5") == 0);
	CHECK(strcmp(u->creds[0].aaguid, k.aaguid_text) == 0 && strcmp(u->creds[0].fmt, "none") == 0);
	CHECK(u->creds[0].created == SVC_NOW && u->creds[0].transports != 0);
	br_user_free(&u);
	ev = svc_audit_last(&s, "registration");
	CHECK(ev != NULL && strcmp(json_string_value(json_object_get(ev, "credential_id")), k.cred_id_b64) == 0);
	json_decref(ev);
	CHECK_INT(svc_audit_count(&s, "enrolment_link_used", NULL), 1);
	/* the enrolment session is over: it cannot add another */
	json_decref(cred);
	free(chal);
	{
		json_t *pk = NULL;
		CHECK_INT(br_registration_options(&s.app, &s.who, sid, &pk), BR_RESULT_FORBIDDEN);
	}
	sk_key_free(&k);
	svc_close(&s);
}

static void
nickname_c1_control_keeps_the_link(void)
{
	svc s;
	sk_key k;
	char sid[BR_ID_LEN + 1], *chal;
	br_registration_done done;
	json_t *cred;
	char long_name[66];

	svc_open(&s, NULL);
	chal = begin(&s, "alice", &k, sid);
	cred = svc_registration(&k, chal, NULL);
	/* NEL (U+0085): once accepted here and refused by the directory after the code was spent */
	CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, "Key\xc2\x85One", &done), BR_RESULT_BAD_REQUEST);
	CHECK(codes_of(&s, "alice") == 1 && creds_of(&s, "alice") == 0);
	memset(long_name, 'x', 65);
	long_name[65] = '\0';
	CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, long_name, &done), BR_RESULT_BAD_REQUEST);
	CHECK(codes_of(&s, "alice") == 1 && creds_of(&s, "alice") == 0);
	/* the challenge was not spent either: the same ceremony with a good name works */
	long_name[64] = '\0';
	CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, long_name, &done), BR_RESULT_OK);
	CHECK(codes_of(&s, "alice") == 0 && creds_of(&s, "alice") == 1);
	json_decref(cred);
	free(chal);
	sk_key_free(&k);
	svc_close(&s);
}

static void
registration_rejections(void)
{
	static const struct {
		const char *origin, *rp_id, *type;
		int flags_set;
		uint8_t flags;
	} bad[] = {
		{ "https://evil.example", NULL, NULL, 0, 0 },
		{ NULL, "evil.example", NULL, 0, 0 },
		{ NULL, NULL, "webauthn.get", 0, 0 },
		{ NULL, NULL, NULL, 1, SK_UV | SK_AT },      /* user not present */
		{ NULL, NULL, NULL, 1, SK_UP | SK_UV },      /* no attested credential data */
	};
	svc s;
	size_t i;

	svc_open(&s, NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sk_key k;
		sk_reg_opts o;
		char sid[BR_ID_LEN + 1], *chal = begin(&s, "alice", &k, sid);
		br_registration_done done;
		json_t *cred;
		int fails = svc_audit_count(&s, "registration_failure", NULL);

		memset(&o, 0, sizeof(o));
		o.origin = bad[i].origin;
		o.rp_id = bad[i].rp_id;
		o.type = bad[i].type;
		o.flags_set = bad[i].flags_set;
		o.flags = bad[i].flags;
		cred = svc_registration(&k, chal, &o);
		CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, NULL, &done), BR_RESULT_FAILED);
		CHECK(!done.enrolled && creds_of(&s, "alice") == 0);
		/* the link still works: nothing was spent */
		CHECK(codes_of(&s, "alice") == i + 1);
		CHECK_INT(svc_audit_count(&s, "registration_failure", NULL), fails + 1);
		json_decref(cred);
		free(chal);
		sk_key_free(&k);
	}
	svc_close(&s);
}

static void
one_link_two_tabs(void)
{
	svc s;
	sk_key k1, k2;
	char code[BR_ENROL_CODE_LEN + 1], a[BR_ID_LEN + 1], b[BR_ID_LEN + 1], *ca, *cb;
	br_registration_done done;
	json_t *r1, *r2;

	svc_open(&s, NULL);
	sk_key_new(&k1);
	sk_key_new(&k2);
	svc_enrol_link(&s, "alice", code);
	svc_open_link(&s, "alice", code, a);
	svc_open_link(&s, "alice", code, b);
	ca = svc_reg_challenge(&s, a, &k1);
	cb = svc_reg_challenge(&s, b, &k2);
	r1 = svc_registration(&k1, ca, NULL);
	r2 = svc_registration(&k2, cb, NULL);
	CHECK_INT(br_registration_verify(&s.app, &s.who, a, r1, NULL, &done), BR_RESULT_OK);
	CHECK_INT(br_registration_verify(&s.app, &s.who, b, r2, NULL, &done), BR_RESULT_EXPIRED);
	CHECK_INT(svc_audit_count(&s, "registration_failure", "enrolment_code_used"), 1);
	CHECK(creds_of(&s, "alice") == 1);
	/* and the link opens nothing any more */
	{
		br_enrol_view v;
		CHECK_INT(br_enrol_open_link(&s.app, &s.who, "alice", code, 1, &v), BR_RESULT_LINK_REFUSED);
	}
	json_decref(r1);
	json_decref(r2);
	free(ca);
	free(cb);
	sk_key_free(&k1);
	sk_key_free(&k2);
	svc_close(&s);
}

static void
links_that_open_nothing(void)
{
	svc s;
	br_enrol_view v;
	char code[BR_ENROL_CODE_LEN + 1];

	svc_open(&s, NULL);
	svc_enrol_link(&s, "alice", code);
	CHECK_INT(br_enrol_open_link(&s.app, &s.who, "alice", "WRONGCODE123", 1, &v), BR_RESULT_LINK_REFUSED);
	CHECK_INT(br_enrol_open_link(&s.app, &s.who, "bob", code, 1, &v), BR_RESULT_LINK_REFUSED);      /* alice's code */
	CHECK_INT(br_enrol_open_link(&s.app, &s.who, "nobody", code, 1, &v), BR_RESULT_LINK_REFUSED);
	CHECK_INT(svc_audit_count(&s, "enrolment_link_refused", "bad_code"), 2);
	CHECK_INT(svc_audit_count(&s, "enrolment_link_refused", "unknown_user"), 1);
	/* a disabled account's link */
	svc_enrol_link(&s, "dave", code);
	CHECK_INT(br_enrol_open_link(&s.app, &s.who, "dave", code, 1, &v), BR_RESULT_LINK_REFUSED);
	CHECK_INT(svc_audit_count(&s, "enrolment_link_refused", "disabled"), 1);
	/* an expired one */
	svc_enrol_link(&s, "bob", code);
	s.who.now += 86401;
	CHECK_INT(br_enrol_open_link(&s.app, &s.who, "bob", code, 1, &v), BR_RESULT_LINK_REFUSED);
	/* the directory cannot answer: not the same as a wrong link */
	CHECK(mem_dir_fail_next(s.app.dir, "find_user", 1) == 0);
	CHECK_INT(br_enrol_open_link(&s.app, &s.who, "alice", code, 1, &v), BR_RESULT_UNAVAILABLE);
	svc_close(&s);
}

static void
already_registered(void)
{
	svc s;
	sk_key k;
	char sid[BR_ID_LEN + 1], sid2[BR_ID_LEN + 1], *chal;
	br_registration_done done;
	json_t *cred;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	/* the same authenticator (same id) registered again, from a sign-in session */
	svc_signin_local(&s, &k, sid);
	chal = svc_reg_challenge(&s, sid, &k);
	cred = svc_registration(&k, chal, NULL);
	CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, NULL, &done), BR_RESULT_ALREADY_REGISTERED);
	CHECK(creds_of(&s, "alice") == 1);
	json_decref(cred);
	free(chal);
	/* bob's link with alice's credential id: refused, not moved */
	{
		char code[BR_ENROL_CODE_LEN + 1];
		sk_key clone = k;
		svc_enrol_link(&s, "bob", code);
		svc_open_link(&s, "bob", code, sid2);
		chal = svc_reg_challenge(&s, sid2, &clone);
		cred = svc_registration(&clone, chal, NULL);
		CHECK_INT(br_registration_verify(&s.app, &s.who, sid2, cred, NULL, &done), BR_RESULT_ALREADY_REGISTERED);
		CHECK(creds_of(&s, "bob") == 0 && creds_of(&s, "alice") == 1);
		/* refused before the code was spent: bob's link still works */
		CHECK(codes_of(&s, "bob") == 1);
		CHECK_INT(svc_audit_count(&s, "enrolment_link_used", NULL), 1);
		json_decref(cred);
		free(chal);
	}
	sk_key_free(&k);
	svc_close(&s);
}

static void
failed_add_gives_the_link_back(void)
{
	svc s;
	sk_key k;
	char sid[BR_ID_LEN + 1], *chal;
	br_registration_done done;
	json_t *cred;

	svc_open(&s, NULL);
	chal = begin(&s, "alice", &k, sid);
	cred = svc_registration(&k, chal, NULL);
	/* the code is spent, then the add fails (the directory went away for a moment) */
	CHECK(mem_dir_fail_next(s.app.dir, "add_credential", 1) == 0);
	CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, NULL, &done), BR_RESULT_UNAVAILABLE);
	CHECK(creds_of(&s, "alice") == 0 && codes_of(&s, "alice") == 1);
	CHECK_INT(svc_audit_count(&s, "enrolment_link_restored", NULL), 1);
	/* and the link opens again */
	{
		br_user *u = svc_user(&s, "alice");
		CHECK(u->n_enrolment_codes == 1);
		br_user_free(&u);
	}
	json_decref(cred);
	free(chal);
	sk_key_free(&k);
	svc_close(&s);
}

static void
second_passkey_from_signin_session(void)
{
	svc s;
	sk_key k, k2;
	char sid[BR_ID_LEN + 1], *chal;
	br_registration_done done;
	json_t *cred, *pk = NULL;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	svc_signin_local(&s, &k, sid);
	sk_key_new(&k2);
	chal = svc_reg_challenge(&s, sid, &k2);
	/* the options exclude what alice has, with its transports */
	CHECK_INT(br_registration_options(&s.app, &s.who, sid, &pk), BR_RESULT_OK);
	CHECK(json_array_size(json_object_get(pk, "excludeCredentials")) == 1);
	CHECK(json_array_size(json_object_get(json_array_get(json_object_get(pk, "excludeCredentials"), 0), "transports")) == 1);
	json_decref(pk);
	cred = svc_registration(&k2, chal, NULL);
	CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, "second", &done), BR_RESULT_OK);
	CHECK(!done.enrolled && creds_of(&s, "alice") == 2);
	json_decref(cred);
	free(chal);
	sk_key_free(&k);
	sk_key_free(&k2);
	svc_close(&s);
}

static void
adding_a_passkey_needs_a_fresh_signin(void)
{
	svc s;
	sk_key k, k2;
	char sid[BR_ID_LEN + 1], *chal;
	br_registration_done done;
	json_t *pk = NULL, *cred;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &k);
	svc_signin_local(&s, &k, sid);
	sk_key_new(&k2);
	chal = svc_reg_challenge(&s, sid, &k2);
	cred = svc_registration(&k2, chal, NULL);
	/* six minutes later the session still shows the list, but adds nothing */
	s.who.now += 6 * 60;
	mem_cache_set_now(s.app.cache, s.who.now);
	CHECK_INT(br_registration_options(&s.app, &s.who, sid, &pk), BR_RESULT_REAUTHENTICATE);
	CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, NULL, &done), BR_RESULT_REAUTHENTICATE);
	CHECK(creds_of(&s, "alice") == 1);
	CHECK_INT(svc_audit_count(&s, "registration_failure", "signin_too_old"), 2);
	{
		json_t *list = NULL;
		CHECK_INT(br_passkeys_list(&s.app, &s.who, sid, &list), BR_RESULT_OK);
		json_decref(list);
	}
	/* signed in again: it works */
	svc_signin_local(&s, &k, sid);
	free(chal);
	json_decref(cred);
	chal = svc_reg_challenge(&s, sid, &k2);
	cred = svc_registration(&k2, chal, NULL);
	CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, NULL, &done), BR_RESULT_OK);
	CHECK(creds_of(&s, "alice") == 2);
	json_decref(cred);
	free(chal);
	sk_key_free(&k);
	sk_key_free(&k2);
	svc_close(&s);
}

static void
opening_a_link_starts_nothing(void)
{
	svc s;
	char code[BR_ENROL_CODE_LEN + 1];
	br_enrol_view v;

	svc_open(&s, NULL);
	svc_enrol_link(&s, "alice", code);
	CHECK(mem_cache_count(s.app.cache) == 0);
	CHECK_INT(br_enrol_open_link(&s.app, &s.who, "alice", code, 0, &v), BR_RESULT_OK);
	CHECK(v.session_id[0] == '\0' && strcmp(v.display_name, "Alice Liddell") == 0 && v.expires[0] != '\0');
	br_enrol_view_reset(&v);
	/* only the counters: no session record */
	CHECK(mem_cache_count(s.app.cache) == 2);
	CHECK(codes_of(&s, "alice") == 1);
	svc_close(&s);
}

static void
no_session_no_registration(void)
{
	svc s;
	json_t *pk = NULL, *cred;
	sk_key k;
	br_registration_done done;

	svc_open(&s, NULL);
	sk_key_new(&k);
	CHECK_INT(br_registration_options(&s.app, &s.who, NULL, &pk), BR_RESULT_FORBIDDEN);
	CHECK_INT(br_registration_options(&s.app, &s.who, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &pk), BR_RESULT_FORBIDDEN);
	cred = svc_registration(&k, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
	CHECK_INT(br_registration_verify(&s.app, &s.who, NULL, cred, NULL, &done), BR_RESULT_FORBIDDEN);
	CHECK(pk == NULL);
	json_decref(cred);
	sk_key_free(&k);
	svc_close(&s);
}

static void
password_enrolment(void)
{
	svc s;
	char sid[BR_ID_LEN + 1], pw[32];
	br_user *bob;
	br_enrol_view v;
	int i;

	svc_open(&s, "[enrolment]\nallow_password = true\npassword_attempts = 3\n");
	bob = svc_user(&s, "bob");
	CHECK(mem_dir_set_password(s.app.dir, bob->dn, "correct horse") == 0);
	br_user_free(&bob);
	/* wrong passwords, then the limit, which the right one does not get past */
	for (i = 0; i < 3; i++) {
		strcpy(pw, "wrong");
		CHECK_INT(br_enrol_by_password(&s.app, &s.who, i == 1 ? "BOB" : "bob", pw, sid), BR_RESULT_FAILED);
		CHECK(pw[0] == '\0');   /* wiped */
	}
	strcpy(pw, "correct horse");
	CHECK_INT(br_enrol_by_password(&s.app, &s.who, "bob", pw, sid), BR_RESULT_RATE_LIMITED);
	/* an hour later it works */
	s.who.now += 3600;
	mem_cache_set_now(s.app.cache, s.who.now);
	strcpy(pw, "correct horse");
	CHECK_INT(br_enrol_by_password(&s.app, &s.who, "bob", pw, sid), BR_RESULT_OK);
	CHECK_INT(br_enrol_continue(&s.app, &s.who, sid, &v), BR_RESULT_OK);
	CHECK(strcmp(v.username, "bob") == 0);
	br_enrol_view_reset(&v);
	/* unknown user: the same answer as a wrong password */
	strcpy(pw, "x");
	CHECK_INT(br_enrol_by_password(&s.app, &s.who, "nobody", pw, sid), BR_RESULT_FAILED);
	/* fails closed when the counter cannot be read */
	mem_cache_fail_next(s.app.cache, 3);
	strcpy(pw, "correct horse");
	CHECK_INT(br_enrol_by_password(&s.app, &s.who, "bob", pw, sid), BR_RESULT_RATE_LIMITED);
	svc_close(&s);
}

static void
password_enrolment_off_by_default(void)
{
	svc s;
	char sid[BR_ID_LEN + 1], pw[] = "x";

	svc_open(&s, NULL);
	CHECK_INT(br_enrol_by_password(&s.app, &s.who, "bob", pw, sid), BR_RESULT_NOT_ENABLED);
	svc_close(&s);
}

static void
password_enrolment_first_passkey_only(void)
{
	svc s;
	sk_key k;
	char sid[BR_ID_LEN + 1], pw[32];
	br_user *alice;

	svc_open(&s, "[enrolment]\nallow_password = true\n");
	svc_enrol(&s, "alice", &k);
	alice = svc_user(&s, "alice");
	CHECK(mem_dir_set_password(s.app.dir, alice->dn, "pw") == 0);
	br_user_free(&alice);
	strcpy(pw, "pw");
	CHECK_INT(br_enrol_by_password(&s.app, &s.who, "alice", pw, sid), BR_RESULT_HAS_PASSKEYS);
	sk_key_free(&k);
	svc_close(&s);
}

/* ---- FIDO metadata ([attestation] mds_file) ---- */

/* A stored payload (what bridgectl mds import writes) with one entry; the path is static. */
static const char *
mds_file(const char *aaguid, const char *statuses)
{
	static char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/svc-mds-%ld.json", (long)getpid());
	CHECK((f = fopen(path, "w")) != NULL);
	fprintf(f, "{\"no\":3,\"nextUpdate\":\"2030-01-01\",\"entries\":[{\"aaguid\":\"%s\","
	    "\"metadataStatement\":{\"description\":\"Model\"},\"statusReports\":[%s]}]}", aaguid, statuses);
	CHECK(fclose(f) == 0);
	return path;
}

static char *
mds_conf(const char *path, const char *more)
{
	static char conf[512];

	snprintf(conf, sizeof(conf), "[attestation]\nmds_file = %s\n%s", path, more);
	return conf;
}

static void
revoked_model_refused_link_kept(void)
{
	svc s;
	sk_key k;
	char sid[BR_ID_LEN + 1], code[BR_ENROL_CODE_LEN + 1], *chal;
	br_registration_done done;
	json_t *cred;
	const char *path;

	sk_key_new(&k);
	path = mds_file(k.aaguid_text, "{\"status\":\"FIDO_CERTIFIED_L1\"},{\"status\":\"REVOKED\",\"effectiveDate\":\"2025-01-01\"}");
	svc_open(&s, mds_conf(path, ""));
	svc_enrol_link(&s, "alice", code);
	svc_open_link(&s, "alice", code, sid);
	chal = svc_reg_challenge(&s, sid, &k);
	cred = svc_registration(&k, chal, NULL);
	CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, NULL, &done), BR_RESULT_AUTHENTICATOR_REFUSED);
	CHECK(strcmp(br_result_code(BR_RESULT_AUTHENTICATOR_REFUSED), "authenticator_refused") == 0);
	CHECK_INT(creds_of(&s, "alice"), 0);
	CHECK_INT(codes_of(&s, "alice"), 1);     /* refused before the link was spent */
	CHECK_INT(svc_audit_count(&s, "registration_failure", "mds_status_REVOKED"), 1);
	json_decref(cred);
	free(chal);
	sk_key_free(&k);
	svc_close(&s);
	unlink(path);
}

static void
metadata_rules_and_reload(void)
{
	svc s;
	sk_key k, k2;
	char sid[BR_ID_LEN + 1], *chal;
	br_registration_done done;
	json_t *cred;
	const char *path;
	char err[256];

	sk_key_new(&k);
	/* an unlisted model, with mds_require_entry: refused */
	path = mds_file("00000000-0000-0000-0000-0000000000aa", "");
	svc_open(&s, mds_conf(path, "mds_require_entry = true\n"));
	chal = begin(&s, "alice", &k2, sid);
	cred = svc_registration(&k2, chal, NULL);
	CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, NULL, &done), BR_RESULT_AUTHENTICATOR_REFUSED);
	CHECK_INT(svc_audit_count(&s, "registration_failure", "mds_no_entry"), 1);
	json_decref(cred);
	free(chal);
	/* SIGHUP: the model is now listed and certified: the same link (not spent) now works */
	mds_file(k2.aaguid_text, "{\"status\":\"FIDO_CERTIFIED_L2\"}");
	CHECK_INT(br_app_reload_metadata(&s.app, err, sizeof(err)), 0);
	CHECK_INT(s.app.mds->no, 3);
	chal = svc_reg_challenge(&s, sid, &k2);
	cred = svc_registration(&k2, chal, NULL);
	CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, NULL, &done), BR_RESULT_OK);
	CHECK_INT(creds_of(&s, "alice"), 1);
	json_decref(cred);
	free(chal);
	/* a broken file on reload: refused, the loaded metadata stays */
	{
		FILE *f = fopen(path, "w");

		CHECK(f != NULL && fputs("{\"no\":", f) >= 0 && fclose(f) == 0);
	}
	CHECK_INT(br_app_reload_metadata(&s.app, err, sizeof(err)), -1);
	CHECK(strstr(err, "mds_file") != NULL && s.app.mds != NULL && s.app.mds->n == 1);
	sk_key_free(&k);
	sk_key_free(&k2);
	svc_close(&s);
	unlink(path);
}

static void
metadata_min_level(void)
{
	svc s;
	sk_key k;
	char sid[BR_ID_LEN + 1], code[BR_ENROL_CODE_LEN + 1], *chal;
	br_registration_done done;
	json_t *cred;
	const char *path;

	sk_key_new(&k);
	path = mds_file(k.aaguid_text, "{\"status\":\"FIDO_CERTIFIED_L1\"}");
	svc_open(&s, mds_conf(path, "mds_min_level = L2\n"));
	svc_enrol_link(&s, "alice", code);
	svc_open_link(&s, "alice", code, sid);
	chal = svc_reg_challenge(&s, sid, &k);
	cred = svc_registration(&k, chal, NULL);
	CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, NULL, &done), BR_RESULT_AUTHENTICATOR_REFUSED);
	CHECK_INT(svc_audit_count(&s, "registration_failure", "mds_certification_level"), 1);
	json_decref(cred);
	free(chal);
	sk_key_free(&k);
	svc_close(&s);
	unlink(path);
}

/* ---- authenticator policies ([policy NAME]) ---- */

static br_result
register_as(svc *s, const char *user, uint8_t flags, sk_key *k)
{
	char sid[BR_ID_LEN + 1], *chal;
	br_registration_done done;
	sk_reg_opts o;
	json_t *cred;
	br_result r;

	memset(&o, 0, sizeof(o));
	o.flags_set = 1;
	o.flags = flags;
	chal = begin(s, user, k, sid);
	cred = svc_registration(k, chal, &o);
	r = br_registration_verify(&s->app, &s->who, sid, cred, NULL, &done);
	json_decref(cred);
	free(chal);
	return r;
}

static void
policy_device_bound_by_attribute(void)
{
	svc s;
	sk_key k;

	/* match lines are alternatives, each taken whole */
	svc_open(&s, "[policy admins]\nmatch = uid=nobody,uid=alice\nmatch = uid=alice\ndevice_bound = true\n");
	CHECK(s.app.cfg.n_auth_policies == 1 && s.app.cfg.auth_policies[0].match.n == 2 &&
	    strcmp(s.app.cfg.auth_policies[0].match.v[0], "uid=nobody,uid=alice") == 0);
	/* alice's policy: a passkey that may be synced is refused, a device-bound one is not */
	CHECK_INT(register_as(&s, "alice", SK_UP | SK_UV | SK_AT | SK_BE | SK_BS, &k), BR_RESULT_AUTHENTICATOR_REFUSED);
	sk_key_free(&k);
	CHECK_INT(creds_of(&s, "alice"), 0);
	CHECK_INT(codes_of(&s, "alice"), 1);
	CHECK_INT(svc_audit_count(&s, "registration_failure", "policy_synced"), 1);
	{
		json_t *ev = svc_audit_last(&s, "registration_failure");

		CHECK(ev != NULL && strcmp(json_string_value(json_object_get(ev, "policy")), "admins") == 0);
		json_decref(ev);
	}
	CHECK_INT(register_as(&s, "alice", SK_UP | SK_UV | SK_AT, &k), BR_RESULT_OK);
	sk_key_free(&k);
	/* bob matches no policy: synced is fine */
	CHECK_INT(register_as(&s, "bob", SK_UP | SK_UV | SK_AT | SK_BE | SK_BS, &k), BR_RESULT_OK);
	sk_key_free(&k);
	svc_close(&s);
}

static void
policy_models_formats_attestation(void)
{
	svc s;
	sk_key k;
	char conf[512];

	sk_key_new(&k);
	snprintf(conf, sizeof(conf), "[policy deny]\nmatch = uid=alice\naaguid_deny = %s\n"
	    "[policy fmt]\nmatch = uid=bob\nformats = packed, tpm\n"
	    "[policy default]\nattestation_required = true\n", k.aaguid_text);
	sk_key_free(&k);
	svc_open(&s, conf);
	CHECK_INT(register_as(&s, "alice", SK_UP | SK_UV | SK_AT, &k), BR_RESULT_AUTHENTICATOR_REFUSED);
	sk_key_free(&k);
	CHECK_INT(svc_audit_count(&s, "registration_failure", "policy_aaguid"), 1);
	/* the soft key attests with "none" */
	CHECK_INT(register_as(&s, "bob", SK_UP | SK_UV | SK_AT, &k), BR_RESULT_AUTHENTICATOR_REFUSED);
	sk_key_free(&k);
	CHECK_INT(svc_audit_count(&s, "registration_failure", "policy_format"), 1);
	svc_close(&s);
}

static void
policy_hints_in_options(void)
{
	svc s;
	sk_key k;
	char sid[BR_ID_LEN + 1], code[BR_ENROL_CODE_LEN + 1];
	json_t *pk = NULL, *h;

	svc_open(&s, "[webauthn]\nhints = client-device, hybrid\n[policy admins]\nmatch = uid=alice\nhints = security-key\n");
	sk_key_new(&k);
	svc_enrol_link(&s, "alice", code);
	svc_open_link(&s, "alice", code, sid);
	CHECK_INT(br_registration_options(&s.app, &s.who, sid, &pk), BR_RESULT_OK);
	h = json_object_get(pk, "hints");
	CHECK(json_array_size(h) == 1 && strcmp(json_string_value(json_array_get(h, 0)), "security-key") == 0);
	json_decref(pk);
	svc_enrol_link(&s, "bob", code);
	svc_open_link(&s, "bob", code, sid);
	CHECK_INT(br_registration_options(&s.app, &s.who, sid, &pk), BR_RESULT_OK);
	h = json_object_get(pk, "hints");
	CHECK(json_array_size(h) == 2 && strcmp(json_string_value(json_array_get(h, 1)), "hybrid") == 0);
	json_decref(pk);
	sk_key_free(&k);
	svc_close(&s);
}

static void
policy_mfa_verdict(void)
{
	br_config c;
	br_auth_policy strict, synced_ok, off;
	br_credential_record bound, synced;
	char err[256];

	CHECK_INT(br_config_defaults(&c, err, sizeof(err)), 0);
	memset(&strict, 0, sizeof(strict));
	memset(&bound, 0, sizeof(bound));
	strict.mfa = 1;
	strict.device_bound = 1;
	synced_ok = strict;
	synced_ok.device_bound = 0;
	synced_ok.mfa_synced = 1;
	off = synced_ok;
	off.mfa = 0;
	snprintf(bound.aaguid, sizeof(bound.aaguid), "ee882879-721c-4913-9775-3dfcce97072a");
	snprintf(bound.fmt, sizeof(bound.fmt), "packed");
	synced = bound;
	synced.backup_eligible = 1;
	CHECK(br_policy_mfa(&c, NULL, 1, &bound) && !br_policy_mfa(&c, NULL, 1, &synced) && !br_policy_mfa(&c, NULL, 0, &bound));
	CHECK(br_policy_mfa(&c, &strict, 1, &bound) && !br_policy_mfa(&c, &strict, 1, &synced));
	CHECK(br_policy_mfa(&c, &synced_ok, 1, &synced) && !br_policy_mfa(&c, &synced_ok, 0, &synced));
	CHECK(!br_policy_mfa(&c, &off, 1, &bound));
	/* a model the policy now denies is no longer multi-factor */
	CHECK(br_config_list_parse("EE882879-721C-4913-9775-3DFCCE97072A", &strict.aaguid_deny) == 0);
	CHECK(!br_policy_mfa(&c, &strict, 1, &bound));
	br_config_list_free(&strict.aaguid_deny);
	br_config_free(&c);
}

static void
policy_config_errors(void)
{
	static const char *const bad[] = {
		"[policy x]\ndevice_bound = true\n",                       /* no match */
		"[policy x]\nmatch = nosuchattr=1\n",                      /* attribute not read */
		"[policy x]\nmatch = uid=a\naaguid_allow = nope\n",
		"[policy x]\nmatch = uid=a\nhints = usb\n",
		"[policy x]\nmatch = uid=a\nfrobnicate = 1\n",
		"[policy x]\nmatch =\n",                                   /* an empty match line */
		"[policy Bad Name]\nmatch = uid=a\n",
		"[webauthn]\nhints = nfc\n",
	};
	char path[] = "/tmp/policy-conf-XXXXXX", err[512];
	size_t i;
	br_config c;
	int fd;
	FILE *f;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK((fd = mkstemp(path)) >= 0 && (f = fdopen(fd, "w")) != NULL);
		fprintf(f, "[webauthn]\nrp_id = example.edu\norigins = https://login.example.edu\n%s", bad[i]);
		CHECK(fclose(f) == 0);
		err[0] = '\0';
		CHECK(br_config_load(path, &c, err, sizeof(err)) < 0 || (br_config_check(&c, err, sizeof(err)) < 0 && (br_config_free(&c), 1)));
		CHECK(strstr(err, "policy") != NULL || strstr(err, "hints") != NULL);
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	}
}

/* ---- names ([webauthn] aaguid_names_file, metadata descriptions, the kind) ---- */

static void
names_in_nickname_audit_and_list(void)
{
	svc s;
	sk_key k, other;
	char conf[256], sid[BR_ID_LEN + 1], session[BR_ID_LEN + 1], *chal, path[64];
	br_registration_done done;
	json_t *cred, *ev, *list, *pk;
	br_user *u;
	FILE *f;
	size_t i;
	int seen_named = 0, seen_kind = 0;

	sk_key_new(&k);
	snprintf(path, sizeof(path), "/tmp/svc-names-%ld.json", (long)getpid());
	CHECK((f = fopen(path, "w")) != NULL);
	fprintf(f, "{\"%s\":{\"name\":\"Example Key 5\"}}", k.aaguid_text);
	CHECK(fclose(f) == 0);
	snprintf(conf, sizeof(conf), "[webauthn]\naaguid_names_file = %s\n", path);
	svc_open(&s, conf);
	/* no nickname given: the model's name is the nickname, and the audit line names the model */
	{
		char code[BR_ENROL_CODE_LEN + 1];

		svc_enrol_link(&s, "alice", code);
		svc_open_link(&s, "alice", code, sid);
	}
	chal = svc_reg_challenge(&s, sid, &k);
	cred = svc_registration(&k, chal, NULL);
	CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, NULL, &done), BR_RESULT_OK);
	json_decref(cred);
	free(chal);
	u = svc_user(&s, "alice");
	CHECK(u->n_creds == 1 && u->creds[0].nickname != NULL && strcmp(u->creds[0].nickname, "Example Key 5") == 0);
	br_user_free(&u);
	ev = svc_audit_last(&s, "registration");
	CHECK(ev != NULL && strcmp(json_string_value(json_object_get(ev, "authenticator")), "Example Key 5") == 0);
	json_decref(ev);
	/* a second passkey of a model nobody names, synced: shown as a passkey, not "unknown" */
	{
		char code[BR_ENROL_CODE_LEN + 1];
		sk_reg_opts o;

		memset(&o, 0, sizeof(o));
		o.flags_set = 1;
		o.flags = SK_UP | SK_UV | SK_AT | SK_BE | SK_BS;
		sk_key_new(&other);
		memset(other.aaguid, 0x42, 16);
		snprintf(other.aaguid_text, sizeof(other.aaguid_text), "42424242-4242-4242-4242-424242424242");
		svc_enrol_link(&s, "alice", code);
		svc_open_link(&s, "alice", code, sid);
		chal = svc_reg_challenge(&s, sid, &other);
		cred = svc_registration(&other, chal, &o);
		CHECK_INT(br_registration_verify(&s.app, &s.who, sid, cred, "Phone", &done), BR_RESULT_OK);
		json_decref(cred);
		free(chal);
	}
	/* the page's guess ("Chrome on Linux") gives way to the model's name; a name the user typed does not */
	{
		char code[BR_ENROL_CODE_LEN + 1];
		sk_key a, b;
		unsigned i2;

		for (i2 = 0; i2 < 2; i2++) {
			sk_key *kk = i2 == 0 ? &a : &b;

			sk_key_new(kk);
			memcpy(kk->aaguid, k.aaguid, 16);
			svc_enrol_link(&s, "bob", code);
			svc_open_link(&s, "bob", code, sid);
			chal = svc_reg_challenge(&s, sid, kk);
			cred = svc_registration(kk, chal, NULL);
			{
				br_registration_opts ro = { "Chrome on Linux", i2 == 0, 0 };

				CHECK_INT(br_registration_verify_opts(&s.app, &s.who, sid, cred, &ro, &done), BR_RESULT_OK);
			}
			json_decref(cred);
			free(chal);
		}
		u = svc_user(&s, "bob");
		CHECK(u->n_creds == 2);
		CHECK((strcmp(u->creds[0].nickname, "Example Key 5") == 0 && strcmp(u->creds[1].nickname, "Chrome on Linux") == 0) ||
		    (strcmp(u->creds[1].nickname, "Example Key 5") == 0 && strcmp(u->creds[0].nickname, "Chrome on Linux") == 0));
		br_user_free(&u);
		sk_key_free(&a);
		sk_key_free(&b);
	}
	svc_signin_local(&s, &k, session);
	CHECK_INT(br_passkeys_list(&s.app, &s.who, session, &list), BR_RESULT_OK);
	json_array_foreach(json_object_get(list, "passkeys"), i, pk) {
		const char *a = json_string_value(json_object_get(pk, "authenticator"));

		if (a != NULL && strcmp(a, "Example Key 5") == 0 && json_is_false(json_object_get(pk, "authenticator_generic")))
			seen_named++;
		if (a != NULL && strcmp(a, "Passkey") == 0 && json_is_true(json_object_get(pk, "authenticator_generic")) &&
		    strcmp(json_string_value(json_object_get(pk, "authenticator_kind")), "passkey") == 0)
			seen_kind++;
	}
	CHECK_INT(seen_named, 1);
	CHECK_INT(seen_kind, 1);
	json_decref(list);
	sk_key_free(&k);
	sk_key_free(&other);
	svc_close(&s);
	unlink(path);
}

/* ---- conditional create (WebAuthn L3 automatic passkey upgrade) ---- */

static char *
conditional_challenge(svc *s, const char *sid, sk_key *k, br_result want)
{
	json_t *pk = NULL;
	char *chal = NULL;

	CHECK_INT(br_registration_options_ext(&s->app, &s->who, sid, 1, &pk), want);
	if (want != BR_RESULT_OK)
		return NULL;
	CHECK(sk_key_set_user_handle(k, json_string_value(json_object_get(json_object_get(pk, "user"), "id"))) == 0);
	chal = strdup(json_string_value(json_object_get(pk, "challenge")));
	json_decref(pk);
	return chal;
}

static void
conditional_create(void)
{
	svc s;
	sk_key first, k;
	char session[BR_ID_LEN + 1], sid[BR_ID_LEN + 1], code[BR_ENROL_CODE_LEN + 1], *chal;
	br_registration_done done;
	br_registration_opts cond = { NULL, 0, 1 }, plain = { NULL, 0, 0 };
	sk_reg_opts o;
	json_t *cred;

	svc_open(&s, NULL);
	svc_enrol(&s, "alice", &first);
	svc_signin_local(&s, &first, session);
	memset(&o, 0, sizeof(o));
	o.flags_set = 1;
	o.flags = SK_UV | SK_AT;        /* no user presence: made without a gesture */

	/* without presence, a plain registration is refused */
	sk_key_new(&k);
	chal = svc_reg_challenge(&s, session, &k);
	cred = svc_registration(&k, chal, &o);
	CHECK_INT(br_registration_verify_opts(&s.app, &s.who, session, cred, &plain, &done), BR_RESULT_FAILED);
	CHECK_INT(svc_audit_count(&s, "registration_failure", "user_presence"), 1);
	json_decref(cred);
	free(chal);
	/* a plain challenge cannot be answered as a conditional one */
	chal = svc_reg_challenge(&s, session, &k);
	cred = svc_registration(&k, chal, &o);
	CHECK(br_registration_verify_opts(&s.app, &s.who, session, cred, &cond, &done) != BR_RESULT_OK);
	json_decref(cred);
	free(chal);
	CHECK_INT(creds_of(&s, "alice"), 1);
	/* a conditional challenge from a fresh sign-in: the passkey is added */
	chal = conditional_challenge(&s, session, &k, BR_RESULT_OK);
	cred = svc_registration(&k, chal, &o);
	CHECK_INT(br_registration_verify_opts(&s.app, &s.who, session, cred, &cond, &done), BR_RESULT_OK);
	CHECK_INT(creds_of(&s, "alice"), 2);
	json_decref(cred);
	free(chal);
	sk_key_free(&k);
	/* an enrolment link proves no password was just used: no conditional create there */
	sk_key_new(&k);
	svc_enrol_link(&s, "bob", code);
	svc_open_link(&s, "bob", code, sid);
	CHECK(conditional_challenge(&s, sid, &k, BR_RESULT_BAD_REQUEST) == NULL);
	sk_key_free(&k);
	sk_key_free(&first);
	svc_close(&s);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(enrol_with_link),
		UNIT_CASE(nickname_c1_control_keeps_the_link),
		UNIT_CASE(registration_rejections),
		UNIT_CASE(one_link_two_tabs),
		UNIT_CASE(links_that_open_nothing),
		UNIT_CASE(already_registered),
		UNIT_CASE(failed_add_gives_the_link_back),
		UNIT_CASE(second_passkey_from_signin_session),
		UNIT_CASE(adding_a_passkey_needs_a_fresh_signin),
		UNIT_CASE(opening_a_link_starts_nothing),
		UNIT_CASE(no_session_no_registration),
		UNIT_CASE(password_enrolment),
		UNIT_CASE(password_enrolment_off_by_default),
		UNIT_CASE(password_enrolment_first_passkey_only),
		UNIT_CASE(revoked_model_refused_link_kept),
		UNIT_CASE(metadata_rules_and_reload),
		UNIT_CASE(metadata_min_level),
		UNIT_CASE(policy_device_bound_by_attribute),
		UNIT_CASE(policy_models_formats_attestation),
		UNIT_CASE(policy_hints_in_options),
		UNIT_CASE(policy_mfa_verdict),
		UNIT_CASE(policy_config_errors),
		UNIT_CASE(names_in_nickname_audit_and_list),
		UNIT_CASE(conditional_create),
	};

	return unit_run("registration_service", cases, UNIT_N(cases));
}
