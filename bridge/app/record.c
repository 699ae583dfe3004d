#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "random.h"

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
key(char *out, size_t cap, const char *kind, const char *id)
{
	if (!br_record_id_ok(id))
		return -1;
	return (size_t)snprintf(out, cap, "%s:%s", kind, id) < cap ? 0 : -1;
}

br_cache_rc
br_record_create(br_cache *c, const char *kind, json_t *obj, unsigned ttl, char id_out[BR_ID_LEN + 1])
{
	char k[96];

	if (br_random_b64url(32, id_out, BR_ID_LEN + 1) < 0 || key(k, sizeof(k), kind, id_out) < 0)
		return BR_CACHE_ERROR;
	return br_cache_set_json(c, k, obj, ttl);
}

br_cache_rc
br_record_get(br_cache *c, const char *kind, const char *id, json_t **obj)
{
	char k[96];

	*obj = NULL;
	if (key(k, sizeof(k), kind, id) < 0)
		return BR_CACHE_MISS;
	return br_cache_get_json(c, k, obj);
}

br_cache_rc
br_record_take(br_cache *c, const char *kind, const char *id, json_t **obj)
{
	char k[96];

	*obj = NULL;
	if (key(k, sizeof(k), kind, id) < 0)
		return BR_CACHE_MISS;
	return br_cache_take_json(c, k, obj);
}

br_cache_rc
br_record_put(br_cache *c, const char *kind, const char *id, json_t *obj, unsigned ttl)
{
	char k[96];

	if (key(k, sizeof(k), kind, id) < 0)
		return BR_CACHE_ERROR;
	return br_cache_set_json(c, k, obj, ttl);
}

br_cache_rc
br_record_drop(br_cache *c, const char *kind, const char *id)
{
	char k[96];

	if (key(k, sizeof(k), kind, id) < 0)
		return BR_CACHE_MISS;
	return br_cache_delete(c, k);
}

int
br_record_str(const json_t *obj, const char *name, char **out)
{
	const json_t *v = json_object_get(obj, name);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) || (*out = strdup(json_string_value(v))) == NULL)
		return -1;
	return 0;
}
