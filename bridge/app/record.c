#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/crypto.h"
#include "app.h"
#include "events.h"
#include "random.h"
#include "seal.h"

#define RECORD_MAX 16384        /* a flow or session is a few hundred bytes */

int
br_record_id_ok(const char *s)
{
	size_t i;

	if (s == NULL || strnlen(s, BR_ID_LEN + 1) != BR_ID_LEN)
		return 0;
	for (i = 0; i < BR_ID_LEN; i++) {
		char ch = s[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
			ch == '_'))
			return 0;
	}
	return 1;
}

static int
name(const br_app *app, int g, const char *kind, const char *id, char out[BR_SEAL_NAME_MAX])
{
	if (!br_record_id_ok(id))
		return -1;
	return br_seal_name(app->seal, g, kind, id, out, BR_SEAL_NAME_MAX);
}

int
br_record_key(const br_app *app, const char *kind, const char *id, char *out, size_t cap)
{
	char n[BR_SEAL_NAME_MAX];

	if (name(app, 0, kind, id, n) < 0 || strlen(n) >= cap)
		return -1;
	memcpy(out, n, strlen(n) + 1);
	return 0;
}

/* Seal obj for (kind, n): *box (malloc'd) and *boxlen, or -1. */
static int
seal(br_app *app, const char *kind, const char *n, const json_t *obj, unsigned ttl, int64_t now, unsigned char **box,
    size_t *boxlen)
{
	unsigned char nonce[BR_SEAL_NONCE_LEN];
	char *text = json_dumps(obj, JSON_COMPACT);
	size_t len;
	int rc = -1;

	*box = NULL;
	*boxlen = 0;
	if (text == NULL || (len = strlen(text)) > RECORD_MAX || (*box = malloc(len + BR_SEAL_OVERHEAD)) == NULL ||
	    br_random_bytes(nonce, sizeof(nonce)) < 0 ||
	    br_seal_close(app->seal, kind, n, now + (int64_t)ttl, nonce, text, len, *box, len + BR_SEAL_OVERHEAD, boxlen) < 0)
		goto out;
	rc = 0;
out:
	if (text != NULL) {
		br_wipe(text, strlen(text));
		free(text);
	}
	if (rc < 0) {
		free(*box);
		*box = NULL;
	}
	return rc;
}

/* Seal obj for (kind, n) and store it. */
static br_cache_rc
store(br_app *app, const char *kind, const char *n, const json_t *obj, unsigned ttl, int64_t now)
{
	unsigned char *box;
	size_t boxlen;
	br_cache_rc rc;

	if (seal(app, kind, n, obj, ttl, now, &box, &boxlen) < 0)
		return BR_CACHE_ERROR;
	rc = br_cache_set(app->cache, n, box, boxlen, ttl);
	free(box);
	return rc;
}

/* Open what the cache held: INVALID (and audited) for anything that is not our record of this kind and name. */
static br_cache_rc
open_box(br_app *app, const char *kind, const char *n, int64_t now, const char *box, size_t len, json_t **obj)
{
	unsigned char *pt;
	size_t ptlen = 0;
	json_error_t je;

	*obj = NULL;
	if (len < BR_SEAL_OVERHEAD || len > RECORD_MAX + BR_SEAL_OVERHEAD || (pt = malloc(len)) == NULL)
		goto refused;
	if (br_seal_open(app->seal, kind, n, now, (const unsigned char *)box, len, pt, len, &ptlen) == 0)
		*obj = json_loadb((const char *)pt, ptlen, JSON_REJECT_DUPLICATES, &je);
	br_wipe(pt, len);
	free(pt);
	if (json_is_object(*obj))
		return BR_CACHE_OK;
	json_decref(*obj);
	*obj = NULL;
refused:
	/* forged, moved, altered or written back after its time: a clean "expired" for the user */
	br_event(app, NULL, "record_refused", kind, NULL);
	return BR_CACHE_INVALID;
}

/* Get or take under the current name, then (during a rotation) the previous one. */
static br_cache_rc
fetch(br_app *app, const char *kind, const char *id, int64_t now, int take, json_t **obj)
{
	char n[BR_SEAL_NAME_MAX], *val = NULL;
	size_t len = 0;
	br_cache_rc rc = BR_CACHE_MISS;
	int g;

	*obj = NULL;
	for (g = 0; g < br_seal_generations(app->seal) && rc == BR_CACHE_MISS; g++) {
		if (name(app, g, kind, id, n) < 0)
			return BR_CACHE_MISS;
		rc = take ? br_cache_take(app->cache, n, &val, &len) : br_cache_get(app->cache, n, &val, &len);
	}
	if (rc != BR_CACHE_OK)
		return rc;
	rc = open_box(app, kind, n, now, val, len, obj);
	free(val);
	return rc;
}

