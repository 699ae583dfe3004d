/*
 * The key cache of bridge/app/keycache.c: hits share one key, other bytes get
 * another, the capacity holds with least-recently-used eviction, evicted keys
 * stay usable by their holders, parse failures give the parser's error and are
 * never kept, and many threads hammering a small cache (run it under the
 * sanitizer build).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "../../bridge/app/keycache.h"
#include "cose.h"
#include "soft_authenticator.h"
#include "unit.h"

static const char msg[] = "authenticatorData || clientDataHash";

/* A credential key, its COSE_Key bytes and a good signature over msg. */
typedef struct tkey {
	sa_key k;
	sa_buf cose;
	sa_buf sig;
} tkey;

static void
tkey_make(tkey *t, int alg)
{
	memset(t, 0, sizeof(*t));
	sa_key_gen(alg, &t->k);
	sa_key_cose(&t->k, &t->cose);
	sa_sign(t->k.pkey, alg, msg, sizeof(msg), &t->sig);
}

static void
tkey_free(tkey *t)
{
	sa_buf_free(&t->cose);
	sa_buf_free(&t->sig);
	sa_key_free(&t->k);
}

/* k is t's key: same alg, same OpenSSL key, and it checks t's signature. */
static int
is_key_of(const br_cose_key *k, const tkey *t)
{
	return k != NULL && k->alg == t->k.alg && EVP_PKEY_eq(k->pkey, t->k.pkey) == 1 &&
	    br_sig_verify(k->pkey, k->alg, (const unsigned char *)msg, sizeof(msg),
		t->sig.ptr, t->sig.len) == BR_OK;
}

static const br_cose_key *
get_ok(br_keycache *kc, const tkey *t)
{
	const br_cose_key *k = NULL;

	CHECK_ERR(br_keycache_get(kc, t->cose.ptr, t->cose.len, &k), BR_OK);
	CHECK(is_key_of(k, t));
	return k;
}

static void
stats_are(br_keycache *kc, uint64_t hits, uint64_t misses, uint64_t evictions, size_t entries)
{
	br_keycache_stats st;

	br_keycache_stats_get(kc, &st);
	CHECK_INT(st.hits, hits);
	CHECK_INT(st.misses, misses);
	CHECK_INT(st.evictions, evictions);
	CHECK_INT(st.entries, entries);
}

static void
hit_returns_same_key(void)
{
	static const int algs[] = { BR_COSE_ES256, BR_COSE_EDDSA, BR_COSE_RS256 };
	br_keycache *kc = br_keycache_new(8);
	size_t i;

	CHECK(kc != NULL);
	for (i = 0; i < UNIT_N(algs); i++) {
		const br_cose_key *a, *b, *c;
		sa_buf copy = { NULL, 0 };
		tkey t;

		tkey_make(&t, algs[i]);
		a = get_ok(kc, &t);
		b = get_ok(kc, &t);
		CHECK(a == b);
		/* the same bytes elsewhere in memory: the same key */
		sa_buf_set(&copy, t.cose.ptr, t.cose.len);
		c = get_ok(kc, &(tkey){ t.k, copy, t.sig });
		CHECK(c == a);
		br_keycache_release(a);
		br_keycache_release(b);
		br_keycache_release(c);
		sa_buf_free(&copy);
		tkey_free(&t);
	}
	stats_are(kc, 6, 3, 0, 3);
	br_keycache_free(&kc);
	CHECK(kc == NULL);
	br_keycache_free(&kc);
	br_keycache_free(NULL);
}

static void
different_bytes_different_keys(void)
{
	br_keycache *kc = br_keycache_new(8);
	const br_cose_key *a, *b, *c, *d;
	tkey x, y, rs, ps;

	tkey_make(&x, BR_COSE_ES256);
	tkey_make(&y, BR_COSE_ES256);
	/* the RSA algorithms share one key here: same modulus, other alg, other bytes */
	tkey_make(&rs, BR_COSE_RS256);
	tkey_make(&ps, BR_COSE_PS256);
	a = get_ok(kc, &x);
	b = get_ok(kc, &y);
	c = get_ok(kc, &rs);
	d = get_ok(kc, &ps);
	CHECK(a != b && c != d);
	CHECK(!is_key_of(a, &y) && !is_key_of(b, &x));
	CHECK_INT(c->alg, BR_COSE_RS256);
	CHECK_INT(d->alg, BR_COSE_PS256);
	/* one byte shorter: not the stored entry (and not a key) */
	{
		const br_cose_key *e = (const br_cose_key *)&x;

		CHECK_ERR(br_keycache_get(kc, x.cose.ptr, x.cose.len - 1, &e), BR_ERR_COSE_KEY);
		CHECK(e == NULL);
	}
	stats_are(kc, 0, 5, 0, 4);
	br_keycache_release(a);
	br_keycache_release(b);
	br_keycache_release(c);
	br_keycache_release(d);
	br_keycache_free(&kc);
	tkey_free(&x);
	tkey_free(&y);
	tkey_free(&rs);
	tkey_free(&ps);
}

