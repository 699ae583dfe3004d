/*
 * Login flows and sessions, kept in the cache under random ids that travel
 * in HttpOnly cookies. A flow carries the IdP's start request until the
 * browser goes back; a session is a bridge sign-in (My passkeys) or an
 * enrolment in progress. Challenges are cache records keyed by the challenge
 * itself and bound to the flow or session that asked for them.
 */
#ifndef BR_FLOW_H
#define BR_FLOW_H

#include <jansson.h>

#include "../store/cache.h"

#define BR_ID_LEN 43   /* base64url of 32 random bytes */

/* Store obj (stamped with "v") under "<kind>:<new id>"; the id goes to id_out. */
br_cache_rc br_flow_create(br_cache *c, const char *kind, json_t *obj, unsigned ttl, char id_out[BR_ID_LEN + 1]);
/* Read / take / replace / drop the record of kind for an id from a cookie (checked: 43 base64url chars). */
br_cache_rc br_flow_get(br_cache *c, const char *kind, const char *id, json_t **obj);
br_cache_rc br_flow_take(br_cache *c, const char *kind, const char *id, json_t **obj);
br_cache_rc br_flow_put(br_cache *c, const char *kind, const char *id, json_t *obj, unsigned ttl);
br_cache_rc br_flow_drop(br_cache *c, const char *kind, const char *id);

/* 1 when s is a well-formed id (so it can go into a cache key). */
int br_flow_id_ok(const char *s);

#endif
