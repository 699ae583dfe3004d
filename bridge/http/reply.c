#include "reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../app/events.h"

/* One row per result: what a JSON client gets, and what a page shows. */
static const struct {
	int status;
	const char *page;       /* i18n key of the page message (".title" added for its title) */
	const char *hint;       /* i18n key of what to do next; NULL: "error.hint" (start again from the service) */
} rows[BR_RESULT__COUNT] = {
	[BR_RESULT_OK] = { 200, NULL, NULL },
	[BR_RESULT_BAD_REQUEST] = { 400, "page.expired", NULL },
	[BR_RESULT_FORBIDDEN] = { 403, "page.expired", NULL },
	[BR_RESULT_NOT_ENABLED] = { 404, "page.enroll_help", "page.enroll_help.hint" },
	[BR_RESULT_EXPIRED] = { 400, "page.expired", NULL },
	[BR_RESULT_FAILED] = { 403, "page.expired", NULL },
	[BR_RESULT_NOT_OURS] = { 400, "page.expired", NULL },
	[BR_RESULT_UNKNOWN_ACCOUNT] = { 404, "page.expired", NULL },
	[BR_RESULT_NO_CREDENTIALS] = { 403, "page.expired", NULL },
	[BR_RESULT_UNKNOWN_CREDENTIAL] = { 404, "page.expired", NULL },
	[BR_RESULT_ACCOUNT_DISABLED] = { 403, "page.expired", NULL },
	[BR_RESULT_RATE_LIMITED] = { 429, "page.rate_limited", NULL },
	[BR_RESULT_LAST_PASSKEY] = { 409, "page.expired", NULL },
	[BR_RESULT_ALREADY_REGISTERED] = { 409, "page.expired", NULL },
	[BR_RESULT_HAS_PASSKEYS] = { 403, "page.expired", NULL },
	[BR_RESULT_REAUTHENTICATE] = { 403, "page.expired", NULL },
	[BR_RESULT_BAD_START] = { 400, "page.start", NULL },
	[BR_RESULT_LINK_REFUSED] = { 400, "page.enroll_link", "page.enroll_link.hint" },
	[BR_RESULT_UNAVAILABLE] = { 503, "page.unavailable", NULL },
	[BR_RESULT_INTERNAL] = { 500, "page.unavailable", NULL },
	[BR_RESULT_AUTHENTICATOR_REFUSED] = { 403, "page.expired", NULL },
};

/* Results a JSON call can end with: each needs its err.<code> string. */
static int
json_result(br_result r)
{
	return r != BR_RESULT_OK && r != BR_RESULT_BAD_START && r != BR_RESULT_LINK_REFUSED;
}

const char *
br_req_lang(const br_request *req)
{
	return br_lang_pick(br_req_query(req, "lang", NULL), br_req_cookie(req, "fb_lang"),
	    br_req_header(req, "Accept-Language"));
}

int
br_reply_status(br_result r)
{
	return (unsigned)r < BR_RESULT__COUNT ? rows[r].status : 500;
}

void
br_reply_error(br_app *app, const br_request *req, br_response *res, br_result r)
{
	char key[64];
	const char *code = br_result_code(r);

	snprintf(key, sizeof(key), "err.%s", code);
	br_res_json(res, br_reply_status(r), json_pack("{s:b, s:s, s:s}", "ok", 0, "error", code,
	    "message", app->tpl != NULL ? br_t(app->tpl, br_req_lang(req), key) : ""));
}

/*
 * The error page: what went wrong, what to do next, and a reference id with
 * the time for the help desk. The same id is in every audit line of the
 * request, and in an "error_page" line of its own, so that it always finds one.
 */
