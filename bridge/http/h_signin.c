/* Passkey sign-in: /api/authenticate/options and /api/authenticate/verify. */
#include "../app/signin.h"
#include "handler.h"

void
h_api_auth_options(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	json_t *body, *pk = NULL;
	br_result r;

	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	r = br_signin_options(app, &who, br_req_cookie(req, "fb_flow"),
	    json_string_value(json_object_get(body, "username")), &pk);
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
	br_result r;

	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	/* the body is the credential itself (toJSON form) */
	r = br_signin_verify(app, &who, br_req_cookie(req, "fb_flow"), body, &done);
	if (r == BR_RESULT_OK && done.local) {
		br_res_cookie(res, req, "fb_flow", "", -1, 0);
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
