#include "registration.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/b64url.h"
#include "../core/credential_json.h"
#include "../core/text.h"
#include "../core/transport.h"
#include "authn_policy.h"
#include "challenge.h"
#include "events.h"
#include "ratelimit.h"
#include "random.h"
#include "session.h"

/* The metadata's part in one registration: the entry's roots for the chain, then the model's verdict. */
struct mds_use {
	br_app *app;
	br_trust *owned;        /* anchors built for this model */
	int locked;
};

static int
mds_trust_for(void *arg, const unsigned char aaguid[BR_AAGUID_LEN], const br_trust **out)
{
	struct mds_use *u = arg;
	const br_mds_entry *e = br_mds_find(u->app->mds, aaguid);

	br_trust_free(&u->owned);
	return br_mds_trust_for(u->app->trust, e, out, &u->owned);
}

/* Hold the metadata for the ceremony: a SIGHUP swap waits, the entry stays valid. */
static void
mds_hold(struct mds_use *u)
{
	if (u->app->mds_lock_ready && pthread_rwlock_rdlock(&u->app->mds_lock) == 0)
		u->locked = 1;
}

static void
mds_release(struct mds_use *u)
{
	br_trust_free(&u->owned);
	if (u->locked)
		pthread_rwlock_unlock(&u->app->mds_lock);
	u->locked = 0;
}

/* NULL when the model may register; else the reason for the audit line. */
static const char *
mds_verdict(const struct mds_use *u, const br_reg_result *rr, char *buf, size_t cap)
{
	if (!u->locked || u->app->mds == NULL)
		return NULL;
	return br_mds_refusal(br_mds_find(u->app->mds, rr->aaguid), &u->app->mds_rules, buf, cap);
}

/* An enrolment session or a signed-in one, with its user loaded. */
static br_result
registering(br_app *app, const br_caller *who, const char *session_id, br_session *s, br_user **user)
{
	br_dir_rc rc;

	if (br_session_load(app, session_id, BR_SESSION_ENROL | BR_SESSION_SIGNIN, who->now, s) != BR_CACHE_OK)
		return BR_RESULT_FORBIDDEN;
	/* a session left open, or stolen, must not add a passkey long after its sign-in */
	if (s->kind == BR_SESSION_SIGNIN && who->now - s->auth_instant > app->cfg.enrolment_fresh_signin_s) {
		br_event(app, who, "registration_failure", "signin_too_old", json_pack("{s:s}", "username", s->username));
		return BR_RESULT_REAUTHENTICATE;
	}
	if ((rc = br_dir_find_user(app->dir, s->username, user)) != BR_DIR_OK)
		return br_result_of_dir(rc, BR_RESULT_UNKNOWN_ACCOUNT);
	return (*user)->disabled ? BR_RESULT_ACCOUNT_DISABLED : BR_RESULT_OK;
}

/* A first passkey: a random, opaque handle, never the username. */
static br_result
ensure_handle(br_app *app, const br_session *s, br_user **user)
{
	unsigned char h[32];
	br_dir_rc rc;

	if ((*user)->user_handle.len > 0)
		return BR_RESULT_OK;
	if (br_random_bytes(h, sizeof(h)) < 0)
		return BR_RESULT_INTERNAL;
	rc = br_dir_set_user_handle(app->dir, *user, h, sizeof(h));
	/* EXISTS: another tab gave it one first; read it back either way */
	if (rc != BR_DIR_OK && rc != BR_DIR_EXISTS)
		return BR_RESULT_UNAVAILABLE;
	br_user_free(user);
	if (br_dir_find_user(app->dir, s->username, user) != BR_DIR_OK || (*user)->user_handle.len == 0)
		return BR_RESULT_UNAVAILABLE;
	return BR_RESULT_OK;
}

static json_t *
cred_params(const br_app *app)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < app->cfg.n_algs; i++)
		json_array_append_new(a, json_pack("{s:s, s:i}", "type", "public-key", "alg", app->cfg.algs[i]));
	return a;
}

