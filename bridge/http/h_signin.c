/* Passkey sign-in: /api/authenticate/options and /api/authenticate/verify. */
#include <stdlib.h>
#include <string.h>

#include "../app/flow.h"
#include "../app/keycache.h"
#include "../app/random.h"
#include "../core/b64url.h"
#include "../core/crypto.h"
#include "ceremony_util.h"
#include "guard.h"
#include "routes.h"
#include "session.h"

static const char *
uv_name(br_uv_policy p)
{
	return p == BR_UV_REQUIRED ? "required" : p == BR_UV_DISCOURAGED ? "discouraged" : "preferred";
}

/* The flow this page belongs to (cookie), or NULL with res filled. */
static json_t *
current_flow(br_app *app, const br_request *req, br_response *res, const char **id)
{
	json_t *flow = NULL;
	br_cache_rc rc;

	*id = br_req_cookie(req, "fb_flow");
	rc = br_flow_get(app->cache, "flow", *id, &flow);
	if (rc == BR_CACHE_OK)
		return flow;
	br_reply_error(app, req, res, rc == BR_CACHE_ERROR ? 503 : 400, rc == BR_CACHE_ERROR ? "unavailable" : "expired");
	return NULL;
}

void
h_api_auth_options(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	json_t *body, *flow = NULL, *allow = NULL, *rec;
	const char *flow_id, *username;
	br_user *user = NULL;
	char chal[64];
	br_dir_rc rc;

	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	username = json_string_value(json_object_get(body, "username"));
	if (username != NULL && *username == '\0')
		username = NULL;
	/* the address counter here also bounds verify: each verify spends a challenge issued here */
	if (br_guard_rate(app, req, res, username, 1) < 0 || (flow = current_flow(app, req, res, &flow_id)) == NULL)
		goto out;
	rec = json_object();
	if (username != NULL) {
		/* username-first: list the account's credentials for keys that are not discoverable */
		rc = br_dir_find_user(app->dir, username, &user);
		if (rc != BR_DIR_OK) {
			br_event(app, req, "signin_failure", rc == BR_DIR_ERROR ? "directory_error" : "unknown_account",
			    json_pack("{s:s}", "username", username));
			br_reply_error(app, req, res, rc == BR_DIR_ERROR ? 503 : 404,
			    rc == BR_DIR_ERROR ? "unavailable" : "unknown_account");
			json_decref(rec);
			goto out;
		}
		if (user->disabled || user->n_creds == 0) {
			br_event(app, req, "signin_failure", user->disabled ? "account_disabled" : "no_credentials",
			    json_pack("{s:s}", "username", user->username));
			br_reply_error(app, req, res, 403, user->disabled ? "account_disabled" : "no_credentials");
			json_decref(rec);
			goto out;
		}
		allow = br_credential_descriptors(user);
		json_object_set_new(rec, "username", json_string(user->username));
	}
	if (br_challenge_issue(app, "authn", flow_id, rec, chal) < 0) {
		br_reply_error(app, req, res, 503, "unavailable");
		goto out;
	}
	br_res_json(res, 200, json_pack("{s:b, s:{s:s, s:s, s:i, s:s, s:o}}", "ok", 1, "publicKey",
	    "challenge", chal, "rpId", app->cfg.rp_id, "timeout", app->cfg.ceremony_timeout_s * 1000,
	    "userVerification", uv_name(app->cfg.user_verification),
	    "allowCredentials", allow != NULL ? allow : json_array()));
	allow = NULL;
out:
	json_decref(allow);
	br_user_free(&user);
	json_decref(flow);
	json_decref(body);
}

