/* Passkey registration: /api/register/options and /api/register/verify. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/random.h"
#include "../core/cose.h"
#include "../core/text.h"
#include "../core/transport.h"
#include "ceremony_util.h"
#include "guard.h"
#include "routes.h"
#include "session.h"

/* An enrolment session or a signed-in one, with its user loaded. */
static json_t *
registering_session(br_app *app, const br_request *req, br_response *res, br_user **user)
{
	json_t *s = br_session_get(app, req, "enrol");
	br_dir_rc rc;

	if (s == NULL)
		s = br_session_get(app, req, "signin");
	if (s == NULL) {
		br_reply_error(app, req, res, 403, "forbidden");
		return NULL;
	}
	rc = br_dir_find_user(app->dir, json_string_value(json_object_get(s, "username")), user);
	if (rc != BR_DIR_OK || (*user)->disabled) {
		br_reply_error(app, req, res, rc == BR_DIR_ERROR ? 503 : 403,
		    rc == BR_DIR_ERROR ? "unavailable" : rc == BR_DIR_OK ? "account_disabled" : "unknown_account");
		br_user_free(user);
		json_decref(s);
		return NULL;
	}
	return s;
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

void
h_api_reg_options(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	json_t *body, *s = NULL;
	br_user *user = NULL;
	char chal[64], *handle = NULL;
	const char *uv, *sid = br_req_cookie(req, "fb_session");

	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	if (br_guard_rate(app, req, res, NULL, 1) < 0 || (s = registering_session(app, req, res, &user)) == NULL)
		goto out;
	if (user->user_handle.len == 0) {
		/* first passkey: a random, opaque handle, never the username */
		unsigned char h[32];
		br_dir_rc rc;
		if (br_random_bytes(h, sizeof(h)) < 0 ||
		    ((rc = br_dir_set_user_handle(app->dir, user, h, sizeof(h))) != BR_DIR_OK && rc != BR_DIR_EXISTS)) {
			br_reply_error(app, req, res, 503, "unavailable");
			goto out;
		}
		br_user_free(&user);
		if (br_dir_find_user(app->dir, json_string_value(json_object_get(s, "username")), &user) != BR_DIR_OK ||
		    user->user_handle.len == 0) {
			br_reply_error(app, req, res, 503, "unavailable");
			goto out;
		}
	}
	if (br_challenge_issue(app, "register", sid, NULL, chal) < 0) {
		br_reply_error(app, req, res, 503, "unavailable");
		goto out;
	}
	handle = br_b64(&user->user_handle);
	uv = app->cfg.user_verification == BR_UV_REQUIRED ? "required" :
	    app->cfg.user_verification == BR_UV_DISCOURAGED ? "discouraged" : "preferred";
	br_res_json(res, 200, json_pack("{s:b, s:{s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:o, s:i, s:o, s:{s:s, s:b, s:s}, s:s, s:{s:b}}}",
	    "ok", 1, "publicKey",
	    "rp", "id", app->cfg.rp_id, "name", app->cfg.rp_name,
	    "user", "id", handle, "name", user->username, "displayName", br_user_attr(user, "displayName", user->username),
	    "challenge", chal,
	    "pubKeyCredParams", cred_params(app),
	    "timeout", app->cfg.ceremony_timeout_s * 1000,
	    "excludeCredentials", br_credential_descriptors(user),
	    "authenticatorSelection", "residentKey", br_resident_key_name(app->cfg.resident_key),
	    "requireResidentKey", app->cfg.resident_key == BR_RESIDENT_KEY_REQUIRED, "userVerification", uv,
	    "attestation", br_attestation_name(app->cfg.attestation),
	    "extensions", "credProps", 1));
out:
	free(handle);
	br_user_free(&user);
	json_decref(s);
	json_decref(body);
}


void
h_api_reg_verify(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	json_t *body, *s = NULL, *chal = NULL, *credential;
	const char *sid = br_req_cookie(req, "fb_session"), *nick, *why, *kind, *code;
	br_credential_json cred;
	br_reg_result rr;
	br_credential_record rec;
	br_blob raw = { NULL, 0 };
	br_user *user = NULL;
	br_dir_rc rc;
	br_err e;
	char *cid = NULL;

	memset(&cred, 0, sizeof(cred));
	memset(&rr, 0, sizeof(rr));
	memset(&rec, 0, sizeof(rec));
	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	if (br_guard_rate(app, req, res, NULL, 1) < 0 || (s = registering_session(app, req, res, &user)) == NULL)
		goto out;
	credential = json_object_get(body, "credential");
	nick = json_string_value(json_object_get(body, "nickname"));
	if (nick != NULL && *nick == '\0')
		nick = NULL;
	if (nick != NULL && !br_nickname_ok(nick)) {
		br_reply_error(app, req, res, 400, "bad_request");
		goto out;
	}
	if ((e = br_credential_json_read(credential, &cred)) != BR_OK || !cred.is_registration) {
		br_event(app, req, "registration_failure", e != BR_OK ? br_strerr(e) : "not_a_registration",
		    json_pack("{s:s}", "username", user->username));
		br_reply_error(app, req, res, 400, "bad_request");
		goto out;
	}
	if ((chal = br_challenge_take(app, &cred, "register", sid != NULL ? sid : "", &raw, &why)) == NULL) {
		br_event(app, req, "registration_failure", why, json_pack("{s:s}", "username", user->username));
		br_reply_error(app, req, res, 400, why);
		goto out;
	}
	{
		br_reg_input in = {
			.policy = &app->policy,
			.challenge = { raw.ptr, raw.len },
			.client_data_json = { cred.client_data_json.ptr, cred.client_data_json.len },
			.attestation_object = { cred.attestation_object.ptr, cred.attestation_object.len },
			.raw_id = { cred.raw_id.ptr, cred.raw_id.len },
			.trust = app->cfg.attestation == BR_ATTESTATION_DIRECT ? app->trust : NULL,
			.now = req->now,
		};
		if ((e = br_register_verify(&in, &rr)) != BR_OK) {
			br_event(app, req, "registration_failure", br_strerr(e), json_pack("{s:s}", "username", user->username));
			br_reply_error(app, req, res, 403, "failed");
			goto out;
		}
	}
	cid = br_b64(&rr.credential_id);
	kind = json_string_value(json_object_get(s, "kind"));
	code = json_string_value(json_object_get(s, "code"));
	if (strcmp(kind, "enrol") == 0 && code == NULL) {
		/* enrolment by password is for a first passkey only */
		if (user->n_creds > 0) {
			br_event(app, req, "registration_failure", "has_passkeys", json_pack("{s:s}", "username", user->username));
			br_reply_error(app, req, res, 403, "has_passkeys");
			goto out;
		}
	} else if (strcmp(kind, "enrol") == 0) {
		/* spend the code before the passkey exists: two tabs cannot both enrol with it */
		rc = br_dir_remove_enrolment_code(app->dir, user, code);
		if (rc != BR_DIR_OK) {
			br_event(app, req, "registration_failure", rc == BR_DIR_NOT_FOUND ? "enrolment_code_used" : "directory_error",
			    json_pack("{s:s}", "username", user->username));
			br_reply_error(app, req, res, rc == BR_DIR_NOT_FOUND ? 400 : 503, rc == BR_DIR_NOT_FOUND ? "expired" : "unavailable");
			goto out;
		}
		br_event(app, req, "enrolment_link_used", NULL, json_pack("{s:s}", "username", user->username));
	}
	rec.id = rr.credential_id;
	rec.public_key = rr.public_key_cose;
	rec.sign_count = rr.sign_count;
	br_aaguid_format(rr.aaguid, rec.aaguid);
	rec.transports = br_transports_from_json(json_object_get(json_object_get(credential, "response"), "transports"));
	snprintf(rec.fmt, sizeof(rec.fmt), "%s", rr.fmt);
	rec.backup_eligible = rr.be;
	rec.backup_state = rr.bs;
	rec.user_verified = rr.uv;
	rec.created = req->now;
	rec.nickname = nick != NULL ? strdup(nick) : NULL;
	rc = br_dir_add_credential(app->dir, user, &rec);
	if (rc != BR_DIR_OK) {
		br_event(app, req, "registration_failure", rc == BR_DIR_EXISTS ? "already_registered" : "directory_error",
		    json_pack("{s:s, s:s?}", "username", user->username, "credential_id", cid));
		br_reply_error(app, req, res, rc == BR_DIR_EXISTS ? 409 : rc == BR_DIR_INVALID ? 400 : 503,
		    rc == BR_DIR_EXISTS ? "already_registered" : rc == BR_DIR_INVALID ? "bad_request" : "unavailable");
		goto out;
	}
	br_event(app, req, "registration", NULL, json_pack("{s:s, s:s?, s:s, s:s, s:s, s:b, s:b, s:b}",
	    "username", user->username, "credential_id", cid, "fmt", rr.fmt, "attestation_type", br_att_type_name(rr.att_type),
	    "aaguid", rec.aaguid, "uv", rr.uv, "be", rr.be, "bs", rr.bs));
	if (strcmp(kind, "enrol") == 0) {
		/* an enrolment link proves no passkey: it ends here, sign in to manage passkeys */
		br_session_end(app, req, res);
		br_session_start(app, req, res, json_pack("{s:s, s:s, s:s}", "kind", "enrolled", "username", user->username,
		    "display_name", br_user_attr(user, "displayName", user->username)));
		br_res_json(res, 200, json_pack("{s:b, s:s}", "ok", 1, "next", "/enrolled"));
	} else {
		br_res_json(res, 200, json_pack("{s:b, s:s}", "ok", 1, "next", "/passkeys"));
	}
out:
	/* rec borrows the result's blobs: free only what it owns */
	free(rec.nickname);
	free(cid);
	br_reg_result_reset(&rr);
	br_blob_reset(&raw);
	br_credential_json_reset(&cred);
	br_user_free(&user);
	json_decref(chal);
	json_decref(s);
	json_decref(body);
}
