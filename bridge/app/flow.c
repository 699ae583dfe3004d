#include "flow.h"

#include <stdio.h>
#include <string.h>

#include "random.h"

int
br_flow_id_ok(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != BR_ID_LEN)
		return 0;
	for (i = 0; i < BR_ID_LEN; i++) {
		char ch = s[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return 0;
	}
	return 1;
}

static int
key(char *out, size_t cap, const char *kind, const char *id)
{
	if (!br_flow_id_ok(id))
		return -1;
	return (size_t)snprintf(out, cap, "%s:%s", kind, id) < cap ? 0 : -1;
}

br_cache_rc
br_flow_create(br_cache *c, const char *kind, json_t *obj, unsigned ttl, char id_out[BR_ID_LEN + 1])
{
	char k[96];

	if (br_random_b64url(32, id_out, BR_ID_LEN + 1) < 0 || key(k, sizeof(k), kind, id_out) < 0)
		return BR_CACHE_ERROR;
	return br_cache_set_json(c, k, obj, ttl);
}

br_cache_rc
br_flow_get(br_cache *c, const char *kind, const char *id, json_t **obj)
{
	char k[96];

	*obj = NULL;
	if (key(k, sizeof(k), kind, id) < 0)
		return BR_CACHE_MISS;
	return br_cache_get_json(c, k, obj);
}

br_cache_rc
br_flow_take(br_cache *c, const char *kind, const char *id, json_t **obj)
{
	char k[96];

	*obj = NULL;
	if (key(k, sizeof(k), kind, id) < 0)
		return BR_CACHE_MISS;
	return br_cache_take_json(c, k, obj);
}

br_cache_rc
br_flow_put(br_cache *c, const char *kind, const char *id, json_t *obj, unsigned ttl)
{
	char k[96];

	if (key(k, sizeof(k), kind, id) < 0)
		return BR_CACHE_ERROR;
	return br_cache_set_json(c, k, obj, ttl);
}

br_cache_rc
br_flow_drop(br_cache *c, const char *kind, const char *id)
{
	char k[96];

	if (key(k, sizeof(k), kind, id) < 0)
		return BR_CACHE_MISS;
	return br_cache_delete(c, k);
}