br_cache_rc
br_record_create(br_app *app, const char *kind, const json_t *obj, unsigned ttl, int64_t now, char id_out[BR_ID_LEN + 1])
{
	char n[BR_SEAL_NAME_MAX];

	if (br_random_b64url(32, id_out, BR_ID_LEN + 1) < 0 || name(app, 0, kind, id_out, n) < 0)
		return BR_CACHE_ERROR;
	return store(app, kind, n, obj, ttl, now);
}

br_cache_rc
br_record_get(br_app *app, const char *kind, const char *id, int64_t now, json_t **obj)
{
	return fetch(app, kind, id, now, 0, obj);
}

br_cache_rc
br_record_take(br_app *app, const char *kind, const char *id, int64_t now, json_t **obj)
{
	return fetch(app, kind, id, now, 1, obj);
}

br_cache_rc
br_record_put(br_app *app, const char *kind, const char *id, const json_t *obj, unsigned ttl, int64_t now)
{
	return br_record_put_after(app, NULL, kind, id, obj, ttl, now, NULL, NULL);
}

/* A record begun before a rotation now lives under the new name: no older copy stays to be found. */
static void
drop_previous(br_app *app, const char *kind, const char *id)
{
	char n[BR_SEAL_NAME_MAX];

	if (br_seal_generations(app->seal) > 1 && name(app, 1, kind, id, n) == 0)
		br_cache_delete(app->cache, n);
}

br_cache_rc
br_record_put_after(br_app *app, const br_cache_item *first, const char *kind, const char *id, const json_t *obj,
    unsigned ttl, int64_t now, br_cache_rc *first_rc, const br_record_write *also)
{
	char n[BR_SEAL_NAME_MAX], an[BR_SEAL_NAME_MAX];
	br_cache_item items[3];
	br_cache_rc rc, rcs[3];
	unsigned char *box = NULL, *abox = NULL;
	size_t boxlen, aboxlen, ni = 0, rec;
	int with_also = 0;

	if (first_rc != NULL)
		*first_rc = BR_CACHE_ERROR;
	if (name(app, 0, kind, id, n) < 0 || seal(app, kind, n, obj, ttl, now, &box, &boxlen) < 0)
		return BR_CACHE_ERROR;
	if (first != NULL)
		items[ni++] = *first;
	rec = ni;
	items[ni++] = (br_cache_item){ n, box, boxlen, ttl };
	if (also != NULL && also->kind != NULL && also->obj != NULL && name(app, 0, also->kind, also->id, an) == 0 &&
	    seal(app, also->kind, an, also->obj, also->ttl, now, &abox, &aboxlen) == 0) {
		items[ni++] = (br_cache_item){ an, abox, aboxlen, also->ttl };
		with_also = 1;
	}
	if (ni == 1) {
		rc = br_cache_set(app->cache, n, box, boxlen, ttl);
	} else {
		/* one step: each server has the first item before the record */
		br_cache_set_many(app->cache, items, ni, rcs);
		rc = rcs[rec];
		if (first != NULL)
			*first_rc = rcs[0];
		if (with_also && rcs[ni - 1] == BR_CACHE_OK)
			drop_previous(app, also->kind, also->id);
	}
	free(box);
	free(abox);
	if (rc == BR_CACHE_OK)
		drop_previous(app, kind, id);
	return rc;
}

br_cache_rc
br_record_drop(br_app *app, const char *kind, const char *id)
{
	char n[BR_SEAL_NAME_MAX];
	br_cache_rc rc = BR_CACHE_MISS, r;
	int g;

	for (g = 0; g < br_seal_generations(app->seal); g++) {
		if (name(app, g, kind, id, n) < 0)
			return BR_CACHE_MISS;
		if ((r = br_cache_delete(app->cache, n)) != BR_CACHE_MISS)
			rc = r;
	}
	return rc;
}

int
br_record_str(const json_t *obj, const char *name_, char **out)
{
	const json_t *v = json_object_get(obj, name_);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || (*out = strdup(json_string_value(v))) == NULL)
		return -1;
	return 0;
}