/* [{"type":"public-key","id":…,"transports":[…]}]: the user's credentials, so none is made twice. */
static json_t *
exclude_list(const br_user *u)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < u->n_creds; i++) {
		char *id = br_b64url_encode_alloc(u->creds[i].id.ptr, u->creds[i].id.len);
		json_t *d = json_pack("{s:s, s:s?}", "type", "public-key", "id", id);

		if (d != NULL && u->creds[i].transports != 0)
			json_object_set_new(d, "transports", br_transports_to_json(u->creds[i].transports));
		json_array_append_new(arr, d);
		free(id);
	}
	return arr;
}

br_result
br_registration_options(br_app *app, const br_caller *who, const char *session_id, json_t **public_key)
{
	return br_registration_options_ext(app, who, session_id, 0, public_key);
}

br_result
br_registration_options_ext(br_app *app, const br_caller *who, const char *session_id, int conditional,
    json_t **public_key)
{
	br_session s;
	br_user *user = NULL;
	char chal[BR_ID_LEN + 1], *handle = NULL;
	br_result r;
	const char *rk = br_resident_key_name(app->cfg.resident_key);

	*public_key = NULL;
	memset(&s, 0, sizeof(s));
	if ((r = br_rate_address(app, who)) != BR_RESULT_OK || (r = registering(app, who, session_id, &s, &user)) != BR_RESULT_OK)
		goto out;
	/* a passkey made without a gesture only right after the user proved who they are */
	if (conditional && s.kind == BR_SESSION_ENROL && s.code != NULL) {
		r = BR_RESULT_BAD_REQUEST;
		goto out;
	}
	if ((r = ensure_handle(app, &s, &user)) != BR_RESULT_OK ||
	    (r = br_challenge_issue(app, conditional ? BR_CHALLENGE_REGISTER_CONDITIONAL : BR_CHALLENGE_REGISTER, s.id, NULL,
		who->now, chal)) != BR_RESULT_OK)
		goto out;
	if ((handle = br_b64url_encode_alloc(user->user_handle.ptr, user->user_handle.len)) == NULL) {
		r = BR_RESULT_INTERNAL;
		goto out;
	}
	*public_key = json_pack("{s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:o, s:i, s:o, s:{s:s, s:b, s:s}, s:s, s:{s:b}}",
	    "rp", "id", app->cfg.rp_id, "name", app->cfg.rp_name,
	    "user", "id", handle, "name", user->username, "displayName", br_user_display_name(user),
	    "challenge", chal,
	    "pubKeyCredParams", cred_params(app),
	    "timeout", app->cfg.ceremony_timeout_s * 1000,
	    "excludeCredentials", exclude_list(user),
	    "authenticatorSelection", "residentKey", rk, "requireResidentKey", app->cfg.resident_key == BR_RESIDENT_KEY_REQUIRED,
	    "userVerification", br_uv_policy_name(app->cfg.user_verification),
	    "attestation", br_attestation_name(app->cfg.attestation),
	    "extensions", "credProps", 1);
	if (*public_key == NULL) {
		r = BR_RESULT_INTERNAL;
		goto out;
	}
	/* WebAuthn L3 hints: the user's policy's, else the configuration's */
	{
		const br_auth_policy *pol = br_policy_of(&app->cfg, user);
		const br_strlist *h = pol != NULL && pol->hints.n > 0 ? &pol->hints : &app->cfg.hints;
		json_t *arr;
		size_t i;

		if (h->n > 0) {
			if ((arr = json_array()) == NULL || json_object_set_new(*public_key, "hints", arr) != 0) {
				r = BR_RESULT_INTERNAL;
				goto out;
			}
			for (i = 0; i < h->n; i++)
				json_array_append_new(arr, json_string(h->v[i]));
		}
	}
out:
	if (r != BR_RESULT_OK) {
		json_decref(*public_key);
		*public_key = NULL;
	}
	free(handle);
	br_user_free(&user);
	br_session_reset(&s);
	return r;
}

