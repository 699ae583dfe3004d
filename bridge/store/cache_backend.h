/*
 * What a cache backend implements. The br_cache_* functions of cache.c
 * check keys, value sizes and TTLs before they call one of these, and set
 * the output arguments to NULL/0 first, so a backend sees only calls that
 * passed. A backend keeps the contracts of cache.h (MISS is an answer,
 * ERROR is no answer; add refuses an existing key; take returns a value to
 * one caller only; TTLs count from the write), and on every path that
 * returns BR_CACHE_ERROR it says why with br_store_error_set
 * (store_error.h). memcached is cache_memcached.c; tests/stores/mem_cache.c
 * is one in memory.
 */
#ifndef BR_CACHE_BACKEND_H
#define BR_CACHE_BACKEND_H

#include "cache.h"
#include "store_error.h"

#define BR_CACHE_KEY_MAX 200             /* before the prefix; memcached allows 250 in all */
#define BR_CACHE_VALUE_MAX (512 * 1024)

typedef struct br_cache_ops {
	const char *name;  /* "memcached": starts the error text when a backend gave none */
	br_cache_rc (*set)(void *backend, const char *key, const void *val, size_t len, unsigned ttl);
	br_cache_rc (*add)(void *backend, const char *key, const void *val, size_t len, unsigned ttl);
	br_cache_rc (*get)(void *backend, const char *key, char **val, size_t *len);
	br_cache_rc (*take)(void *backend, const char *key, char **val, size_t *len);
	br_cache_rc (*del)(void *backend, const char *key);
	br_cache_rc (*incr)(void *backend, const char *key, unsigned ttl, uint64_t *value);
	int (*check)(void *backend, char *err, size_t errlen);
	void (*close)(void *backend);
	/* optional (NULL: one set after another); n is 1..BR_CACHE_MANY_MAX, every item checked */
	br_cache_rc (*set_many)(void *backend, const br_cache_item *items, size_t n, br_cache_rc *rc);
} br_cache_ops;

struct br_cache {
	const br_cache_ops *ops;
	void *backend;
};

/* A cache over backend; NULL (with the backend closed) when out of memory. */
br_cache *br_cache_new(const br_cache_ops *ops, void *backend);

#endif
