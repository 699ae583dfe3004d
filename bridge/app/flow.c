#include "flow.h"

#include <stdlib.h>
#include <string.h>

#define KIND "flow"

void
br_flow_reset(br_flow *f)
{
	free(f->conversation);
	free(f->state);
	free(f->return_url);
	free(f->entity);
	free(f->sp_name);
	free(f->principal);
	free(f->ticket);
	free(f->error);
	memset(f, 0, sizeof(*f));
}

int
br_flow_set(char **field, const char *v)
{
	char *d = v != NULL ? strdup(v) : NULL;

	if (v != NULL && d == NULL)
		return -1;
	free(*field);
	*field = d;
	return 0;
}

json_t *
br_flow_to_json(const br_flow *f)
{
	json_t *j;

	if (!f->idp)
		return json_pack("{s:b, s:I}", "local", 1, "created", (json_int_t)f->created);
	j = json_pack("{s:s, s:s, s:s, s:s, s:b, s:I}", "conversation", f->conversation, "state", f->state, "return",
	    f->return_url, "entity", f->entity != NULL ? f->entity : "", "force", f->force, "created", (json_int_t)f->created);
	if (j != NULL && f->sp_name != NULL && json_object_set_new(j, "sp_name", json_string(f->sp_name)) < 0)
		goto fail;
	if (j != NULL && f->principal != NULL && json_object_set_new(j, "principal", json_string(f->principal)) < 0)
		goto fail;
	if (j != NULL && f->ticket != NULL && json_object_set_new(j, "ticket", json_string(f->ticket)) < 0)
		goto fail;
	if (j != NULL && f->error != NULL && json_object_set_new(j, "error", json_string(f->error)) < 0)
		goto fail;
	return j;
fail:
	json_decref(j);
	return NULL;
}

int
br_flow_from_json(const json_t *j, br_flow *f)
{
	const json_t *created = json_object_get(j, "created"), *force = json_object_get(j, "force");
	char id[BR_ID_LEN + 1];

	memcpy(id, f->id, sizeof(id));
	br_flow_reset(f);
	memcpy(f->id, id, sizeof(id));
	if (!json_is_object(j) || !json_is_integer(created))
		return -1;
	f->created = (int64_t)json_integer_value(created);
	f->idp = json_object_get(j, "return") != NULL;
	if (!f->idp)
		return json_is_true(json_object_get(j, "local")) ? 0 : -1;
	if (br_record_str(j, "conversation", &f->conversation) < 0 || br_record_str(j, "state", &f->state) < 0 ||
	    br_record_str(j, "return", &f->return_url) < 0 || br_record_str(j, "entity", &f->entity) < 0 ||
	    br_record_str(j, "ticket", &f->ticket) < 0 || br_record_str(j, "error", &f->error) < 0 ||
	    br_record_str(j, "sp_name", &f->sp_name) < 0 || br_record_str(j, "principal", &f->principal) < 0 ||
	    f->conversation == NULL || f->state == NULL || f->return_url == NULL || f->entity == NULL ||
	    (force != NULL && !json_is_boolean(force)))
		goto fail;
	f->force = json_is_true(force);
	return 0;
fail:
	br_flow_reset(f);
	memcpy(f->id, id, sizeof(id));
	return -1;
}

br_cache_rc
br_flow_create(struct br_app *app, br_flow *f, unsigned ttl, int64_t now)
{
	json_t *j = br_flow_to_json(f);
	br_cache_rc rc = j != NULL ? br_record_create(app, KIND, j, ttl, now, f->id) : BR_CACHE_ERROR;

	json_decref(j);
	return rc;
}

static br_cache_rc
loaded(br_cache_rc rc, json_t *j, const char *id, br_flow *f)
{
	memset(f, 0, sizeof(*f));
	if (rc == BR_CACHE_OK) {
		memcpy(f->id, id, BR_ID_LEN + 1);
		if (br_flow_from_json(j, f) < 0)
			rc = BR_CACHE_INVALID;
	}
	json_decref(j);
	return rc;
}

br_cache_rc
br_flow_load(struct br_app *app, const char *id, int64_t now, br_flow *f)
{
	json_t *j = NULL;
	br_cache_rc rc = br_record_get(app, KIND, id, now, &j);

	return loaded(rc, j, id, f);
}

br_cache_rc
br_flow_take(struct br_app *app, const char *id, int64_t now, br_flow *f)
{
	json_t *j = NULL;
	br_cache_rc rc = br_record_take(app, KIND, id, now, &j);

	return loaded(rc, j, id, f);
}

br_cache_rc
br_flow_save(struct br_app *app, const br_flow *f, unsigned ttl, int64_t now)
{
	json_t *j = br_flow_to_json(f);
	br_cache_rc rc = j != NULL ? br_record_put(app, KIND, f->id, j, ttl, now) : BR_CACHE_ERROR;

	json_decref(j);
	return rc;
}

br_cache_rc
br_flow_save_after(struct br_app *app, const br_cache_item *first, const br_flow *f, unsigned ttl, int64_t now,
    br_cache_rc *first_rc, const br_record_write *also)
{
	json_t *j = br_flow_to_json(f);
	br_cache_rc rc = BR_CACHE_ERROR;

	*first_rc = BR_CACHE_ERROR;
	if (j != NULL)
		rc = br_record_put_after(app, first, KIND, f->id, j, ttl, now, first_rc, also);
	json_decref(j);
	return rc;
}

br_cache_rc
br_flow_drop(struct br_app *app, const char *id)
{
	return br_record_drop(app, KIND, id);
}