static void
every_get_matches_its_bytes(void)
{
	/* 40 keys in 16 buckets: chains; each get must find its own bytes */
	enum { N = 40 };
	br_keycache *kc = br_keycache_new(N);
	tkey t[N];
	size_t i, round;

	for (i = 0; i < N; i++)
		tkey_make(&t[i], i % 2 ? BR_COSE_EDDSA : BR_COSE_ES256);
	for (round = 0; round < 3; round++)
		for (i = 0; i < N; i++)
			br_keycache_release(get_ok(kc, &t[(i * 7 + round) % N]));
	stats_are(kc, 2 * N, N, 0, N);
	br_keycache_free(&kc);
	for (i = 0; i < N; i++)
		tkey_free(&t[i]);
}

static void
capacity_and_lru_eviction(void)
{
	br_keycache *kc = br_keycache_new(3);
	const br_cose_key *held_b, *k;
	tkey a, b, c, d;

	tkey_make(&a, BR_COSE_ES256);
	tkey_make(&b, BR_COSE_EDDSA);
	tkey_make(&c, BR_COSE_ES384);
	tkey_make(&d, BR_COSE_RS256);
	br_keycache_release(get_ok(kc, &a));
	held_b = get_ok(kc, &b);                 /* held across its eviction */
	br_keycache_release(get_ok(kc, &c));
	stats_are(kc, 0, 3, 0, 3);
	/* a used again: b is now the least recently used */
	br_keycache_release(get_ok(kc, &a));
	br_keycache_release(get_ok(kc, &d));
	stats_are(kc, 1, 4, 1, 3);
	/* a, c, d are kept */
	br_keycache_release(get_ok(kc, &a));
	br_keycache_release(get_ok(kc, &c));
	br_keycache_release(get_ok(kc, &d));
	stats_are(kc, 4, 4, 1, 3);
	/* the evicted key still works for its holder */
	CHECK(is_key_of(held_b, &b));
	/* b again: a new key (the old one is still held), and a (now oldest) goes */
	k = get_ok(kc, &b);
	CHECK(k != held_b);
	stats_are(kc, 4, 5, 2, 3);
	br_keycache_release(held_b);
	br_keycache_release(k);
	br_keycache_release(get_ok(kc, &a));
	stats_are(kc, 4, 6, 3, 3);
	br_keycache_free(&kc);
	tkey_free(&a);
	tkey_free(&b);
	tkey_free(&c);
	tkey_free(&d);
}

static void
capacity_one(void)
{
	br_keycache *kc = br_keycache_new(1);
	tkey a, b;
	int i;

	tkey_make(&a, BR_COSE_ES256);
	tkey_make(&b, BR_COSE_ES256);
	for (i = 0; i < 3; i++) {
		br_keycache_release(get_ok(kc, &a));
		br_keycache_release(get_ok(kc, &a));
		br_keycache_release(get_ok(kc, &b));
	}
	stats_are(kc, 3, 6, 5, 1);
	br_keycache_free(&kc);
	tkey_free(&a);
	tkey_free(&b);
}

static void
held_key_outlives_cache(void)
{
	br_keycache *kc = br_keycache_new(4);
	const br_cose_key *k;
	tkey t;

	tkey_make(&t, BR_COSE_EDDSA);
	k = get_ok(kc, &t);
	br_keycache_free(&kc);
	CHECK(is_key_of(k, &t));
	br_keycache_release(k);
	br_keycache_release(NULL);
	tkey_free(&t);
}

/* ---- failures: the parser's verdict, never kept ---- */

static void add_d(sa_cose *c) { sa_buf_set(&c->d, "0123456789abcdef0123456789abcdef", 32); }
static void alg_unknown(sa_cose *c) { c->alg = -999; }
static void crv_p384(sa_cose *c) { c->crv = 2; }