static void
error_page(br_app *app, const br_request *req, br_response *res, int status, const char *page, const char *hint)
{
	const char *lang = br_req_lang(req);
	br_caller who = { req->client, req->now, req->ref };
	char title[64], when[32];
	time_t now = (time_t)req->now;
	struct tm tm;
	char *html;

	snprintf(title, sizeof(title), "%s.title", page);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	{
		br_var v[] = {
			{ "title", br_t(app->tpl, lang, title) },
			{ "message", br_t(app->tpl, lang, page) },
			{ "hint", br_t(app->tpl, lang, hint != NULL ? hint : "error.hint") },
			{ "ref", req->ref },
			{ "when", when },
		};
		html = br_render(app->tpl, "error", lang, v, sizeof(v) / sizeof(v[0]));
	}
	br_event(app, &who, "error_page", page, json_pack("{s:i, s:s}", "status", status, "path", req->path));
	if (html == NULL) {
		br_res_text(res, 500, "text/plain; charset=utf-8", "internal error\n");
		return;
	}
	br_res_text(res, status, "text/html; charset=utf-8", html);
	free(html);
}

void
br_reply_error_page(br_app *app, const br_request *req, br_response *res, br_result r)
{
	int known = (unsigned)r < BR_RESULT__COUNT && rows[r].page != NULL;

	error_page(app, req, res, br_reply_status(r), known ? rows[r].page : "page.unavailable", known ? rows[r].hint : NULL);
}

void
br_reply_refusal_page(br_app *app, const br_request *req, br_response *res, int status, const char *key)
{
	error_page(app, req, res, status, key, NULL);
}

void
br_reply_done_page(br_app *app, const br_request *req, br_response *res, const char *key)
{
	const char *lang = br_req_lang(req);
	char title[64];

	snprintf(title, sizeof(title), "%s.title", key);
	{
		br_var v[] = {
			{ "title", br_t(app->tpl, lang, title) },
			{ "message", br_t(app->tpl, lang, key) },
			{ "back_url", "/passkeys" },
		};
		br_reply_page(app, req, res, "notice", v, sizeof(v) / sizeof(v[0]));
	}
}

void
br_reply_page_status(br_app *app, const br_request *req, br_response *res, int status, const char *page,
    const br_var *v, size_t n)
{
	const char *lang = br_req_lang(req), *q = br_req_query(req, "lang", NULL);
	char *html = br_render(app->tpl, page, lang, v, n);

	if (html == NULL) {
		br_res_text(res, 500, "text/plain; charset=utf-8", "internal error\n");
		return;
	}
	/* an explicit switch sticks for the next pages */
	if (q != NULL && strcmp(q, lang) == 0)
		br_res_cookie(res, req, "fb_lang", lang, 86400 * 365, 0);
	br_res_text(res, status, "text/html; charset=utf-8", html);
	free(html);
}

void
br_reply_page(br_app *app, const br_request *req, br_response *res, const char *page, const br_var *v, size_t n)
{
	br_reply_page_status(app, req, res, 200, page, v, n);
}

static int
string_missing(const br_templates *t, const char *key, char *err, size_t errlen)
{
	size_t l;

	for (l = 0; l < br_lang_count(); l++)
		if (*br_t(t, br_lang_code(l), key) == '\0') {
			snprintf(err, errlen, "templates: string \"%s\" missing from i18n/%s.json", key, br_lang_code(l));
			return 1;
		}
	return 0;
}

int
br_reply_check_strings(const br_templates *t, char *err, size_t errlen)
{
	char key[80];
	size_t i;

	for (i = 0; i < BR_RESULT__COUNT; i++) {
		if (rows[i].page != NULL) {
			snprintf(key, sizeof(key), "%s.title", rows[i].page);
			if (string_missing(t, rows[i].page, err, errlen) || string_missing(t, key, err, errlen) ||
			    (rows[i].hint != NULL && string_missing(t, rows[i].hint, err, errlen)))
				return -1;
		}
		if (json_result((br_result)i)) {
			snprintf(key, sizeof(key), "err.%s", br_result_code((br_result)i));
			if (string_missing(t, key, err, errlen))
				return -1;
		}
	}
	return 0;
}
