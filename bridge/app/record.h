/*
 * Records the bridge keeps in the cache under random ids that travel in
 * HttpOnly cookies (flows, sessions) or in clientDataJSON (challenges):
 * "<kind>:<id>". An id is base64url of 32 random bytes; anything else a
 * client sends never reaches a cache key.
 */
#ifndef BR_RECORD_H
#define BR_RECORD_H

#include <jansson.h>

#include "../store/cache.h"

#define BR_ID_LEN 43   /* base64url of 32 random bytes */

/* 1 when s is a well-formed id. */
int br_record_id_ok(const char *s);

/* Store obj (versioned by the cache) under "<kind>:<new id>"; the id goes to id_out. */
br_cache_rc br_record_create(br_cache *c, const char *kind, json_t *obj, unsigned ttl, char id_out[BR_ID_LEN + 1]);
/* Read / take once / replace / drop; a malformed id is a MISS (ERROR for put). */
br_cache_rc br_record_get(br_cache *c, const char *kind, const char *id, json_t **obj);
br_cache_rc br_record_take(br_cache *c, const char *kind, const char *id, json_t **obj);
br_cache_rc br_record_put(br_cache *c, const char *kind, const char *id, json_t *obj, unsigned ttl);
br_cache_rc br_record_drop(br_cache *c, const char *kind, const char *id);

/* A string member, NULL when absent; -1 (a record that is not ours) when present but not a string. */
int br_record_str(const json_t *obj, const char *name, char **out);

#endif
