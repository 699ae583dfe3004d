/*
 * Optional: a first passkey after the directory password ([enrolment]
 * allow_password, off by default).
 */
#include <stdint.h>

#include "../app/enrol.h"
#include "handler.h"

void
h_api_enrol_password(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	char session_id[BR_ID_LEN + 1];
	json_t *body;
	br_result r;

	if (!app->cfg.enrolment_allow_password) {
		br_reply_error(app, req, res, BR_RESULT_NOT_ENABLED);
		return;
	}
	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	/* the service wipes the password in our parsed copy of the body */
	r = br_enrol_by_password(app, &who, json_string_value(json_object_get(body, "username")),
	    (char *)(uintptr_t)json_string_value(json_object_get(body, "password")), session_id);
	if (r == BR_RESULT_OK) {
		br_res_cookie(res, req, "fb_session", session_id, BR_SESSION_TTL, 0);
		br_reply_next(res, "/enroll");
	} else {
		br_reply_error(app, req, res, r);
	}
	json_decref(body);
}