/*
 * A credential id is public (allowCredentials names it), so one already
 * registered, to anyone, is refused before the enrolment code is spent.
 */
static br_result
check_new(br_app *app, const br_caller *who, const br_user *user, const br_reg_result *rr)
{
	br_user *owner = NULL;
	br_dir_rc rc = br_dir_find_for_signin(app->dir, rr->credential_id.ptr, rr->credential_id.len, NULL, 0, &owner);

	br_user_free(&owner);
	if (rc == BR_DIR_NOT_FOUND)
		return BR_RESULT_OK;
	(rc == BR_DIR_ERROR ? br_event_store : br_event)(app, who, "registration_failure",
	    rc == BR_DIR_ERROR ? "directory_error" : "already_registered", json_pack("{s:s}", "username", user->username));
	return rc == BR_DIR_ERROR ? BR_RESULT_UNAVAILABLE : BR_RESULT_ALREADY_REGISTERED;
}

/* The one-time code of an enrolment by link: spent before the passkey exists, so two tabs cannot both enrol. */
static br_result
spend_code(br_app *app, const br_caller *who, const br_session *s, const br_user *user)
{
	br_dir_rc rc;

	if (s->kind != BR_SESSION_ENROL)
		return BR_RESULT_OK;
	if (s->code == NULL) {
		/* enrolment by password is for a first passkey only */
		if (user->n_creds == 0)
			return BR_RESULT_OK;
		br_event(app, who, "registration_failure", "has_passkeys", json_pack("{s:s}", "username", user->username));
		return BR_RESULT_HAS_PASSKEYS;
	}
	if ((rc = br_dir_remove_enrolment_code(app->dir, user, s->code)) != BR_DIR_OK) {
		(rc == BR_DIR_ERROR ? br_event_store : br_event)(app, who, "registration_failure",
		    rc == BR_DIR_NOT_FOUND ? "enrolment_code_used" : "directory_error", json_pack("{s:s}", "username", user->username));
		return br_result_of_dir(rc, BR_RESULT_EXPIRED);
	}
	br_event(app, who, "enrolment_link_used", NULL, json_pack("{s:s}", "username", user->username));
	return BR_RESULT_OK;
}

static br_result
store_credential(br_app *app, const br_caller *who, const br_user *user, const br_reg_result *rr,
    unsigned transports, const char *nickname, int nickname_is_guess)
{
	br_credential_record rec;
	char cid[1400], name[4 * BR_NAME_CHARS_MAX + 1];
	br_dir_rc rc;
	int generic = 1;

	memset(&rec, 0, sizeof(rec));
	rec.id = rr->credential_id;
	rec.public_key = rr->public_key_cose;
	rec.sign_count = rr->sign_count;
	br_aaguid_format(rr->aaguid, rec.aaguid);
	rec.transports = transports;
	snprintf(rec.fmt, sizeof(rec.fmt), "%s", rr->fmt);
	rec.backup_eligible = rr->be;
	rec.backup_state = rr->bs;
	rec.user_verified = rr->uv;
	rec.created = who->now;
	rec.nickname = (char *)nickname;
	if (app->mds_lock_ready)
		pthread_rwlock_rdlock(&app->mds_lock);
	br_name_resolve(app->names, app->mds, rec.aaguid, rr->be, name, sizeof(name), &generic, NULL, NULL);
	if (app->mds_lock_ready)
		pthread_rwlock_unlock(&app->mds_lock);
	/* no nickname given: the model's name, when one is known, is a better start than nothing */
	if ((rec.nickname == NULL || nickname_is_guess) && !generic && br_nickname_ok(name))
		rec.nickname = name;
	br_b64url_encode(rr->credential_id.ptr, rr->credential_id.len > 1023 ? 1023 : rr->credential_id.len, cid);
	if ((rc = br_dir_add_credential(app->dir, user, &rec)) != BR_DIR_OK) {
		(rc == BR_DIR_ERROR ? br_event_store : br_event)(app, who, "registration_failure",
		    rc == BR_DIR_EXISTS ? "already_registered" : rc == BR_DIR_INVALID ? "invalid" : "directory_error",
		    json_pack("{s:s, s:s}", "username", user->username, "credential_id", cid));
		return br_result_of_dir(rc, BR_RESULT_UNAVAILABLE);
	}
	br_event(app, who, "registration", NULL, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b}",
	    "username", user->username, "credential_id", cid, "fmt", rr->fmt, "attestation_type", br_att_type_name(rr->att_type),
	    "aaguid", rec.aaguid, "authenticator", name, "uv", rr->uv, "be", rr->be, "bs", rr->bs));
	return BR_RESULT_OK;
}