static void
bad_key(br_keycache *kc, const sa_buf *b)
{
	const br_cose_key *k = (const br_cose_key *)b;
	br_cose_key ck;
	br_err want;

	want = br_cose_key_parse(b->ptr, b->len, &ck);
	CHECK(want != BR_OK);
	CHECK_ERR(br_keycache_get(kc, b->ptr, b->len, &k), want);
	CHECK(k == NULL);
	/* asked again: parsed again (nothing was kept) */
	CHECK_ERR(br_keycache_get(kc, b->ptr, b->len, &k), want);
	CHECK(k == NULL);
}

static void
mutated(int alg, void (*mutate)(sa_cose *), sa_buf *out)
{
	sa_cose c;
	sa_key k;

	sa_key_gen(alg, &k);
	sa_cose_from_key(&k, &c);
	mutate(&c);
	sa_cose_encode(&c, out);
	sa_cose_free(&c);
	sa_key_free(&k);
}

static void
bad_key_not_cached(void)
{
	static const unsigned char junk[] = { 0xa1, 0x01, 0x02 };
	br_keycache *kc = br_keycache_new(4);
	const br_cose_key *k = NULL;
	sa_buf b = { NULL, 0 };
	tkey t;

	sa_buf_set(&b, junk, sizeof(junk));
	bad_key(kc, &b);
	sa_buf_free(&b);
	mutated(BR_COSE_ES256, add_d, &b);
	bad_key(kc, &b);
	sa_buf_free(&b);
	mutated(BR_COSE_ES256, alg_unknown, &b);
	CHECK_ERR(br_cose_key_parse(b.ptr, b.len, &(br_cose_key){ 0, 0, NULL }), BR_ERR_ALGORITHM);
	bad_key(kc, &b);
	sa_buf_free(&b);
	mutated(BR_COSE_ES256, crv_p384, &b);
	bad_key(kc, &b);
	sa_buf_free(&b);
	/* a good key with a trailing byte */
	tkey_make(&t, BR_COSE_ES256);
	sa_buf_set(&b, t.cose.ptr, t.cose.len);
	sa_buf_add_u8(&b, 0);
	bad_key(kc, &b);
	sa_buf_free(&b);
	stats_are(kc, 0, 10, 0, 0);
	/* nothing at all */
	CHECK_ERR(br_keycache_get(kc, NULL, 0, &k), BR_ERR_COSE_KEY);
	CHECK(k == NULL);
	/* and the good key itself is kept */
	br_keycache_release(get_ok(kc, &t));
	stats_are(kc, 0, 12, 0, 1);
	tkey_free(&t);
	br_keycache_free(&kc);
}

static void
disabled_cache_parses(void)
{
	br_keycache *kc = br_keycache_new(0);
	const br_cose_key *a, *b, *c, *d;
	tkey t;

	CHECK(kc != NULL);
	tkey_make(&t, BR_COSE_ES256);
	a = get_ok(kc, &t);
	b = get_ok(kc, &t);
	CHECK(a != b);
	stats_are(kc, 0, 2, 0, 0);
	/* no cache at all: the same */
	c = get_ok(NULL, &t);
	d = get_ok(NULL, &t);
	CHECK(c != d);
	br_keycache_release(a);
	br_keycache_release(b);
	br_keycache_release(c);
	br_keycache_release(d);
	br_keycache_free(&kc);
	tkey_free(&t);
}

static void
oversized_key_not_kept(void)
{
	/* a good key with one more (ignored) member making it 5000+ bytes */
	br_keycache *kc = br_keycache_new(4);
	struct cbor_load_result lr;
	const br_cose_key *a, *b;
	unsigned char *pad;
	cbor_item_t *small, *map;
	struct cbor_pair *pairs;
	size_t i, n;
	sa_buf big = { NULL, 0 };
	tkey t, tb;

	tkey_make(&t, BR_COSE_ES256);
	small = cbor_load(t.cose.ptr, t.cose.len, &lr);
	SA_REQUIRE(small != NULL && cbor_isa_map(small));
	n = cbor_map_size(small);
	pairs = cbor_map_handle(small);
	SA_REQUIRE((map = cbor_new_definite_map(n + 1)) != NULL);
	for (i = 0; i < n; i++)
		SA_REQUIRE(cbor_map_add(map, (struct cbor_pair){ .key = pairs[i].key, .value = pairs[i].value }));
	cbor_decref(&small);
	SA_REQUIRE((pad = calloc(1, 5000)) != NULL);
	SA_REQUIRE(cbor_map_add(map, (struct cbor_pair){ .key = cbor_move(sa_cbor_int(-70000)),
	    .value = cbor_move(cbor_build_bytestring(pad, 5000)) }));
	free(pad);
	sa_cbor_serialize(map, &big);
	cbor_decref(&map);
	CHECK(big.len > BR_KEYCACHE_MAX_KEY_BYTES);
	tb = t;
	tb.cose = big;
	a = get_ok(kc, &tb);
	b = get_ok(kc, &tb);
	CHECK(a != b);
	stats_are(kc, 0, 2, 0, 0);
	br_keycache_release(a);
	br_keycache_release(b);
	br_keycache_free(&kc);
	sa_buf_free(&big);
	tkey_free(&t);
}

