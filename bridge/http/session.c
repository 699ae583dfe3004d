#include "session.h"

#include <string.h>

#include "../app/flow.h"

json_t *
br_session_get(br_app *app, const br_request *req, const char *kind)
{
	json_t *s = NULL;
	const char *k;

	if (br_flow_get(app->cache, "session", br_req_cookie(req, "fb_session"), &s) != BR_CACHE_OK)
		return NULL;
	k = json_string_value(json_object_get(s, "kind"));
	if (k == NULL || strcmp(k, kind) != 0 || json_string_value(json_object_get(s, "username")) == NULL) {
		json_decref(s);
		return NULL;
	}
	return s;
}

int
br_session_start(br_app *app, const br_request *req, br_response *res, json_t *record)
{
	char id[BR_ID_LEN + 1];
	br_cache_rc rc = record != NULL ? br_flow_create(app->cache, "session", record, BR_SESSION_TTL, id) : BR_CACHE_ERROR;

	json_decref(record);
	if (rc != BR_CACHE_OK)
		return -1;
	br_res_cookie(res, req, "fb_session", id, BR_SESSION_TTL, 0);
	return 0;
}

void
br_session_end(br_app *app, const br_request *req, br_response *res)
{
	br_flow_drop(app->cache, "session", br_req_cookie(req, "fb_session"));
	br_res_cookie(res, req, "fb_session", "", -1, 0);
}

const char *
br_user_attr(const br_user *u, const char *name, const char *fallback)
{
	const char *v = json_string_value(json_array_get(json_object_get(u->attributes, name), 0));

	return v != NULL && *v != '\0' ? v : fallback;
}
