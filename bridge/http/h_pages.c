/* The pages: sign-in, enrolment, My passkeys; "/" and the page for an unknown path. */
#include <stdlib.h>
#include <string.h>

#include "../app/certsignin.h"
#include "../app/enrol.h"
#include "../app/login.h"
#include "handler.h"

void
h_page_login(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	const char *f = br_req_query(req, "for", NULL);
	br_login_page p;
	br_result r = br_login_page_split(app, &who, br_req_cookie(req, "fb_flow"), br_req_cookie(req, "fb_local"),
	    f != NULL && strcmp(f, "passkeys") == 0, &p);

	if (r != BR_RESULT_OK) {
		br_reply_error_page(app, req, res, r);
		br_login_page_reset(&p);
		return;
	}
	/* a new flow is always a local one: an IdP flow has its cookie from /authn/start */
	if (p.flow_id[0] != '\0')
		br_res_cookie(res, req, "fb_local", p.flow_id, app->cfg.flow_ttl_s, 0);
	{
		br_var v[] = {
			{ "has_flow", p.idp ? "1" : "0" },
			{ "signin_for", p.idp ? "idp" : "passkeys" },
			{ "entity", p.entity != NULL ? p.entity : "" },
			{ "service", p.service != NULL ? p.service : "" },
			{ "cancel_url", "/authn/cancel" },
			/* the help page leads back to this same sign-in */
			{ "enroll_help_url", p.idp ? "/enroll" : "/enroll?back=passkeys" },
			{ "username", p.principal != NULL ? p.principal : "" },
			{ "message", "" },
			{ "cert_enabled", app->cfg.cert_enabled ? "1" : "0" },
			{ "cert_url", "/authn/certificate/start" },
			{ "cert_label", app->cfg.cert_label != NULL && app->cfg.cert_label[0] != '\0' ? app->cfg.cert_label :
			    br_t(app->tpl, br_req_lang(req), "signin.cert_link") },
		};
		br_reply_page(app, req, res, "login", v, sizeof(v) / sizeof(v[0]));
	}
	br_login_page_reset(&p);
}

static void
enrol_page(br_app *app, const br_request *req, br_response *res, const br_enrol_view *v, const char *code)
{
	br_var vars[] = {
		{ "username", v->username },
		{ "display_name", v->display_name },
		{ "code", code },
		{ "expires", v->expires },
	};

	br_reply_page(app, req, res, "enroll", vars, sizeof(vars) / sizeof(vars[0]));
}

void
h_page_enroll(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	const char *u = br_req_query(req, "u", NULL), *code = br_req_query(req, "c", NULL);
	br_enrol_view v;
	br_result r;

	if (u == NULL || code == NULL) {
		/* an enrolment begun by a directory password continues here */
		if (br_enrol_continue(app, &who, br_req_cookie(req, "fb_session"), &v) == BR_RESULT_OK) {
			enrol_page(app, req, res, &v, "");
		} else if (app->cfg.enrolment_allow_password) {
			br_var pv[] = { { "username", "" } };
			br_reply_page(app, req, res, "enroll-password", pv, 1);
		} else {
			/* "Set up a passkey" from the sign-in: how to get a link, and the way back (a flow stays as it was) */
			const char *back = br_req_query(req, "back", NULL);
			br_var hv[] = { { "back_url", back != NULL && strcmp(back, "passkeys") == 0 ? "/login?for=passkeys" : "/login" } };
			br_reply_page(app, req, res, "enroll-help", hv, 1);
		}
		br_enrol_view_reset(&v);
		return;
	}
	/* checked only: the session starts when the page posts the link back (a GET changes nothing) */
	r = br_enrol_open_link(app, &who, u, code, 0, &v);
	if (r == BR_RESULT_OK) {
		enrol_page(app, req, res, &v, code);
	} else {
		br_reply_error_page(app, req, res, r);
	}
	br_enrol_view_reset(&v);
}

void
h_page_enrolled(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_session s;

	if (br_session_load(app, br_req_cookie(req, "fb_session"), BR_SESSION_ENROLLED, req->now, &s) != BR_CACHE_OK) {
		/* a reload after the session or a bookmark: My passkeys (which asks to sign in) */
		br_res_redirect(res, strdup("/passkeys"));
		return;
	}
	{
		br_var v[] = {
			{ "display_name", s.display_name },
			{ "passkeys_url", "/enrolled" },
		};
		br_reply_page(app, req, res, "enrolled", v, sizeof(v) / sizeof(v[0]));
	}
	br_session_reset(&s);
}

/* "Go to My passkeys" on the "ready" page (a form: a GET another site makes changes nothing). */
void
h_enrolled_continue(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_caller who = br_req_caller(req);
	char id[BR_ID_LEN + 1];

	if (br_guard_form(app, req, res) < 0)
		return;
	if (br_enrol_to_passkeys(app, &who, br_req_cookie(req, "fb_session"), id) == BR_RESULT_OK)
		br_res_cookie(res, req, "fb_session", id, BR_SESSION_TTL, 0);
	/* without the session (reloaded late, a second tab): My passkeys asks to sign in */
	br_res_redirect(res, strdup("/passkeys"));
}

void
h_page_passkeys(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_session s;

	if (br_session_load(app, br_req_cookie(req, "fb_session"), BR_SESSION_SIGNIN, req->now, &s) != BR_CACHE_OK) {
		/* My passkeys' own sign-in: never the IdP flow this browser may have waiting */
		br_res_redirect(res, strdup("/login?for=passkeys"));
		return;
	}
	{
		br_var v[] = {
			{ "username", s.username },
			{ "display_name", s.display_name },
			{ "cert_pairing", br_cert_pairing_offered(app) ? "1" : "0" },
		};
		br_reply_page(app, req, res, "passkeys", v, sizeof(v) / sizeof(v[0]));
	}
	br_session_reset(&s);
}

/* The bridge's own address: My passkeys when signed in, else the sign-in. */
void
h_root(void *ctx, const br_request *req, br_response *res)
{
	br_app *app = ctx;
	br_session s;
	int signed_in = br_session_load(app, br_req_cookie(req, "fb_session"), BR_SESSION_SIGNIN, req->now, &s) == BR_CACHE_OK;

	br_session_reset(&s);
	br_res_redirect(res, strdup(signed_in ? "/passkeys" : "/login?for=passkeys"));
}

/* Any path no route has: a page in the user's language with the way to the sign-in. */
void
h_not_found(void *ctx, const br_request *req, br_response *res)
{
	br_reply_page_status(ctx, req, res, 404, "not-found", NULL, 0);
}
