/* The IdP handoff: /authn/start, /authn/finish, /authn/cancel (docs/handoff-protocol.md). */
#include <stdlib.h>
#include <string.h>

#include "../app/login.h"
#include "handler.h"

static const char *
param(const br_request *req, const char *name)
{
	int n = 0;
	const char *v = br_req_query(req, name, &n);

	/* a repeated parameter is as bad as a missing one: which one was signed? */
	return n == 1 ? v : NULL;
}

/* An optional parameter: absent, or there once; a repeated one is present and empty, which is malformed. */
static const char *
optional(const br_request *req, const char *name)
{
	int n = 0;
	const char *v = br_req_query(req, name, &n);

	return n == 0 ? NULL : n == 1 ? v : "";
}

/* Where a login goes next: back to the IdP, or to the sign-in page. */
static void
go(const br_request *req, br_response *res, br_login_next *next, int flow_ttl)
{
	if (next->flow_done)
		br_res_cookie(res, req, "fb_flow", "", -1, 0);
	else if (next->flow_id[0] != '\0')
		br_res_cookie(res, req, "fb_flow", next->flow_id, flow_ttl, 0);
	br_res_redirect(res, next->back_url != NULL ? next->back_url : strdup("/login"));
	next->back_url = NULL;
}

void
h_authn_start(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	br_handoff_start s = {
		param(req, "conversation"), param(req, "state"), param(req, "return"), param(req, "entity"),
		param(req, "force"), param(req, "passive"), param(req, "ts"), param(req, "sig"),
	};
	br_handoff_ext x = { optional(req, "principal"), optional(req, "sp_name") };
	br_login_next next;
	br_result r = br_login_start(app, &who, &s, &x, &next);

	if (r == BR_RESULT_OK)
		go(req, res, &next, app->cfg.flow_ttl_s);
	else
		br_reply_error_page(app, req, res, r);
	br_login_next_reset(&next);
}

void
h_authn_finish(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	br_login_next next;
	br_result r = br_login_finish(app, &who, br_req_cookie(req, "fb_flow"), &next);

	if (r == BR_RESULT_OK)
		go(req, res, &next, app->cfg.flow_ttl_s);
	else
		br_reply_error_page(app, req, res, r);
	br_login_next_reset(&next);
}

/* "Use another way": a JSON POST from the page (Origin ours), which then goes to /authn/finish. */
void
h_authn_cancel(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	json_t *body;
	br_result r;

	if ((body = br_guard_json(app, req, res)) == NULL)
		return;
	r = br_login_cancel(app, &who, br_req_cookie(req, "fb_flow"), json_string_value(json_object_get(body, "reason")));
	if (r == BR_RESULT_OK)
		br_reply_next(res, "/authn/finish");
	else
		br_reply_error(app, req, res, r);
	json_decref(body);
}
