/* Passkey registration: /api/register/options and /api/register/verify. */
#include <string.h>

#include "../app/enrol.h"
#include "../app/registration.h"
#include "handler.h"

void
h_api_reg_options(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	json_t *body, *pk = NULL;
	br_result r;

	const char *username, *code, *sid;
	br_enrol_view v;

	memset(&v, 0, sizeof(v));
	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	sid = br_req_cookie(req, "fb_session");
	username = json_string_value(json_object_get(body, "username"));
	code = json_string_value(json_object_get(body, "code"));
	/* the enrolment page posts its link back: the session begins here, from our own origin */
	if (username != NULL && code != NULL && *code != '\0') {
		if ((r = br_enrol_open_link(app, &who, username, code, 1, &v)) != BR_RESULT_OK) {
			br_reply_error(app, req, res, r == BR_RESULT_LINK_REFUSED ? BR_RESULT_EXPIRED : r);
			goto out;
		}
		sid = v.session_id;
		br_res_cookie(res, req, "fb_session", sid, BR_SESSION_TTL, 0);
	}
	r = br_registration_options_ext(app, &who, sid, json_is_true(json_object_get(body, "conditional")), &pk);
	if (r == BR_RESULT_OK)
		br_res_json(res, 200, json_pack("{s:b, s:o}", "ok", 1, "publicKey", pk));
	else
		br_reply_error(app, req, res, r);
out:
	br_enrol_view_reset(&v);
	json_decref(body);
}

void
h_api_reg_verify(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	br_registration_done done;
	json_t *body;
	br_result r;

	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	{
		br_registration_opts o = {
			.nickname = json_string_value(json_object_get(body, "nickname")),
			.nickname_is_guess = json_is_true(json_object_get(body, "nickname_is_guess")),
			.conditional = json_is_true(json_object_get(body, "conditional")),
		};
		r = br_registration_verify_opts(app, &who, br_req_cookie(req, "fb_session"), json_object_get(body, "credential"),
		    &o, &done);
	}
	if (r != BR_RESULT_OK) {
		br_reply_error(app, req, res, r);
	} else if (done.enrolled) {
		if (done.session_id[0] != '\0')
			br_res_cookie(res, req, "fb_session", done.session_id, BR_SESSION_TTL, 0);
		else
			br_res_cookie(res, req, "fb_session", "", -1, 0);
		br_reply_next(res, "/enrolled");
	} else {
		br_reply_next(res, "/passkeys");
	}
	json_decref(body);
}
