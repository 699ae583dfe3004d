/*
 * The cache's front: key, value and TTL rules checked once here for every
 * backend, the call handed to the backend's ops, and what is the same
 * whatever stores the bytes (versioned JSON, hashed keys).
 */
#include "cache_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/b64url.h"
#include "../core/crypto.h"

const char *
br_cache_rc_name(br_cache_rc rc)
{
	switch (rc) {
	case BR_CACHE_OK:
		return "ok";
	case BR_CACHE_MISS:
		return "miss";
	case BR_CACHE_EXISTS:
		return "exists";
	case BR_CACHE_INVALID:
		return "invalid";
	case BR_CACHE_ERROR:
		return "error";
	}
	return "unknown";
}

br_cache *
br_cache_new(const br_cache_ops *ops, void *backend)
{
	br_cache *c;

	if (ops == NULL)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		ops->close(backend);
		return NULL;
	}
	c->ops = ops;
	c->backend = backend;
	return c;
}

void
br_cache_close(br_cache **cp)
{
	br_cache *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	c->ops->close(c->backend);
	free(c);
	*cp = NULL;
}

static int
key_ok(const char *key)
{
	size_t i, n;

	if (key == NULL || (n = strnlen(key, BR_CACHE_KEY_MAX + 1)) == 0 || n > BR_CACHE_KEY_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (key[i] <= ' ' || key[i] >= 0x7f)
			return 0;
	return 1;
}

static int
ttl_ok(unsigned ttl)
{
	return ttl > 0 && ttl <= BR_CACHE_TTL_MAX;
}

/* A call refused before any backend saw it: why, without the key. */
static br_cache_rc
refuse(const br_cache *c, const char *op, const char *why)
{
	char what[64];

	snprintf(what, sizeof(what), "%s %s", c != NULL ? c->ops->name : "cache", op);
	br_store_error_set(what, why);
	return BR_CACHE_ERROR;
}

static br_cache_rc
check_call(const br_cache *c, const char *op, const char *key)
{
	if (c == NULL)
		return refuse(c, op, "no cache");
	if (!key_ok(key))
		return refuse(c, op, "key refused");
	return BR_CACHE_OK;
}

/*
 * A backend's answer. Every ERROR carries a reason for the audit line: a
 * backend that gave none gets "<backend> <op>: error".
 */
static br_cache_rc
answer(const br_cache *c, const char *op, br_cache_rc r)
{
	if (r == BR_CACHE_ERROR && br_store_error_get()[0] == '\0')
		refuse(c, op, br_cache_rc_name(r));
	return r;
}

static void
drop_value(char **val, size_t *len)
{
	if (*val != NULL) {
		br_wipe(*val, *len);
		free(*val);
	}
	*val = NULL;
	*len = 0;
}

static br_cache_rc
store(br_cache *c, const char *op, int add, const char *key, const void *val, size_t len, unsigned ttl)
{
	br_cache_rc r;

	if ((r = check_call(c, op, key)) != BR_CACHE_OK)
		return r;
	if (val == NULL && len > 0)
		return refuse(c, op, "no value");
	if (len > BR_CACHE_VALUE_MAX)
		return refuse(c, op, "value over size limit");
	/* memcached would read a longer one as an absolute time, 0 as never */
	if (!ttl_ok(ttl))
		return refuse(c, op, "ttl out of range");
	if (add)
		r = c->ops->add(c->backend, key, val, len, ttl);
	else
		r = c->ops->set(c->backend, key, val, len, ttl);
	return answer(c, op, r);
}

br_cache_rc
br_cache_set(br_cache *c, const char *key, const void *val, size_t len, unsigned ttl)
{
	return store(c, "set", 0, key, val, len, ttl);
}

br_cache_rc
br_cache_set_many(br_cache *c, const br_cache_item *items, size_t n, br_cache_rc *rc)
{
	br_cache_rc r = BR_CACHE_OK;
	size_t i;

	if (n == 0 || n > BR_CACHE_MANY_MAX || items == NULL || rc == NULL)
		return refuse(c, "set", "bad batch");
	for (i = 0; i < n; i++) {
		rc[i] = check_call(c, "set", items[i].key);
		if (rc[i] == BR_CACHE_OK && items[i].val == NULL && items[i].len > 0)
			rc[i] = refuse(c, "set", "no value");
		if (rc[i] == BR_CACHE_OK && items[i].len > BR_CACHE_VALUE_MAX)
			rc[i] = refuse(c, "set", "value over size limit");
		if (rc[i] == BR_CACHE_OK && !ttl_ok(items[i].ttl))
			rc[i] = refuse(c, "set", "ttl out of range");
		if (rc[i] != BR_CACHE_OK) {
			/* nothing sent: a batch goes whole or not at all */
			for (r = rc[i], i = 0; i < n; i++)
				rc[i] = r;
			return r;
		}
	}
	if (c->ops->set_many != NULL)
		c->ops->set_many(c->backend, items, n, rc);
	else
		for (i = 0; i < n; i++)
			rc[i] = c->ops->set(c->backend, items[i].key, items[i].val, items[i].len, items[i].ttl);
	for (i = 0; i < n; i++) {
		rc[i] = answer(c, "set", rc[i]);
		if (r == BR_CACHE_OK)
			r = rc[i];
	}
	return r;
}

br_cache_rc
br_cache_add(br_cache *c, const char *key, const void *val, size_t len, unsigned ttl)
{
	return store(c, "add", 1, key, val, len, ttl);
}

/* get and take: a value exactly with OK */
static br_cache_rc
fetch(br_cache *c, const char *op, int take, const char *key, char **val, size_t *len)
{
	br_cache_rc r;

	*val = NULL;
	*len = 0;
	if ((r = check_call(c, op, key)) != BR_CACHE_OK)
		return r;
	if (take)
		r = c->ops->take(c->backend, key, val, len);
	else
		r = c->ops->get(c->backend, key, val, len);
	if (r != BR_CACHE_OK)
		drop_value(val, len);
	else if (*val == NULL)
		r = BR_CACHE_ERROR;
	return answer(c, op, r);
}

br_cache_rc
br_cache_get(br_cache *c, const char *key, char **val, size_t *len)
{
	return fetch(c, "get", 0, key, val, len);
}

br_cache_rc
br_cache_take(br_cache *c, const char *key, char **val, size_t *len)
{
	return fetch(c, "take", 1, key, val, len);
}

br_cache_rc
br_cache_delete(br_cache *c, const char *key)
{
	br_cache_rc r;

	if ((r = check_call(c, "delete", key)) != BR_CACHE_OK)
		return r;
	return answer(c, "delete", c->ops->del(c->backend, key));
}

br_cache_rc
br_cache_incr(br_cache *c, const char *key, unsigned ttl, uint64_t *value)
{
	br_cache_rc r;
	uint64_t v = 0;

	if ((r = check_call(c, "incr", key)) != BR_CACHE_OK)
		return r;
	if (!ttl_ok(ttl))
		return refuse(c, "incr", "ttl out of range");
	r = answer(c, "incr", c->ops->incr(c->backend, key, ttl, &v));
	if (value != NULL)
		*value = r == BR_CACHE_OK ? v : 0;
	return r;
}

int
br_cache_check(br_cache *c, char *err, size_t errlen)
{
	if (c == NULL) {
		snprintf(err, errlen, "no cache");
		return -1;
	}
	return c->ops->check(c->backend, err, errlen);
}

/* ---- versioned JSON ---- */

br_cache_rc
br_cache_set_json(br_cache *c, const char *key, json_t *obj, unsigned ttl)
{
	char *text;
	br_cache_rc r;

	if (!json_is_object(obj))
		return refuse(c, "set", "not a JSON object");
	if (json_object_set_new(obj, "v", json_integer(BR_CACHE_VALUE_VERSION)) != 0 ||
	    (text = json_dumps(obj, JSON_COMPACT)) == NULL)
		return refuse(c, "set", "out of memory");
	r = br_cache_set(c, key, text, strlen(text), ttl);
	br_wipe(text, strlen(text));
	free(text);
	return r;
}

static br_cache_rc
decode_json(br_cache_rc r, char *text, size_t len, json_t **obj)
{
	json_error_t e;
	json_t *v;

	*obj = NULL;
	if (r != BR_CACHE_OK)
		return r;
	*obj = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	br_wipe(text, len);
	free(text);
	v = json_object_get(*obj, "v");
	if (!json_is_object(*obj) || !json_is_integer(v) || json_integer_value(v) != BR_CACHE_VALUE_VERSION) {
		json_decref(*obj);
		*obj = NULL;
		return BR_CACHE_INVALID;
	}
	return BR_CACHE_OK;
}

br_cache_rc
br_cache_get_json(br_cache *c, const char *key, json_t **obj)
{
	char *text = NULL;
	size_t len = 0;
	br_cache_rc r = br_cache_get(c, key, &text, &len);

	return decode_json(r, text, len, obj);
}

br_cache_rc
br_cache_take_json(br_cache *c, const char *key, json_t **obj)
{
	char *text = NULL;
	size_t len = 0;
	br_cache_rc r = br_cache_take(c, key, &text, &len);

	return decode_json(r, text, len, obj);
}

int
br_cache_key_hash(const char *tag, const void *data, size_t len, char *out, size_t cap)
{
	unsigned char h[BR_SHA256_LEN];
	size_t tl = strlen(tag);

	if (tl + 1 + br_b64url_encoded_size(sizeof(h)) > cap || br_sha256(data, len, h) < 0)
		return -1;
	memcpy(out, tag, tl);
	out[tl] = ':';
	br_b64url_encode(h, sizeof(h), out + tl + 1);
	return 0;
}
