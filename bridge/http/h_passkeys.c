/* My passkeys: list, rename, delete (for a passkey sign-in session). */
#include <stdlib.h>
#include <string.h>

#include "../app/passkeys.h"
#include "handler.h"

void
h_api_passkeys_list(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	json_t *list = NULL;
	br_result r = br_passkeys_list(app, &who, br_req_cookie(req, "fb_session"), &list);

	if (r != BR_RESULT_OK) {
		br_reply_error(app, req, res, r);
		return;
	}
	json_object_set_new(list, "ok", json_true());
	br_res_json(res, 200, list);
}

/* A form on My passkeys: this session ends, and the account's sessions on every other device. */
void
h_signout(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	br_result r;

	if (br_guard_form(app, req, res) < 0)
		return;
	r = br_passkeys_signout(app, &who, br_req_cookie(req, "fb_session"));
	br_res_cookie(res, req, "fb_session", "", -1, 0);
	if (r == BR_RESULT_OK || r == BR_RESULT_FORBIDDEN)
		br_res_redirect(res, strdup("/login?for=passkeys"));
	else
		br_reply_error_page(app, req, res, r);
}

void
h_api_passkeys_rename(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	json_t *body;
	br_result r;

	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	r = br_passkeys_rename(app, &who, br_req_cookie(req, "fb_session"), json_string_value(json_object_get(body, "id")),
	    json_string_value(json_object_get(body, "nickname")));
	if (r == BR_RESULT_OK)
		br_res_json(res, 200, json_pack("{s:b}", "ok", 1));
	else
		br_reply_error(app, req, res, r);
	json_decref(body);
}

void
h_api_passkeys_delete(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	json_t *body;
	br_result r;

	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	r = br_passkeys_delete(app, &who, br_req_cookie(req, "fb_session"), json_string_value(json_object_get(body, "id")),
	    json_is_true(json_object_get(body, "confirm")));
	if (r == BR_RESULT_OK)
		br_res_json(res, 200, json_pack("{s:b}", "ok", 1));
	else
		br_reply_error(app, req, res, r);
	json_decref(body);
}
