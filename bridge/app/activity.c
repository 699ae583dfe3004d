#include "activity.h"

#include <string.h>

#include "../core/b64url.h"
#include "../core/crypto.h"
#include "record.h"

#define KIND "activity"

static const char *const shown[] = {
	"signin_success", "signin_after_enrolment", "registration", "credential_renamed", "credential_deleted", "signed_out",
};

int
br_activity_event(const char *event)
{
	size_t i;

	for (i = 0; event != NULL && i < sizeof(shown) / sizeof(shown[0]); i++)
		if (strcmp(event, shown[i]) == 0)
			return 1;
	return 0;
}

/* The record's id: a hash of the username, so the cache holds no name. */
static int
list_id(const char *username, char id[BR_ID_LEN + 1])
{
	unsigned char h[BR_SHA256_LEN];

	if (br_sha256(username, strlen(username), h) < 0)
		return -1;
	br_b64url_encode(h, sizeof(h), id);
	return 0;
}

/* The stored list, or a new empty one; entries that are not objects are dropped. */
static json_t *
load(br_app *app, const char *id, int64_t now)
{
	json_t *rec = NULL, *items, *out = json_array(), *e;
	size_t i;

	if (br_record_get(app, KIND, id, now, &rec) == BR_CACHE_OK && json_is_array(items = json_object_get(rec, "items")))
		json_array_foreach(items, i, e)
			if (json_is_object(e) && json_array_size(out) < BR_ACTIVITY_MAX)
				json_array_append(out, e);
	json_decref(rec);
	return out;
}

int
br_activity_prepare(br_app *app, const br_caller *who, const char *username, const char *event, const json_t *fields,
    br_record_write *out)
{
	json_t *items, *e;
	/* the SP by the name the IdP gave it, else its entityID */
	const char *entity = json_string_value(json_object_get(fields, "sp_name")) != NULL ?
	    json_string_value(json_object_get(fields, "sp_name")) : json_string_value(json_object_get(fields, "entity"));
	const char *cred = json_string_value(json_object_get(fields, "credential_id"));

	memset(out, 0, sizeof(*out));
	if (app == NULL || app->cache == NULL || app->seal == NULL || username == NULL || who == NULL ||
	    list_id(username, out->id) < 0)
		return -1;
	items = load(app, out->id, who->now);
	e = json_pack("{s:s, s:I, s:s?, s:s?, s:s?}", "event", event, "ts", (json_int_t)who->now, "client", who->client,
	    "service", entity, "credential_id", cred);
	if (e == NULL) {
		json_decref(items);
		return -1;
	}
	json_array_insert_new(items, 0, e);
	while (json_array_size(items) > BR_ACTIVITY_MAX)
		json_array_remove(items, json_array_size(items) - 1);
	/* "o" takes the list, also when the pack fails */
	if ((out->obj = json_pack("{s:o}", "items", items)) == NULL)
		return -1;
	out->kind = KIND;
	out->ttl = BR_ACTIVITY_TTL;
	return 0;
}

void
br_activity_note(br_app *app, const br_caller *who, const char *username, const char *event, const json_t *fields)
{
	br_record_write w;

	if (br_activity_prepare(app, who, username, event, fields, &w) < 0)
		return;
	br_record_put(app, w.kind, w.id, w.obj, w.ttl, who->now);
	json_decref(w.obj);
}

json_t *
br_activity_list(br_app *app, const char *username, int64_t now)
{
	char id[BR_ID_LEN + 1];

	if (app->cache == NULL || app->seal == NULL || username == NULL || list_id(username, id) < 0)
		return json_array();
	return load(app, id, now);
}
