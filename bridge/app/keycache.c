#include "keycache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../core/crypto.h"

/*
 * A chained hash table over the SHA-256 of the bytes (at most one entry per
 * bucket on average: the bucket count is the capacity rounded up to a power
 * of two) and a doubly linked recency list, most recent at the head. An entry
 * holds one reference to its key and a copy of the bytes.
 */
typedef struct kc_entry {
	struct kc_entry *newer, *older;       /* recency list */
	struct kc_entry *next, **pprev;       /* bucket chain */
	const br_cose_key *key;
	unsigned char digest[BR_SHA256_LEN];
	size_t len;
	unsigned char bytes[];
} kc_entry;

struct br_keycache {
	pthread_mutex_t mu;
	size_t capacity;
	size_t mask;                          /* buckets - 1 */
	kc_entry **buckets;
	kc_entry *newest, *oldest;
	size_t n;
	uint64_t hits, misses, evictions;
};

br_keycache *
br_keycache_new(size_t capacity)
{
	br_keycache *kc;
	size_t nb = 16;

	if ((kc = calloc(1, sizeof(*kc))) == NULL)
		return NULL;
	kc->capacity = capacity;
	if (capacity > 0) {
		if (capacity > SIZE_MAX / 4 / sizeof(kc_entry *)) {
			free(kc);
			return NULL;
		}
		while (nb < capacity)
			nb <<= 1;
		if ((kc->buckets = calloc(nb, sizeof(kc_entry *))) == NULL) {
			free(kc);
			return NULL;
		}
		kc->mask = nb - 1;
	}
	if (pthread_mutex_init(&kc->mu, NULL) != 0) {
		free(kc->buckets);
		free(kc);
		return NULL;
	}
	return kc;
}

static void
entry_free(kc_entry *e)
{
	br_cose_key_unref(e->key);
	free(e);
}

void
br_keycache_free(br_keycache **kcp)
{
	br_keycache *kc = kcp != NULL ? *kcp : NULL;
	kc_entry *e, *older;

	if (kc == NULL)
		return;
	for (e = kc->newest; e != NULL; e = older) {
		older = e->older;
		entry_free(e);
	}
	pthread_mutex_destroy(&kc->mu);
	free(kc->buckets);
	free(kc);
	*kcp = NULL;
}

void
br_keycache_release(const br_cose_key *k)
{
	br_cose_key_unref(k);
}

static size_t
bucket_of(const br_keycache *kc, const unsigned char d[BR_SHA256_LEN])
{
	size_t h = 0;
	size_t i;

	for (i = 0; i < sizeof(h); i++)
		h = (h << 8) | d[i];
	return h & kc->mask;
}

/* Under the lock. */
static kc_entry *
lookup(br_keycache *kc, const unsigned char d[BR_SHA256_LEN], const uint8_t *p, size_t len)
{
	kc_entry *e;

	for (e = kc->buckets[bucket_of(kc, d)]; e != NULL; e = e->next)
		/* the digest finds it; the bytes decide (a collision is not a hit) */
		if (e->len == len && memcmp(e->digest, d, BR_SHA256_LEN) == 0 &&
		    memcmp(e->bytes, p, len) == 0)
			return e;
	return NULL;
}

static void
list_unlink(br_keycache *kc, kc_entry *e)
{
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		kc->newest = e->older;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		kc->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void
list_push_newest(br_keycache *kc, kc_entry *e)
{
	e->newer = NULL;
	e->older = kc->newest;
	if (kc->newest != NULL)
		kc->newest->newer = e;
	else
		kc->oldest = e;
	kc->newest = e;
}

static void
touch(br_keycache *kc, kc_entry *e)
{
	if (kc->newest != e) {
		list_unlink(kc, e);
		list_push_newest(kc, e);
	}
}

static void
insert(br_keycache *kc, kc_entry *e)
{
	kc_entry **b = &kc->buckets[bucket_of(kc, e->digest)];

	e->next = *b;
	if (*b != NULL)
		(*b)->pprev = &e->next;
	e->pprev = b;
	*b = e;
	list_push_newest(kc, e);
	kc->n++;
}

/* Unlink the least recently used entry and return it (freed by the caller, unlocked). */
static kc_entry *
evict_oldest(br_keycache *kc)
{
	kc_entry *e = kc->oldest;

	if (e == NULL)
		return NULL;
	list_unlink(kc, e);
	*e->pprev = e->next;
	if (e->next != NULL)
		e->next->pprev = e->pprev;
	kc->n--;
	kc->evictions++;
	return e;
}

br_err
br_keycache_get(br_keycache *kc, const uint8_t *cose, size_t len, const br_cose_key **out)
{
	unsigned char d[BR_SHA256_LEN];
	const br_cose_key *k = NULL;
	kc_entry *e, *fresh = NULL, *evicted = NULL;
	br_err r;

	*out = NULL;
	if (kc == NULL || kc->capacity == 0 || cose == NULL || len == 0 ||
	    len > BR_KEYCACHE_MAX_KEY_BYTES || br_sha256(cose, len, d) < 0) {
		/* not kept: parsed for this caller alone, with the parser's verdict */
		if (kc != NULL) {
			pthread_mutex_lock(&kc->mu);
			kc->misses++;
			pthread_mutex_unlock(&kc->mu);
		}
		return br_cose_key_new(cose, len, out);
	}

	pthread_mutex_lock(&kc->mu);
	if ((e = lookup(kc, d, cose, len)) != NULL) {
		touch(kc, e);
		*out = br_cose_key_ref(e->key);
		kc->hits++;
		pthread_mutex_unlock(&kc->mu);
		return BR_OK;
	}
	kc->misses++;
	pthread_mutex_unlock(&kc->mu);

	/* parse unlocked: other threads keep hitting meanwhile */
	if ((r = br_cose_key_new(cose, len, &k)) != BR_OK)
		return r;
	if ((fresh = malloc(sizeof(*fresh) + len)) == NULL) {
		/* no room to keep it: the key is still good for this caller */
		*out = k;
		return BR_OK;
	}
	memset(fresh, 0, sizeof(*fresh));
	memcpy(fresh->digest, d, sizeof(d));
	fresh->len = len;
	memcpy(fresh->bytes, cose, len);
	fresh->key = k;                        /* the cache's reference */

	pthread_mutex_lock(&kc->mu);
	if ((e = lookup(kc, d, cose, len)) != NULL) {
		/* another thread parsed the same bytes first: share its key */
		touch(kc, e);
		*out = br_cose_key_ref(e->key);
	} else {
		insert(kc, fresh);
		*out = br_cose_key_ref(k);
		fresh = NULL;
		if (kc->n > kc->capacity)
			evicted = evict_oldest(kc);
	}
	pthread_mutex_unlock(&kc->mu);
	if (fresh != NULL)
		entry_free(fresh);
	if (evicted != NULL)
		entry_free(evicted);
	return BR_OK;
}

void
br_keycache_stats_get(br_keycache *kc, br_keycache_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (kc == NULL)
		return;
	pthread_mutex_lock(&kc->mu);
	st->hits = kc->hits;
	st->misses = kc->misses;
	st->evictions = kc->evictions;
	st->entries = kc->n;
	st->capacity = kc->capacity;
	pthread_mutex_unlock(&kc->mu);
}