/* Record the ticket (IdP flow) or start a session (My passkeys); the answer says where to go. */
static void
signed_in(br_app *app, const br_request *req, br_response *res, json_t *flow, const char *flow_id,
    const br_user *user, const br_credential_record *cred, const br_auth_result *ar)
{
	const char *aaguid = cred->aaguid;
	int mfa = br_app_mfa(app, ar->uv, ar->be, aaguid);
	char ticket[64], key[96], *cid = br_b64(&cred->id);
	json_t *record;

	br_event(app, req, "signin_success", NULL, json_pack("{s:s, s:s?, s:b, s:b, s:b, s:b, s:s?, s:b}",
	    "username", user->username, "credential_id", cid, "uv", ar->uv, "be", ar->be, "bs", ar->bs,
	    "mfa", mfa, "entity", json_string_value(json_object_get(flow, "entity")), "clone_warning", ar->counter_regressed));

	if (json_object_get(flow, "return") == NULL) {
		/* a local sign-in: My passkeys */
		br_flow_drop(app->cache, "flow", flow_id);
		br_res_cookie(res, req, "fb_flow", "", -1, 0);
		if (br_session_start(app, req, res, json_pack("{s:s, s:s, s:s, s:I}", "kind", "signin", "username",
			user->username, "display_name", br_user_attr(user, "displayName", user->username),
			"auth_instant", (json_int_t)req->now)) < 0)
			br_reply_error(app, req, res, 503, "unavailable");
		else
			br_res_json(res, 200, json_pack("{s:b, s:s}", "ok", 1, "next", "/passkeys"));
		free(cid);
		return;
	}

	{
		br_ticket_fields f = {
			.principal = user->username,
			.conversation = json_string_value(json_object_get(flow, "conversation")),
			.state = json_string_value(json_object_get(flow, "state")),
			.entity = json_string_value(json_object_get(flow, "entity")),
			.auth_instant = req->now,
			.uv = ar->uv, .be = ar->be, .bs = ar->bs, .mfa = mfa,
			.credential_id = cid, .aaguid = aaguid,
			.attributes = user->attributes,
		};
		if (f.conversation == NULL || f.state == NULL || br_random_b64url(32, ticket, sizeof(ticket)) < 0 ||
		    (record = br_ticket_record(ticket, &f, &app->secrets)) == NULL) {
			br_reply_error(app, req, res, 500, "unavailable");
			free(cid);
			return;
		}
	}
	snprintf(key, sizeof(key), "ticket:%s", ticket);
	/* the ticket first, then the flow that points at it: a crash between leaves no dangling pointer */
	if (br_cache_set_json(app->cache, key, record, (unsigned)app->cfg.ticket_ttl_s) != BR_CACHE_OK ||
	    (json_object_set_new(flow, "ticket", json_string(ticket)),
		br_flow_put(app->cache, "flow", flow_id, flow, (unsigned)app->cfg.flow_ttl_s)) != BR_CACHE_OK) {
		br_cache_delete(app->cache, key);
		br_reply_error(app, req, res, 503, "unavailable");
	} else {
		br_res_json(res, 200, json_pack("{s:b, s:s}", "ok", 1, "next", "/authn/finish"));
	}
	br_wipe(ticket, sizeof(ticket));
	json_decref(record);
	free(cid);
}

/* Remember a verdict the IdP must hear about even if the user then picks "another way". */
static void
flow_verdict(br_app *app, json_t *flow, const char *flow_id, const char *error)
{
	if (json_object_get(flow, "return") == NULL)
		return;
	json_object_set_new(flow, "error", json_string(error));
	br_flow_put(app->cache, "flow", flow_id, flow, (unsigned)app->cfg.flow_ttl_s);
}

