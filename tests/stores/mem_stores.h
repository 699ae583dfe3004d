/*
 * In-memory stand-ins for the cache and the directory, for testing the
 * services above them without memcached or slapd. They keep the contracts
 * of the real backends (tests/stores/contract.c runs the same checks on
 * both), are safe to share between threads, and can be told to fail, so a
 * service can be tested for a store that is unavailable.
 *
 * The handles are ordinary br_cache / br_directory: pass them to the code
 * under test, and to the functions below to set the scene.
 */
#ifndef MEM_STORES_H
#define MEM_STORES_H

#include <stdint.h>

#include <jansson.h>

#include "cache.h"
#include "directory.h"

/* Where the cache's clock starts (unix seconds). */
#define MEM_CACHE_EPOCH INT64_C(1700000000)

br_cache *mem_cache_open(void);
/* The clock TTLs count against: an entry written at t with ttl s is gone from t + s on. */
void mem_cache_set_now(br_cache *c, int64_t now);
int64_t mem_cache_now(br_cache *c);
/*
 * The next n calls, whatever the operation (br_cache_check too), return
 * ERROR with the reason "mem <op>: injected failure" and change nothing.
 */
void mem_cache_fail_next(br_cache *c, unsigned n);
/* Entries not yet expired. */
size_t mem_cache_count(br_cache *c);

/* last-used is written at most every last_used_interval_s, as the LDAP option says. */
br_directory *mem_dir_open(unsigned last_used_interval_s);
/*
 * A user: looked up by username ignoring ASCII case, by dn exactly (as the
 * br_user the lookups return carries it). attributes is what br_user
 * gets ({"mail":["a@b"]}, copied; NULL for none). 0, or -1 when an argument
 * is missing or the dn is taken.
 */
int mem_dir_add_user(br_directory *d, const char *username, const char *dn, const json_t *attributes,
    int disabled);
/* The password br_dir_check_password wants for dn; a user without one never passes. 0 or -1. */
int mem_dir_set_password(br_directory *d, const char *dn, const char *password);
/*
 * The next n calls of op ("find_user", "record_use", ... as named in
 * br_directory_ops; NULL for any operation) return ERROR with the reason
 * "mem <op>: injected failure" and change nothing. -1 for an unknown op.
 */
int mem_dir_fail_next(br_directory *d, const char *op, unsigned n);
/* Calls that changed something: a test can see that record_use wrote nothing. */
unsigned mem_dir_writes(br_directory *d);

#endif
