/*
 * Records the bridge keeps for itself in the cache (flows, sessions,
 * challenges), under random ids that travel in HttpOnly cookies or in
 * clientDataJSON. Each is stored under a name derived from its kind and id
 * with the state key and sealed (seal.h): someone who can read memcached
 * learns no id to present, and someone who can write it cannot forge a
 * record, move one to another id or kind, or write an old one back after
 * its time. A record that does not open is INVALID and in the audit log.
 */
#ifndef BR_RECORD_H
#define BR_RECORD_H

#include <stdint.h>

#include <jansson.h>

#include "../store/cache.h"

#define BR_ID_LEN 43   /* base64url of 32 random bytes */

struct br_app;

/* 1 when s is a well-formed id. */
int br_record_id_ok(const char *s);

/* Store obj under a fresh id (into id_out), valid ttl seconds from now. */
br_cache_rc br_record_create(struct br_app *app, const char *kind, const json_t *obj, unsigned ttl, int64_t now,
    char id_out[BR_ID_LEN + 1]);
/*
 * Read / take once / replace / drop the record of kind for id. A malformed
 * id is a MISS (ERROR for put); a record that does not open is INVALID.
 */
br_cache_rc br_record_get(struct br_app *app, const char *kind, const char *id, int64_t now, json_t **obj);
br_cache_rc br_record_take(struct br_app *app, const char *kind, const char *id, int64_t now, json_t **obj);
br_cache_rc br_record_put(struct br_app *app, const char *kind, const char *id, const json_t *obj, unsigned ttl,
    int64_t now);
/* A record to write in a later cache step (an activity entry that joins the ticket's step). */
typedef struct br_record_write {
	const char *kind;        /* NULL: nothing to write */
	char id[BR_ID_LEN + 1];
	json_t *obj;             /* owned: json_decref after the step */
	unsigned ttl;
} br_record_write;

/*
 * put, in one cache step with a plain value that must be there whenever the
 * record is (a ticket the record names): first goes before the record to
 * every server. *first_rc is its answer. also (NULL, or kind NULL, for
 * none) is written in the same step, after them; best effort.
 */
br_cache_rc br_record_put_after(struct br_app *app, const br_cache_item *first, const char *kind, const char *id,
    const json_t *obj, unsigned ttl, int64_t now, br_cache_rc *first_rc, const br_record_write *also);
br_cache_rc br_record_drop(struct br_app *app, const char *kind, const char *id);

/* The cache key a record of kind and id has under the current state key (tests, tools). -1 if malformed. */
int br_record_key(const struct br_app *app, const char *kind, const char *id, char *out, size_t cap);

/* A string member, NULL when absent; -1 (a record that is not ours) when present but not a string. */
int br_record_str(const json_t *obj, const char *name, char **out);

#endif
