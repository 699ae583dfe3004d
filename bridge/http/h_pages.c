/* The pages: sign-in, enrolment, My passkeys. */
#include <stdlib.h>
#include <string.h>

#include "../app/enrolment.h"
#include "../app/flow.h"
#include "../core/timefmt.h"
#include "guard.h"
#include "routes.h"
#include "session.h"

static void
send_page(br_app *app, const br_request *req, br_response *res, const char *page, const br_var *v, size_t n)
{
	const char *lang = br_req_lang(req), *q = br_req_query(req, "lang", NULL);
	char *html = br_render(app->tpl, page, lang, v, n);

	if (html == NULL) {
		br_res_text(res, 500, "text/plain; charset=utf-8", "internal error\n");
		return;
	}
	/* an explicit switch sticks for the next pages */
	if (q != NULL && (strcmp(q, "en") == 0 || strcmp(q, "ja") == 0))
		br_res_cookie(res, req, "fb_lang", lang, 86400 * 365, 0);
	br_res_text(res, 200, "text/html; charset=utf-8", html);
	free(html);
}

void
h_page_login(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	const char *id = br_req_cookie(req, "fb_flow"), *entity = "";
	char newid[BR_ID_LEN + 1];
	json_t *flow = NULL;
	int has_flow = 0;
	br_cache_rc rc = br_flow_get(app->cache, "flow", id, &flow);

	if (rc == BR_CACHE_OK) {
		has_flow = json_object_get(flow, "return") != NULL;
		if (has_flow)
			entity = json_string_value(json_object_get(flow, "entity"));
	} else if (rc == BR_CACHE_ERROR && id != NULL) {
		/* keep the cookie: replacing the flow would turn an IdP sign-in into a local one */
		br_reply_page_error(app, req, res, 503, "page.unavailable.title", "page.unavailable");
		return;
	} else {
		/* no IdP flow: a sign-in to My passkeys, still bound to this browser */
		json_t *local = json_pack("{s:b, s:I}", "local", 1, "created", (json_int_t)req->now);
		if (local == NULL || br_flow_create(app->cache, "flow", local, (unsigned)app->cfg.flow_ttl_s, newid) != BR_CACHE_OK) {
			json_decref(local);
			br_reply_page_error(app, req, res, 503, "page.unavailable.title", "page.unavailable");
			return;
		}
		json_decref(local);
		br_res_cookie(res, req, "fb_flow", newid, app->cfg.flow_ttl_s, 0);
	}
	{
		br_var v[] = {
			{ "has_flow", has_flow ? "1" : "0" },
			{ "entity", entity != NULL ? entity : "" },
			{ "cancel_url", "/authn/cancel" },
			{ "enroll_help_url", "/enroll" },
			{ "username", "" },
			{ "message", "" },
		};
		send_page(app, req, res, "login", v, sizeof(v) / sizeof(v[0]));
	}
	json_decref(flow);
}

void
h_page_enroll(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	const char *u = br_req_query(req, "u", NULL), *code = br_req_query(req, "c", NULL);
	char expires[24] = "";
	br_user *user = NULL;
	br_dir_rc rc;
	int i;

	if (u == NULL || code == NULL) {
		json_t *sess = br_session_get(app, req, "enrol");
		/* an enrolment begun by a directory password continues here */
		if (sess != NULL && br_dir_find_user(app->dir, json_string_value(json_object_get(sess, "username")), &user) == BR_DIR_OK) {
			br_var v[] = {
				{ "username", user->username },
				{ "display_name", br_user_attr(user, "displayName", user->username) },
				{ "code", "" },
				{ "expires", "" },
			};
			send_page(app, req, res, "enroll", v, sizeof(v) / sizeof(v[0]));
			br_user_free(&user);
		} else if (app->cfg.enrolment_allow_password) {
			br_var v[] = { { "username", "" } };
			send_page(app, req, res, "enroll-password", v, 1);
		} else {
			br_reply_page_error(app, req, res, 200, "page.enroll_help.title", "page.enroll_help");
		}
		json_decref(sess);
		return;
	}
	if (br_guard_rate(app, req, res, u, 0) < 0)
		return;
	rc = br_dir_find_user(app->dir, u, &user);
	if (rc == BR_DIR_ERROR) {
		br_reply_page_error(app, req, res, 503, "page.unavailable.title", "page.unavailable");
		return;
	}
	i = rc == BR_DIR_OK ? br_enrol_match(code, user->enrolment_codes, user->n_enrolment_codes, req->now) : -1;
	if (i < 0 || user->disabled) {
		br_event(app, req, "enrolment_link_refused", rc != BR_DIR_OK ? "unknown_user" : user->disabled ? "disabled" : "bad_code",
		    json_pack("{s:s}", "username", u));
		br_reply_page_error(app, req, res, 400, "page.enroll_link.title", "page.enroll_link");
		br_user_free(&user);
		return;
	}
	br_time_to_iso(br_enrol_expiry(user->enrolment_codes[i]), expires, sizeof(expires));
	/* the code is used up only when a passkey is registered with it */
	if (br_session_start(app, req, res, json_pack("{s:s, s:s, s:s}", "kind", "enrol", "username", user->username,
		"code", user->enrolment_codes[i])) < 0) {
		br_reply_page_error(app, req, res, 503, "page.unavailable.title", "page.unavailable");
		br_user_free(&user);
		return;
	}
	{
		br_var v[] = {
			{ "username", user->username },
			{ "display_name", br_user_attr(user, "displayName", user->username) },
			{ "code", code },
			{ "expires", expires },
		};
		send_page(app, req, res, "enroll", v, sizeof(v) / sizeof(v[0]));
	}
	br_user_free(&user);
}

void
h_page_enrolled(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	json_t *s = br_session_get(app, req, "enrolled");

	if (s == NULL) {
		/* a reload after the session or a bookmark: My passkeys (which asks to sign in) */
		br_res_redirect(res, strdup("/passkeys"));
		return;
	}
	{
		br_var v[] = {
			{ "display_name", json_string_value(json_object_get(s, "display_name")) },
			{ "passkeys_url", "/passkeys" },
		};
		send_page(app, req, res, "enrolled", v, sizeof(v) / sizeof(v[0]));
	}
	json_decref(s);
}

void
h_page_passkeys(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	json_t *s = br_session_get(app, req, "signin");

	if (s == NULL) {
		br_res_redirect(res, strdup("/login"));
		return;
	}
	{
		br_var v[] = {
			{ "username", json_string_value(json_object_get(s, "username")) },
			{ "display_name", json_string_value(json_object_get(s, "display_name")) },
		};
		send_page(app, req, res, "passkeys", v, sizeof(v) / sizeof(v[0]));
	}
	json_decref(s);
}
