#include "signin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/b64url.h"
#include "../core/credential_json.h"
#include "../core/crypto.h"
#include "../core/transport.h"
#include "authn_policy.h"
#include "challenge.h"
#include "events.h"
#include "flow.h"
#include "ratelimit.h"
#include "random.h"
#include "session.h"
#include "ticket.h"

int
br_signin_mfa(const br_config *cfg, int uv, int be, const char *aaguid)
{
	size_t i;

	if (!uv)
		return 0;
	if (!be)
		return 1;
	for (i = 0; aaguid != NULL && i < cfg->mfa_aaguids.n; i++)
		if (strcasecmp(cfg->mfa_aaguids.v[i], aaguid) == 0)
			return 1;
	return 0;
}

/* The flow a sign-in belongs to: EXPIRED when the cookie names none, or one of another kind. */
static br_result
load_flow(br_app *app, const br_caller *who, br_signin_flow kind, const char *flow_id, br_flow *f)
{
	br_result r = br_result_of_cache(br_flow_load(app, flow_id, who->now, f), BR_RESULT_EXPIRED);

	if (r == BR_RESULT_OK && ((kind == BR_SIGNIN_IDP_FLOW && !f->idp) || (kind == BR_SIGNIN_LOCAL_FLOW && f->idp)))
		r = BR_RESULT_EXPIRED;
	return r;
}

/* [{"type":"public-key","id":…,"transports":[…]}] for the user's credentials. */
static json_t *
descriptors(const br_user *u)
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

/* Remember a verdict the IdP must hear about even if the user then picks "another way". */
static void
flow_verdict(br_app *app, const br_caller *who, br_flow *flow, const char *error)
{
	if (!flow->idp || br_flow_set(&flow->error, error) < 0)
		return;
	br_flow_save(app, flow, (unsigned)app->cfg.flow_ttl_s, who->now);
}

br_result
br_signin_options(br_app *app, const br_caller *who, const char *flow_id, const char *username,
    json_t **public_key)
{
	return br_signin_options_for(app, who, BR_SIGNIN_ANY_FLOW, flow_id, username, public_key);
}

br_result
br_signin_options_for(br_app *app, const br_caller *who, br_signin_flow kind, const char *flow_id, const char *username,
    json_t **public_key)
{
	br_user *user = NULL;
	br_flow flow;
	char chal[BR_ID_LEN + 1];
	json_t *allow = NULL;
	br_dir_rc rc;
	br_result r;

	*public_key = NULL;
	memset(&flow, 0, sizeof(flow));
	if (username != NULL && *username == '\0')
		username = NULL;
	/* the address counter here also bounds verify: each verify spends a challenge issued here */
	if ((r = br_rate_address(app, who)) != BR_RESULT_OK || (r = load_flow(app, who, kind, flow_id, &flow)) != BR_RESULT_OK)
		goto out;
	if (flow.principal != NULL) {
		/* a second factor: the account the IdP named, and no other */
		if (username != NULL && strcmp(username, flow.principal) != 0) {
			br_event(app, who, "signin_failure", "wrong_account", json_pack("{s:s, s:s}", "username", username,
			    "principal", flow.principal));
			flow_verdict(app, who, &flow, "AccountMismatch");
			r = BR_RESULT_FAILED;
			goto out;
		}
		username = flow.principal;
	}
	if (username != NULL) {
		/* username-first: list the account's credentials for keys that are not discoverable */
		rc = br_dir_find_user(app->dir, username, &user);
		if (rc != BR_DIR_ERROR &&
		    (r = br_rate_account(app, who, username, rc == BR_DIR_OK ? user->dn : NULL)) != BR_RESULT_OK)
			goto out;
		if (rc != BR_DIR_OK) {
			r = br_result_of_dir(rc, BR_RESULT_UNKNOWN_ACCOUNT);
			(rc == BR_DIR_ERROR ? br_event_store : br_event)(app, who, "signin_failure",
			    rc == BR_DIR_ERROR ? "directory_error" : "unknown_account", json_pack("{s:s}", "username", username));
			if (rc != BR_DIR_ERROR && flow.principal != NULL)
				flow_verdict(app, who, &flow, "NoCredentials");
			goto out;
		}
		if (user->disabled || user->n_creds == 0) {
			r = user->disabled ? BR_RESULT_ACCOUNT_DISABLED : BR_RESULT_NO_CREDENTIALS;
			br_event(app, who, "signin_failure", br_result_code(r), json_pack("{s:s}", "username", user->username));
			if (flow.principal != NULL)
				flow_verdict(app, who, &flow, user->disabled ? "AccountDisabled" : "NoCredentials");
			goto out;
		}
		allow = descriptors(user);
	}
	if ((r = br_challenge_issue(app, BR_CHALLENGE_SIGNIN, flow.id, user != NULL ? user->username : NULL, who->now, chal)) !=
	    BR_RESULT_OK)
		goto out;
	*public_key = json_pack("{s:s, s:s, s:i, s:s, s:o}", "challenge", chal, "rpId", app->cfg.rp_id, "timeout",
	    app->cfg.ceremony_timeout_s * 1000, "userVerification", br_uv_policy_name(app->cfg.user_verification),
	    "allowCredentials", allow != NULL ? allow : json_array());
	allow = NULL;
	if (*public_key == NULL)
		r = BR_RESULT_INTERNAL;
out:
	json_decref(allow);
	br_user_free(&user);
	br_flow_reset(&flow);
	return r;
}