void
h_api_auth_verify(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	json_t *body, *flow = NULL, *chal = NULL;
	const char *flow_id, *why, *want_user;
	br_credential_json cred;
	br_blob raw = { NULL, 0 };
	br_user *user = NULL;
	size_t i;
	br_dir_rc rc;
	br_err e;
	char *cid = NULL;

	memset(&cred, 0, sizeof(cred));
	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	/*
	 * A verify that gets past the challenge spent one issued by options, which
	 * counted the address; only the ones refused before that are counted here.
	 */
	if ((flow = current_flow(app, req, res, &flow_id)) == NULL)
		goto out;
	/* the body is the credential itself (toJSON form) */
	e = br_credential_json_read(body, &cred);
	if (e != BR_OK || cred.is_registration) {
		if (br_guard_rate(app, req, res, NULL, 1) < 0)
			goto out;
		br_event(app, req, "signin_failure", e != BR_OK ? br_strerr(e) : "not_an_assertion", NULL);
		br_reply_error(app, req, res, 400, "bad_request");
		goto out;
	}
	cid = br_b64(&cred.raw_id);
	/* single use: the challenge is gone from here on, whatever happens next */
	if ((chal = br_challenge_take(app, &cred, "authn", flow_id, &raw, &why)) == NULL) {
		if (br_guard_rate(app, req, res, NULL, 1) < 0)
			goto out;
		br_event(app, req, "signin_failure", strcmp(why, "expired") == 0 ? "challenge_expired" : "challenge_refused",
		    json_pack("{s:s?}", "credential_id", cid));
		br_reply_error(app, req, res, 400, why);
		goto out;
	}
	/* one search when the userHandle is right; only this credential is loaded */
	rc = br_dir_find_for_signin(app->dir, cred.raw_id.ptr, cred.raw_id.len, cred.user_handle.ptr,
	    cred.user_handle.len, &user);
	if (rc != BR_DIR_OK) {
		br_event(app, req, "signin_failure", rc == BR_DIR_ERROR ? "directory_error" : "unknown_credential",
		    json_pack("{s:s?}", "credential_id", cid));
		if (rc == BR_DIR_ERROR)
			br_reply_error(app, req, res, 503, "unavailable");
		else
			br_res_json(res, 404, json_pack("{s:b, s:s, s:s, s:s?, s:s}", "ok", 0, "error", "unknown_credential",
			    "message", br_t(app->tpl, br_req_lang(req), "err.unknown_credential"),
			    "credential_id", cid, "rp_id", app->cfg.rp_id));
		goto out;
	}
	want_user = json_string_value(json_object_get(chal, "username"));
	if (want_user != NULL && strcmp(want_user, user->username) != 0) {
		br_event(app, req, "signin_failure", "wrong_account", json_pack("{s:s, s:s?}", "username", want_user, "credential_id", cid));
		br_reply_error(app, req, res, 403, "failed");
		goto out;
	}
	if (user->disabled) {
		br_event(app, req, "signin_failure", "account_disabled", json_pack("{s:s}", "username", user->username));
		flow_verdict(app, flow, flow_id, "AccountDisabled");
		br_reply_error(app, req, res, 403, "account_disabled");
		goto out;
	}
	{
		const br_credential_record *c = &user->creds[0];
		br_span *allow = NULL;
		br_stored_credential sc = {
			.id = { c->id.ptr, c->id.len },
			.public_key_cose = { c->public_key.ptr, c->public_key.len },
			.sign_count = c->sign_count,
			.user_handle = { user->user_handle.ptr, user->user_handle.len },
			.be_known = 1, .be = c->backup_eligible,
		};
		br_auth_input in = {
			.policy = &app->policy,
			.challenge = { raw.ptr, raw.len },
			.client_data_json = { cred.client_data_json.ptr, cred.client_data_json.len },
			.authenticator_data = { cred.authenticator_data.ptr, cred.authenticator_data.len },
			.signature = { cred.signature.ptr, cred.signature.len },
			.user_handle = { cred.user_handle.ptr, cred.user_handle.len },
			.raw_id = { cred.raw_id.ptr, cred.raw_id.len },
			.credential = &sc,
			/* without a username the user was not identified first: the handle must come back */
			.user_handle_required = want_user == NULL,
		};
		br_auth_result ar;
		const br_cose_key *pk = NULL;
		int wrote = 0;

		/* a returning key is not decoded again; a bad one (pk NULL) fails in its usual place below */
		(void)br_keycache_get(app->keys, c->public_key.ptr, c->public_key.len, &pk);
		sc.parsed_key = pk;

		if (want_user != NULL && (allow = calloc(user->n_creds, sizeof(*allow))) != NULL) {
			for (i = 0; i < user->n_creds; i++) {
				allow[i].ptr = user->creds[i].id.ptr;
				allow[i].len = user->creds[i].id.len;
			}
			in.allow = allow;
			in.n_allow = user->n_creds;
		}
		e = br_assert_verify(&in, &ar);
		br_keycache_release(pk);
		free(allow);
		if (e != BR_OK) {
			br_event(app, req, "signin_failure", br_strerr(e), json_pack("{s:s, s:s?}", "username", user->username, "credential_id", cid));
			if (e == BR_ERR_SIGN_COUNT)
				flow_verdict(app, flow, flow_id, "AuthnFailed");
			br_reply_error(app, req, res, 403, "failed");
			goto out;
		}
		if (br_dir_record_use(app->dir, c, ar.sign_count, req->now, &wrote) != BR_DIR_OK)
			br_event(app, req, "directory_write_failed", "record_use", json_pack("{s:s}", "username", user->username));
		signed_in(app, req, res, flow, flow_id, user, c, &ar);
	}
out:
	free(cid);
	br_blob_reset(&raw);
	br_credential_json_reset(&cred);
	br_user_free(&user);
	json_decref(chal);
	json_decref(flow);
	json_decref(body);
}
