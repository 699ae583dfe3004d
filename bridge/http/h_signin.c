/* Passkey sign-in: /api/authenticate/options and /api/authenticate/verify. */
#include <string.h>

#include "../app/signin.h"
#include "handler.h"

/*
 * The sign-in page says which flow it runs: ?for=passkeys is My passkeys' own
 * (cookie fb_local, a local flow only), else the IdP's (fb_flow, an IdP flow
 * only). Neither can stand in for the other.
 */
static br_signin_flow
flow_of(const br_request *req, const char **flow_id)
{
	const char *f = br_req_query(req, "for", NULL);
	int local = f != NULL && strcmp(f, "passkeys") == 0;

	*flow_id = br_req_cookie(req, local ? "fb_local" : "fb_flow");
	return local ? BR_SIGNIN_LOCAL_FLOW : BR_SIGNIN_IDP_FLOW;
}

void
h_api_auth_options(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	json_t *body, *pk = NULL;
	const char *flow_id;
	br_signin_flow kind = flow_of(req, &flow_id);
	br_result r;

	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	r = br_signin_options_for(app, &who, kind, flow_id, json_string_value(json_object_get(body, "username")), &pk);
	if (r == BR_RESULT_OK)
		br_res_json(res, 200, json_pack("{s:b, s:o}", "ok", 1, "publicKey", pk));
	else
		br_reply_error(app, req, res, r);
	json_decref(body);
}

void
h_api_auth_verify(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	br_signin_done done;
	json_t *body;
	const char *flow_id;
	br_signin_flow kind = flow_of(req, &flow_id);
	br_result r;

	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	/* the body is the credential itself (toJSON form) */
	r = br_signin_verify_for(app, &who, kind, flow_id, body, &done);
	if (r == BR_RESULT_OK && done.local) {
		/* only the local flow is over: an IdP flow in fb_flow stays for the tab it belongs to */
		br_res_cookie(res, req, "fb_local", "", -1, 0);
		br_res_cookie(res, req, "fb_session", done.session_id, BR_SESSION_TTL, 0);
		br_reply_next(res, "/passkeys");
	} else if (r == BR_RESULT_OK) {
		br_reply_next(res, "/authn/finish");
	} else if (r == BR_RESULT_UNKNOWN_CREDENTIAL) {
		/* the page tells the authenticator (Signal API) that this credential is gone */
		br_res_json(res, br_reply_status(r), json_pack("{s:b, s:s, s:s, s:s, s:s}", "ok", 0, "error",
		    br_result_code(r), "message", br_t(app->tpl, br_req_lang(req), "err.unknown_credential"),
		    "credential_id", done.credential_id, "rp_id", app->cfg.rp_id));
	} else {
		br_reply_error(app, req, res, r);
	}
	json_decref(body);
}