/* A local sign-in: the flow is done, a My passkeys session begins. */
static br_result
start_session(br_app *app, const br_caller *who, br_flow *flow, const br_user *user, br_signin_done *out)
{
	br_session s;
	br_result r;

	memset(&s, 0, sizeof(s));
	br_flow_drop(app, flow->id);
	s.kind = BR_SESSION_SIGNIN;
	s.username = user->username;
	s.display_name = (char *)br_user_display_name(user);
	s.auth_instant = who->now;
	r = br_result_of_cache(br_session_start(app, &s, who->now), BR_RESULT_UNAVAILABLE);
	if (r == BR_RESULT_OK) {
		out->local = 1;
		memcpy(out->session_id, s.id, sizeof(s.id));
	}
	return r;
}

/* An IdP sign-in: the ticket record, then the flow that points at it (ticket.c). */
static br_result
record_ticket(br_app *app, const br_caller *who, br_flow *flow, const br_user *user,
    const br_credential_record *cred, const br_auth_result *ar, int mfa, const br_record_write *activity)
{
	br_ticket_fields f = {
		/* a second factor names the first one's user byte for byte, so the IdP's Subject holds one name */
		.principal = flow->principal != NULL ? flow->principal : user->username,
		.conversation = flow->conversation,
		.state = flow->state,
		.entity = flow->entity,
		.auth_instant = who->now,
		.expires = who->now + app->cfg.ticket_ttl_s,
		.uv = ar->uv, .be = ar->be, .bs = ar->bs, .mfa = mfa,
		.credential_id = NULL,
		.aaguid = cred->aaguid,
		.attributes = user->attributes,
	};
	char *cid = br_b64url_encode_alloc(cred->id.ptr, cred->id.len);
	br_result r;

	if (cid == NULL)
		return BR_RESULT_INTERNAL;
	f.credential_id = cid;
	r = br_ticket_issue(app, who, flow, &f, user->username, activity);
	free(cid);
	return r;
}

struct verify {
	br_app *app;
	const br_caller *who;
	br_flow flow;
	br_credential_json cred;
	br_challenge chal;
	br_user *user;
	const char *cid;
};