/*
 * The enrolment session ends; the "ready" page's session remembers when the
 * passkey was proven, for "Go to My passkeys" (br_enrol_to_passkeys).
 */
static br_result
end_enrolment(br_app *app, const br_caller *who, br_session *s, const br_user *user, br_registration_done *out)
{
	br_session next;

	memset(&next, 0, sizeof(next));
	br_session_end(app, s->id);
	next.kind = BR_SESSION_ENROLLED;
	next.username = user->username;
	next.display_name = (char *)br_user_display_name(user);
	next.auth_instant = who->now;
	out->enrolled = 1;
	/* the passkey is stored: a lost "ready" page is no failure, the cookie is then cleared */
	if (br_session_start(app, &next, who->now) == BR_CACHE_OK)
		memcpy(out->session_id, next.id, sizeof(next.id));
	return BR_RESULT_OK;
}

br_result
br_registration_verify(br_app *app, const br_caller *who, const char *session_id, const json_t *credential,
    const char *nickname, br_registration_done *out)
{
	br_registration_opts o = { nickname, 0, 0 };

	return br_registration_verify_opts(app, who, session_id, credential, &o, out);
}

br_result
br_registration_verify_opts(br_app *app, const br_caller *who, const char *session_id, const json_t *credential,
    const br_registration_opts *o, br_registration_done *out)
{
	const char *nickname = o->nickname;
	int nickname_is_guess = o->nickname_is_guess;
	br_session s;
	br_credential_json cred;
	br_challenge chal;
	br_reg_result rr;
	br_user *user = NULL;
	br_result r;
	br_err e;
	struct mds_use mu;
	char why_buf[64];
	const char *why;

	memset(&s, 0, sizeof(s));
	memset(&cred, 0, sizeof(cred));
	memset(&chal, 0, sizeof(chal));
	memset(&rr, 0, sizeof(rr));
	memset(out, 0, sizeof(*out));
	memset(&mu, 0, sizeof(mu));
	mu.app = app;
	if (nickname != NULL && *nickname == '\0')
		nickname = NULL;
	if ((r = br_rate_address(app, who)) != BR_RESULT_OK || (r = registering(app, who, session_id, &s, &user)) != BR_RESULT_OK)
		goto out;
	/* the directory's rule, checked before anything is spent */
	if (nickname != NULL && !br_nickname_ok(nickname)) {
		br_event(app, who, "registration_failure", "nickname", json_pack("{s:s}", "username", user->username));
		r = BR_RESULT_BAD_REQUEST;
		goto out;
	}
	if ((e = br_credential_json_read(credential, &cred)) != BR_OK || !cred.is_registration) {
		br_event(app, who, "registration_failure", e != BR_OK ? br_strerr(e) : "not_a_registration",
		    json_pack("{s:s}", "username", user->username));
		r = BR_RESULT_BAD_REQUEST;
		goto out;
	}
	if ((r = br_challenge_take(app, &cred.client_data_json, o->conditional ? BR_CHALLENGE_REGISTER_CONDITIONAL : BR_CHALLENGE_REGISTER,
	    s.id, who->now, &chal)) != BR_RESULT_OK) {
		(r == BR_RESULT_UNAVAILABLE ? br_event_store : br_event)(app, who, "registration_failure",
		    r == BR_RESULT_UNAVAILABLE ? "cache_error" : br_result_code(r), json_pack("{s:s}", "username", user->username));
		goto out;
	}
	mds_hold(&mu);
	{
		br_reg_input in = {
			.policy = &app->policy,
			.challenge = { chal.raw.ptr, chal.raw.len },
			.client_data_json = { cred.client_data_json.ptr, cred.client_data_json.len },
			.attestation_object = { cred.attestation_object.ptr, cred.attestation_object.len },
			.raw_id = { cred.raw_id.ptr, cred.raw_id.len },
			.trust = app->cfg.attestation == BR_ATTESTATION_DIRECT ? app->trust : NULL,
			.now = who->now,
			.user_presence_optional = o->conditional,
		};
		if (app->cfg.attestation == BR_ATTESTATION_DIRECT && app->cfg.mds_use_roots && mu.locked && app->mds != NULL) {
			in.trust_for = mds_trust_for;
			in.trust_arg = &mu;
		}
		if ((e = br_register_verify(&in, &rr)) != BR_OK) {
			br_event(app, who, "registration_failure", br_strerr(e), json_pack("{s:s}", "username", user->username));
			r = BR_RESULT_FAILED;
			goto out;
		}
	}
	/* the model: revoked, compromised or not certified enough is refused before anything is spent */
	if ((why = mds_verdict(&mu, &rr, why_buf, sizeof(why_buf))) != NULL) {
		char aaguid[BR_AAGUID_TEXT_LEN + 1];

		br_aaguid_format(rr.aaguid, aaguid);
		br_event(app, who, "registration_failure", why, json_pack("{s:s, s:s}", "username", user->username, "aaguid", aaguid));
		r = BR_RESULT_AUTHENTICATOR_REFUSED;
		goto out;
	}
	mds_release(&mu);
	/* the user's authenticator policy (by directory group): allowed models, formats, synced or not */
	{
		const br_auth_policy *pol = br_policy_of(&app->cfg, user);

		if ((why = br_policy_refusal(pol, &rr)) != NULL) {
			char aaguid[BR_AAGUID_TEXT_LEN + 1];

			br_aaguid_format(rr.aaguid, aaguid);
			br_event(app, who, "registration_failure", why, json_pack("{s:s, s:s, s:s, s:b}", "username", user->username,
			    "policy", pol->name, "aaguid", aaguid, "be", rr.be));
			r = BR_RESULT_AUTHENTICATOR_REFUSED;
			goto out;
		}
	}
	if ((r = check_new(app, who, user, &rr)) != BR_RESULT_OK || (r = spend_code(app, who, &s, user)) != BR_RESULT_OK)
		goto out;
	r = store_credential(app, who, user, &rr,
	    br_transports_from_json(json_object_get(json_object_get(credential, "response"), "transports")), nickname,
	    nickname_is_guess);
	if (r != BR_RESULT_OK) {
		/* the link was not used up by a passkey: it goes back, so the user can try again */
		if (s.kind == BR_SESSION_ENROL && s.code != NULL) {
			if (br_dir_add_enrolment_code(app->dir, user, s.code) == BR_DIR_OK)
				br_event(app, who, "enrolment_link_restored", NULL, json_pack("{s:s}", "username", user->username));
			else
				br_event_store(app, who, "enrolment_link_lost", "directory_error", json_pack("{s:s}", "username", user->username));
		}
		goto out;
	}
	if (s.kind == BR_SESSION_ENROL)
		r = end_enrolment(app, who, &s, user, out);
out:
	mds_release(&mu);
	br_reg_result_reset(&rr);
	br_challenge_reset(&chal);
	br_credential_json_reset(&cred);
	br_user_free(&user);
	br_session_reset(&s);
	return r;
}
