#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "../core/b64url.h"
#include "../core/crypto.h"

#define KIND "session"

static const struct {
	br_session_kind kind;
	const char *name;
} kinds[] = {
	{ BR_SESSION_SIGNIN, "signin" },
	{ BR_SESSION_ENROL, "enrol" },
	{ BR_SESSION_ENROLLED, "enrolled" },
};

void
br_session_reset(br_session *s)
{
	free(s->username);
	free(s->display_name);
	free(s->code);
	memset(s, 0, sizeof(*s));
}

static const char *
kind_name(br_session_kind k)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].kind == k)
			return kinds[i].name;
	return NULL;
}

static int
from_json(const json_t *j, br_session *s)
{
	const char *k = json_string_value(json_object_get(j, "kind"));
	const json_t *at = json_object_get(j, "auth_instant");
	size_t i;

	for (i = 0; k != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].name, k) == 0)
			s->kind = kinds[i].kind;
	if (s->kind == 0 || br_record_str(j, "username", &s->username) < 0 || s->username == NULL ||
	    br_record_str(j, "display_name", &s->display_name) < 0 || br_record_str(j, "code", &s->code) < 0 ||
	    (at != NULL && !json_is_integer(at)))
		return -1;
	s->via_password = json_string_value(json_object_get(j, "via")) != NULL &&
	    strcmp(json_string_value(json_object_get(j, "via")), "password") == 0;
	s->auth_instant = at != NULL ? (int64_t)json_integer_value(at) : 0;
	return 0;
}

/* The note of a sign-out everywhere lives under an id made from the username. */
static int
signout_id(const char *username, char id[BR_ID_LEN + 1])
{
	unsigned char h[BR_SHA256_LEN];

	if (br_sha256(username, strlen(username), h) < 0)
		return -1;
	br_b64url_encode(h, sizeof(h), id);
	return 0;
}

/* Whether a sign-out everywhere came after this session began; an unreadable note counts as one. */
static int
signed_out(struct br_app *app, const br_session *s, int64_t now)
{
	char id[BR_ID_LEN + 1];
	json_t *note = NULL;
	br_cache_rc rc;
	int out;

	if (signout_id(s->username, id) < 0)
		return 1;
	rc = br_record_get(app, "signout", id, now, &note);
	if (rc == BR_CACHE_MISS)
		return 0;
	out = rc != BR_CACHE_OK || !json_is_integer(json_object_get(note, "after")) ||
	    s->auth_instant < (int64_t)json_integer_value(json_object_get(note, "after"));
	json_decref(note);
	return out;
}

br_cache_rc
br_session_end_all(struct br_app *app, const char *username, int64_t now)
{
	char id[BR_ID_LEN + 1];
	json_t *note = json_pack("{s:I}", "after", (json_int_t)now);
	br_cache_rc rc = note != NULL && signout_id(username, id) == 0 ?
	    br_record_put(app, "signout", id, note, BR_SESSION_TTL, now) : BR_CACHE_ERROR;

	json_decref(note);
	return rc;
}

br_cache_rc
br_session_load(struct br_app *app, const char *id, unsigned want, int64_t now, br_session *s)
{
	json_t *j = NULL;
	br_cache_rc rc = br_record_get(app, KIND, id, now, &j);

	memset(s, 0, sizeof(*s));
	if (rc == BR_CACHE_OK) {
		if (from_json(j, s) < 0 || (s->kind & want) == 0 ||
		    (s->kind == BR_SESSION_SIGNIN && signed_out(app, s, now))) {
			br_session_reset(s);
			rc = BR_CACHE_MISS;
		} else {
			memcpy(s->id, id, BR_ID_LEN + 1);
		}
	}
	json_decref(j);
	return rc;
}

br_cache_rc
br_session_start(struct br_app *app, br_session *s, int64_t now)
{
	json_t *j = json_pack("{s:s, s:s}", "kind", kind_name(s->kind), "username", s->username);
	br_cache_rc rc = BR_CACHE_ERROR;

	if (j == NULL)
		return rc;
	if ((s->display_name != NULL && json_object_set_new(j, "display_name", json_string(s->display_name)) < 0) ||
	    (s->code != NULL && json_object_set_new(j, "code", json_string(s->code)) < 0) ||
	    (s->via_password && json_object_set_new(j, "via", json_string("password")) < 0) ||
	    (s->auth_instant != 0 && json_object_set_new(j, "auth_instant", json_integer(s->auth_instant)) < 0))
		goto out;
	rc = br_record_create(app, KIND, j, BR_SESSION_TTL, now, s->id);
out:
	json_decref(j);
	return rc;
}

void
br_session_end(struct br_app *app, const char *id)
{
	br_record_drop(app, KIND, id);
}
