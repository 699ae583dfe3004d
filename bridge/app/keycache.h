/*
 * A per-process cache of parsed credential public keys, so a sign-in does not
 * import the stored COSE_Key into OpenSSL again (docs/performance.md,
 * "Bottlenecks" item 7). Keyed by the exact COSE_Key bytes: SHA-256 of them
 * picks the slot and a hit also compares every byte, so other bytes never
 * give another key. Bounded (least recently used out first), O(1) per call,
 * one mutex; parse failures are never kept. Keys are reference-counted: one
 * evicted (or the cache freed) while a request still uses it stays valid until
 * that request releases it.
 *
 *     const br_cose_key *k = NULL;
 *     if (br_keycache_get(kc, cose, len, &k) == BR_OK)
 *             sc.parsed_key = k;      // else leave NULL: the verifier parses
 *     ... br_assert_verify(&in, &ar) ...
 *     br_keycache_release(k);
 */
#ifndef BR_KEYCACHE_H
#define BR_KEYCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/cose.h"
#include "../core/err.h"

/* Keys longer than this are parsed and handed out but not kept. */
#define BR_KEYCACHE_MAX_KEY_BYTES 4096

typedef struct br_keycache br_keycache;

typedef struct br_keycache_stats {
	uint64_t hits;
	uint64_t misses;       /* every get that parsed (failures too) */
	uint64_t evictions;
	size_t entries;
	size_t capacity;
} br_keycache_stats;

/* A cache of at most capacity keys; 0 disables it (every get parses). NULL on OOM. */
br_keycache *br_keycache_new(size_t capacity);
/* Drops the cache's references; keys still held stay valid until released. */
void br_keycache_free(br_keycache **kc);

/*
 * A referenced key for these COSE_Key bytes, parsed on a miss with
 * br_cose_key_new (so the same checks and errors as br_cose_key_parse).
 * *out is NULL on failure. kc NULL behaves as a disabled cache.
 * Thread-safe. Release the key with br_keycache_release.
 */
br_err br_keycache_get(br_keycache *kc, const uint8_t *cose, size_t len, const br_cose_key **out);
/* Drop a reference from br_keycache_get (NULL is ignored); any thread, cache alive or not. */
void br_keycache_release(const br_cose_key *k);

/* A consistent snapshot of the counters. */
void br_keycache_stats_get(br_keycache *kc, br_keycache_stats *st);

#endif
