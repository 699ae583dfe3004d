/*
 * The contracts of cache.h and directory.h as checks any backend must pass.
 * tests/stores/test_mem_stores.c runs them on the in-memory stand-ins,
 * tests/integration on memcached and slapd: what the services' unit tests
 * learn from a stand-in holds for the real thing. A failed check prints
 * file:line and exits 1.
 */
#ifndef STORE_CONTRACT_H
#define STORE_CONTRACT_H

#include "cache.h"
#include "directory.h"

/* Lets at least `seconds` pass on the clock the backend's TTLs count against. */
typedef void (*contract_wait_fn)(void *arg, unsigned seconds);

/* Keys start "contract:"; the cache should be otherwise unused by them. */
void contract_cache(br_cache *c, contract_wait_fn wait, void *arg);

struct contract_users {
	const char *a, *b;              /* users without a handle, credentials or codes (a's handle stays) */
	const char *password;           /* a's password */
	unsigned last_used_interval_s;  /* what the directory was opened with; 30 or more */
};

/* Leaves no credential or code behind. */
void contract_directory(br_directory *d, const struct contract_users *cu);

#endif