/* The core's verdict on the assertion against the one stored credential. */
static br_err
check_assertion(struct verify *v, br_auth_result *ar)
{
	const br_user *user = v->user;
	const br_credential_record *c = &user->creds[0];
	br_span *allow = NULL;
	const br_cose_key *pk = NULL;
	br_stored_credential sc = {
		.id = { c->id.ptr, c->id.len },
		.public_key_cose = { c->public_key.ptr, c->public_key.len },
		.sign_count = c->sign_count,
		.user_handle = { user->user_handle.ptr, user->user_handle.len },
		.be_known = 1,
		.be = c->backup_eligible,
	};
	br_auth_input in = {
		.policy = &v->app->policy,
		.challenge = { v->chal.raw.ptr, v->chal.raw.len },
		.client_data_json = { v->cred.client_data_json.ptr, v->cred.client_data_json.len },
		.authenticator_data = { v->cred.authenticator_data.ptr, v->cred.authenticator_data.len },
		.signature = { v->cred.signature.ptr, v->cred.signature.len },
		.user_handle = { v->cred.user_handle.ptr, v->cred.user_handle.len },
		.raw_id = { v->cred.raw_id.ptr, v->cred.raw_id.len },
		.credential = &sc,
		/* without a username the user was not identified first: the handle must come back */
		.user_handle_required = v->chal.username == NULL,
	};
	br_err e;

	/* a returning key is not decoded again; a bad one (pk NULL) fails in its usual place */
	(void)br_keycache_get(v->app->keys, c->public_key.ptr, c->public_key.len, &pk);
	sc.parsed_key = pk;
	/*
	 * username-first: the options listed every credential of that account, and
	 * the assertion must use one of them. Only the one used is loaded, so
	 * listing it alone is the same check once the account matched.
	 */
	if (v->chal.username != NULL) {
		allow = &sc.id;
		in.allow = allow;
		in.n_allow = 1;
	}
	e = br_assert_verify(&in, ar);
	br_keycache_release(pk);
	return e;
}

static br_result
verify(struct verify *v, br_signin_done *out)
{
	br_app *app = v->app;
	const br_caller *who = v->who;
	br_auth_result ar;
	br_record_write activity;
	br_dir_rc rc;
	br_result r;
	br_err e;
	int wrote = 0, mfa;
	const br_credential_record *c;

	/* one search when the userHandle is right; only this credential is loaded */
	rc = br_dir_find_for_signin(app->dir, v->cred.raw_id.ptr, v->cred.raw_id.len, v->cred.user_handle.ptr,
	    v->cred.user_handle.len, &v->user);
	if (rc != BR_DIR_OK) {
		(rc == BR_DIR_ERROR ? br_event_store : br_event)(app, who, "signin_failure",
		    rc == BR_DIR_ERROR ? "directory_error" : "unknown_credential", json_pack("{s:s}", "credential_id", v->cid));
		return br_result_of_dir(rc, BR_RESULT_UNKNOWN_CREDENTIAL);
	}
	if (v->chal.username != NULL && strcmp(v->chal.username, v->user->username) != 0) {
		br_event(app, who, "signin_failure", "wrong_account",
		    json_pack("{s:s, s:s}", "username", v->chal.username, "credential_id", v->cid));
		/* a second factor by someone else's passkey: the IdP must not take it for the first user */
		if (v->flow.principal != NULL)
			flow_verdict(app, who, &v->flow, "AccountMismatch");
		return BR_RESULT_FAILED;
	}
	if (v->user->disabled) {
		br_event(app, who, "signin_failure", "account_disabled", json_pack("{s:s}", "username", v->user->username));
		flow_verdict(app, who, &v->flow, "AccountDisabled");
		return BR_RESULT_ACCOUNT_DISABLED;
	}
	if ((e = check_assertion(v, &ar)) != BR_OK) {
		br_event(app, who, "signin_failure", br_strerr(e),
		    json_pack("{s:s, s:s}", "username", v->user->username, "credential_id", v->cid));
		/* a possible clone is the IdP's business even if the user tries another way */
		if (e == BR_ERR_SIGN_COUNT)
			flow_verdict(app, who, &v->flow, "AuthnFailed");
		return BR_RESULT_FAILED;
	}
	c = &v->user->creds[0];
	/* optional: a model whose status turned bad since it was registered */
	if (br_app_model_refused(app, c->aaguid)) {
		br_event(app, who, "signin_failure", "mds_status_refused",
		    json_pack("{s:s, s:s, s:s}", "username", v->user->username, "credential_id", v->cid, "aaguid", c->aaguid));
		return BR_RESULT_AUTHENTICATOR_REFUSED;
	}
	if (br_dir_record_use(app->dir, c, ar.sign_count, who->now, &wrote) != BR_DIR_OK)
		br_event_store(app, who, "directory_write_failed", "record_use", json_pack("{s:s}", "username", v->user->username));
	{
		/* the flags of this assertion, the model and format of the stored record, the user's policy now */
		br_credential_record seen = *c;

		seen.backup_eligible = ar.be;
		mfa = br_policy_mfa(&app->cfg, br_policy_of(&app->cfg, v->user), ar.uv, &seen);
	}
	/* an IdP sign-in's activity entry goes in the ticket's cache step */
	br_event_later(app, who, "signin_success", NULL, json_pack("{s:s, s:s, s:b, s:b, s:b, s:b, s:s?, s:s?, s:b}",
	    "username", v->user->username, "credential_id", v->cid, "uv", ar.uv, "be", ar.be, "bs", ar.bs, "mfa", mfa,
	    "entity", v->flow.entity, "sp_name", v->flow.sp_name, "clone_warning", ar.counter_regressed),
	    v->flow.idp ? &activity : NULL);
	if (!v->flow.idp)
		return start_session(app, who, &v->flow, v->user, out);
	r = record_ticket(app, who, &v->flow, v->user, c, &ar, mfa, &activity);
	json_decref(activity.obj);
	return r;
}

