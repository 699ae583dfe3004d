/*
 * The cache: challenges, login flows, one-time tickets and rate-limit
 * counters, shared by every bridge instance. cache.c checks the arguments
 * and hands each call to a backend (cache_backend.h): memcached in
 * cache_memcached.c over its meta-protocol client mc_wire.c. A call that
 * returns BR_CACHE_ERROR leaves its reason in br_store_error_get()
 * (store_error.h).
 */
#ifndef BR_CACHE_H
#define BR_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* Version stamped into every JSON value as "v"; others are refused on read. */
#define BR_CACHE_VALUE_VERSION 1
/* memcached reads a TTL above 30 days as an absolute time: never send one. */
#define BR_CACHE_TTL_MAX (30u * 24 * 3600)

typedef struct br_cache br_cache;

typedef struct br_cache_options {
	const char *servers;  /* "host:port,host:port" (consistent hashing over them) */
	const char *prefix;   /* prepended to every key */
	unsigned replicas;    /* extra copies on other servers; 0 for none */
	unsigned timeout_ms;  /* connect, send, receive */
} br_cache_options;

typedef enum br_cache_rc {
	BR_CACHE_OK = 0,
	BR_CACHE_MISS,        /* no such key (or taken by someone else) */
	BR_CACHE_EXISTS,      /* add: the key is already there */
	BR_CACHE_INVALID,     /* a value that is not ours: wrong version, not JSON */
	BR_CACHE_ERROR,       /* servers unreachable, timeout, bad key */
} br_cache_rc;

const char *br_cache_rc_name(br_cache_rc rc);

/*
 * NULL with a message in err on a bad option. Each thread gets its own
 * connections, opened lazily and closed when the thread exits; close the
 * cache only after the threads that used it are gone.
 */
br_cache *br_cache_open(const br_cache_options *o, char *err, size_t errlen);
void br_cache_close(br_cache **c);

/*
 * Keys are printable ASCII without spaces, at most 200 bytes before the
 * prefix. Build them from server-made random values, or hash what a client
 * sent (br_cache_key_hash) so a request cannot steer them.
 */
br_cache_rc br_cache_set(br_cache *c, const char *key, const void *val, size_t len, unsigned ttl);
/*
 * Several sets as one step: each server involved is sent all of its values
 * before any answer is read, in this order, so a server that has the last
 * one has the ones before it. rc[i] is each one's answer; the call returns
 * OK when all are OK, else the first other answer.
 */
typedef struct br_cache_item {
	const char *key;
	const void *val;
	size_t len;
	unsigned ttl;
} br_cache_item;
#define BR_CACHE_MANY_MAX 8
br_cache_rc br_cache_set_many(br_cache *c, const br_cache_item *items, size_t n, br_cache_rc *rc);
/* Store only if absent: BR_CACHE_EXISTS otherwise. */
br_cache_rc br_cache_add(br_cache *c, const char *key, const void *val, size_t len, unsigned ttl);
/* *val is malloc'd and NUL-terminated (free it); MISS leaves it NULL. */
br_cache_rc br_cache_get(br_cache *c, const char *key, char **val, size_t *len);
/*
 * Take once: get on every server, then delete each copy seen. The value is
 * returned only when every server answered and this caller's deletes removed
 * every copy, so of two concurrent takers at most one wins. When a server
 * does not answer (down, timeout, or skipped while the client waits to
 * retry it) the take is BR_CACHE_ERROR, unavailable, and deletes nothing: a
 * copy may survive there, so nobody may count the take as won.
 */
br_cache_rc br_cache_take(br_cache *c, const char *key, char **val, size_t *len);
/* Delete everywhere: OK only when every server answered and one had it; ERROR when one did not answer. */
br_cache_rc br_cache_delete(br_cache *c, const char *key);
/* Add 1 to a counter that starts at 1 with the given TTL (rate limits). */
br_cache_rc br_cache_incr(br_cache *c, const char *key, unsigned ttl, uint64_t *value);

/* Versioned JSON: set stamps "v"; take/get refuse another version (INVALID). */
br_cache_rc br_cache_set_json(br_cache *c, const char *key, json_t *obj, unsigned ttl);
br_cache_rc br_cache_get_json(br_cache *c, const char *key, json_t **obj);
br_cache_rc br_cache_take_json(br_cache *c, const char *key, json_t **obj);

/* "<tag>:<base64url(SHA-256(data))>" into out (cap bytes); -1 if it does not fit. */
int br_cache_key_hash(const char *tag, const void *data, size_t len, char *out, size_t cap);

/* Ping every server: 0 when all answer, -1 with the first failure in err. */
int br_cache_check(br_cache *c, char *err, size_t errlen);

#endif
