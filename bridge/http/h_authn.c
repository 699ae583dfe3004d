/* The IdP handoff: /authn/start, /authn/finish, /authn/cancel (docs/handoff-protocol.md). */
#include <stdlib.h>
#include <string.h>

#include "../app/flow.h"
#include "guard.h"
#include "routes.h"

static const char *
param(const br_request *req, const char *name)
{
	int n = 0;
	const char *v = br_req_query(req, name, &n);

	/* a repeated parameter is as bad as a missing one: which one was signed? */
	return n == 1 ? v : NULL;
}

void
h_authn_start(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_handoff_start s = {
		param(req, "conversation"), param(req, "state"), param(req, "return"), param(req, "entity"),
		param(req, "force"), param(req, "passive"), param(req, "ts"), param(req, "sig"),
	};
	char id[BR_ID_LEN + 1];
	br_handoff_rc rc;
	json_t *flow;

	if (br_guard_rate(app, req, res, NULL, 0) < 0)
		return;
	rc = br_handoff_check_start(&s, &app->secrets, req->now, app->cfg.max_clock_skew_s,
	    app->cfg.return_urls.v, app->cfg.return_urls.n);
	if (rc != BR_HANDOFF_OK) {
		/* never redirect: return is not trusted until all of the above holds */
		br_event(app, req, "handoff_rejected", br_handoff_rc_name(rc),
		    json_pack("{s:s?}", "entity", s.entity));
		br_reply_page_error(app, req, res, 400, "page.start.title", "page.start");
		return;
	}
	if (strcmp(s.passive, "1") == 0) {
		br_event(app, req, "handoff_passive", "NoPassive", json_pack("{s:s}", "entity", s.entity));
		br_res_redirect(res, br_handoff_return(s.return_url, s.conversation, s.state, "error", "NoPassive"));
		return;
	}
	flow = json_pack("{s:s, s:s, s:s, s:s, s:b, s:I}", "conversation", s.conversation, "state", s.state,
	    "return", s.return_url, "entity", s.entity, "force", strcmp(s.force, "1") == 0, "created", (json_int_t)req->now);
	if (flow == NULL || br_flow_create(app->cache, "flow", flow, (unsigned)app->cfg.flow_ttl_s, id) != BR_CACHE_OK) {
		json_decref(flow);
		br_event(app, req, "handoff_failed", "cache_error", NULL);
		br_reply_page_error(app, req, res, 503, "page.unavailable.title", "page.unavailable");
		return;
	}
	json_decref(flow);
	br_event(app, req, "handoff_started", NULL, json_pack("{s:s, s:b}", "entity", s.entity, "force", strcmp(s.force, "1") == 0));
	br_res_cookie(res, req, "fb_flow", id, app->cfg.flow_ttl_s, 0);
	br_res_redirect(res, strdup("/login"));
}

/* Send the browser back to the IdP with key=value, using (and consuming) the flow. */
static void
back_to_idp(br_app *app, const br_request *req, br_response *res, json_t *flow, const char *key, const char *value)
{
	const char *ret = json_string_value(json_object_get(flow, "return"));
	const char *conv = json_string_value(json_object_get(flow, "conversation"));
	const char *state = json_string_value(json_object_get(flow, "state"));

	br_res_cookie(res, req, "fb_flow", "", -1, 0);
	if (ret == NULL || conv == NULL || state == NULL) {
		br_reply_page_error(app, req, res, 400, "page.expired.title", "page.expired");
		return;
	}
	br_res_redirect(res, br_handoff_return(ret, conv, state, key, value));
}

void
h_authn_finish(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	const char *id = br_req_cookie(req, "fb_flow"), *ticket, *error;
	json_t *flow = NULL;
	br_cache_rc rc = br_flow_take(app->cache, "flow", id, &flow);

	if (rc != BR_CACHE_OK || json_object_get(flow, "return") == NULL) {
		json_decref(flow);
		br_reply_page_error(app, req, res, rc == BR_CACHE_ERROR ? 503 : 400,
		    rc == BR_CACHE_ERROR ? "page.unavailable.title" : "page.expired.title",
		    rc == BR_CACHE_ERROR ? "page.unavailable" : "page.expired");
		return;
	}
	ticket = json_string_value(json_object_get(flow, "ticket"));
	error = json_string_value(json_object_get(flow, "error"));
	if (ticket != NULL) {
		back_to_idp(app, req, res, flow, "ticket", ticket);
	} else if (error != NULL) {
		back_to_idp(app, req, res, flow, "error", error);
	} else {
		/* not signed in yet: put the flow back and return to the page */
		br_flow_put(app->cache, "flow", id, flow, (unsigned)app->cfg.flow_ttl_s);
		br_res_redirect(res, strdup("/login"));
	}
	json_decref(flow);
}

void
h_authn_cancel(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	const char *id = br_req_cookie(req, "fb_flow"), *reason = br_req_query(req, "reason", NULL), *error;
	json_t *flow = NULL;

	if (br_flow_take(app->cache, "flow", id, &flow) != BR_CACHE_OK || json_object_get(flow, "return") == NULL) {
		json_decref(flow);
		br_reply_page_error(app, req, res, 400, "page.expired.title", "page.expired");
		return;
	}
	/* a verdict reached in the flow (disabled account, clone) outranks the user's choice */
	error = json_string_value(json_object_get(flow, "error"));
	if (error == NULL)
		error = reason != NULL && strcmp(reason, "expired") == 0 ? "Expired" : "NoCredentials";
	br_event(app, req, "handoff_cancelled", error, json_pack("{s:s?}", "entity",
	    json_string_value(json_object_get(flow, "entity"))));
	back_to_idp(app, req, res, flow, "error", error);
	json_decref(flow);
}