/* ---- threads ---- */

enum { T_THREADS = 8, T_KEYS = 12, T_ROUNDS = 1500, T_CAPACITY = 5 };

struct hammer {
	br_keycache *kc;
	const tkey *keys;
	unsigned seed;
	int fails;
};

static void *
hammer_run(void *arg)
{
	struct hammer *h = arg;
	const br_cose_key *held = NULL;
	size_t held_i = 0;
	unsigned x = h->seed;
	int i;

	for (i = 0; i < T_ROUNDS; i++) {
		const br_cose_key *k = NULL;
		size_t j;

		x = x * 1103515245u + 12345u;
		/* skewed: a few keys hot, the rest cold, so hits, misses and evictions mix */
		j = (x >> 16) % 4 == 0 ? (x >> 8) % T_KEYS : (x >> 8) % 3;
		if (br_keycache_get(h->kc, h->keys[j].cose.ptr, h->keys[j].cose.len, &k) != BR_OK ||
		    k == NULL || k->alg != h->keys[j].k.alg) {
			h->fails++;
			continue;
		}
		/* checking every signature takes long under the sanitizers: one in 8, and the held key */
		if (i % 8 == 0 && !is_key_of(k, &h->keys[j]))
			h->fails++;
		/* now and then keep a key across many gets (evicted meanwhile) */
		if (held == NULL && i % 50 == 0) {
			held = k;
			held_i = j;
			continue;
		}
		br_keycache_release(k);
		if (held != NULL && i % 50 == 49) {
			if (!is_key_of(held, &h->keys[held_i]))
				h->fails++;
			br_keycache_release(held);
			held = NULL;
		}
	}
	br_keycache_release(held);
	return NULL;
}

static void
threads_hammer_small_cache(void)
{
	br_keycache *kc = br_keycache_new(T_CAPACITY);
	pthread_t th[T_THREADS];
	struct hammer h[T_THREADS];
	br_keycache_stats st;
	tkey keys[T_KEYS];
	size_t i;

	for (i = 0; i < T_KEYS; i++)
		tkey_make(&keys[i], i % 3 == 0 ? BR_COSE_EDDSA : i % 3 == 1 ? BR_COSE_ES256 : BR_COSE_RS256);
	for (i = 0; i < T_THREADS; i++) {
		h[i] = (struct hammer){ kc, keys, 0x9e3779b9u * (unsigned)(i + 1), 0 };
		CHECK(pthread_create(&th[i], NULL, hammer_run, &h[i]) == 0);
	}
	for (i = 0; i < T_THREADS; i++) {
		CHECK(pthread_join(th[i], NULL) == 0);
		CHECK_INT(h[i].fails, 0);
	}
	br_keycache_stats_get(kc, &st);
	CHECK_INT(st.hits + st.misses, (uint64_t)T_THREADS * T_ROUNDS);
	CHECK(st.entries <= T_CAPACITY);
	CHECK(st.hits > 0 && st.evictions > 0);
	printf("  %llu hits, %llu misses, %llu evictions\n", (unsigned long long)st.hits,
	    (unsigned long long)st.misses, (unsigned long long)st.evictions);
	br_keycache_free(&kc);
	for (i = 0; i < T_KEYS; i++)
		tkey_free(&keys[i]);
}

int
main(void)
{
	static const unit_case cases[] = {
		UNIT_CASE(hit_returns_same_key),
		UNIT_CASE(different_bytes_different_keys),
		UNIT_CASE(every_get_matches_its_bytes),
		UNIT_CASE(capacity_and_lru_eviction),
		UNIT_CASE(capacity_one),
		UNIT_CASE(held_key_outlives_cache),
		UNIT_CASE(bad_key_not_cached),
		UNIT_CASE(disabled_cache_parses),
		UNIT_CASE(oversized_key_not_kept),
		UNIT_CASE(threads_hammer_small_cache),
	};
	int rc;

	sa_init();
	rc = unit_run("keycache", cases, UNIT_N(cases));
	sa_cleanup();
	return rc;
}