br_result
br_signin_verify(br_app *app, const br_caller *who, const char *flow_id, const json_t *credential,
    br_signin_done *out)
{
	return br_signin_verify_for(app, who, BR_SIGNIN_ANY_FLOW, flow_id, credential, out);
}

br_result
br_signin_verify_for(br_app *app, const br_caller *who, br_signin_flow kind, const char *flow_id,
    const json_t *credential, br_signin_done *out)
{
	struct verify v;
	br_result r;
	br_err e;

	memset(&v, 0, sizeof(v));
	memset(out, 0, sizeof(*out));
	v.app = app;
	v.who = who;
	/*
	 * A verify that gets past its challenge spent one issued by options,
	 * which counted the address; only the ones refused before that count here.
	 */
	if ((r = load_flow(app, who, kind, flow_id, &v.flow)) != BR_RESULT_OK)
		goto out;
	e = br_credential_json_read(credential, &v.cred);
	if (e != BR_OK || v.cred.is_registration) {
		if ((r = br_rate_address(app, who)) != BR_RESULT_OK)
			goto out;
		br_event(app, who, "signin_failure", e != BR_OK ? br_strerr(e) : "not_an_assertion", NULL);
		r = BR_RESULT_BAD_REQUEST;
		goto out;
	}
	br_b64url_encode(v.cred.raw_id.ptr, v.cred.raw_id.len > 1023 ? 1023 : v.cred.raw_id.len, out->credential_id);
	v.cid = out->credential_id;
	/* single use: the challenge is gone from here on, whatever happens next */
	if ((r = br_challenge_take(app, &v.cred.client_data_json, BR_CHALLENGE_SIGNIN, v.flow.id, who->now, &v.chal)) !=
	    BR_RESULT_OK) {
		br_result limited = br_rate_address(app, who);
		if (limited != BR_RESULT_OK) {
			r = limited;
			goto out;
		}
		(r == BR_RESULT_UNAVAILABLE ? br_event_store : br_event)(app, who, "signin_failure",
		    r == BR_RESULT_EXPIRED ? "challenge_expired" : r == BR_RESULT_UNAVAILABLE ? "cache_error" : "challenge_refused",
		    json_pack("{s:s}", "credential_id", v.cid));
		goto out;
	}
	r = verify(&v, out);
out:
	br_user_free(&v.user);
	br_challenge_reset(&v.chal);
	br_credential_json_reset(&v.cred);
	br_flow_reset(&v.flow);
	return r;
}
