#include "json_guard.h"

#include <string.h>
#include <strings.h>

#include "reply.h"

static int
origin_allowed(const br_app *app, const char *origin)
{
	size_t i;

	for (i = 0; origin != NULL && i < app->cfg.origins.n; i++)
		if (strcmp(app->cfg.origins.v[i], origin) == 0)
			return 1;
	return 0;
}

int
br_content_type_is_json(const char *ct, size_t len)
{
	static const char want[] = "application/json";
	const size_t n = sizeof(want) - 1;
	size_t i;

	if (ct == NULL || len < n || strncasecmp(ct, want, n) != 0)
		return 0;
	/* then the end, or parameters (charset=utf-8): application/jsonx is another type */
	for (i = n; i < len && (ct[i] == ' ' || ct[i] == '\t'); i++)
		;
	return i == len || ct[i] == ';';
}

int
br_guard_form(br_app *app, const br_request *req, br_response *res)
{
	if (origin_allowed(app, br_req_header(req, "Origin")))
		return 0;
	br_reply_error_page(app, req, res, BR_RESULT_FORBIDDEN);
	return -1;
}

json_t *
br_guard_json(br_app *app, const br_request *req, br_response *res)
{
	const char *ct = br_req_header(req, "Content-Type");
	json_error_t je;
	json_t *body;

	if (!origin_allowed(app, br_req_header(req, "Origin"))) {
		br_reply_error(app, req, res, BR_RESULT_FORBIDDEN);
		return NULL;
	}
	if (ct == NULL || !br_content_type_is_json(ct, strlen(ct))) {
		br_reply_error(app, req, res, BR_RESULT_BAD_REQUEST);
		return NULL;
	}
	body = json_loadb((const char *)req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(body)) {
		json_decref(body);
		br_reply_error(app, req, res, BR_RESULT_BAD_REQUEST);
		return NULL;
	}
	return body;
}
