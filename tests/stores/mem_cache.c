/*
 * The cache in memory: a list of entries under one mutex, expiry against a
 * clock the test sets. Small on purpose: a test holds tens of keys.
 */
#include "mem_stores.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_backend.h"

struct entry {
	char *key;
	char *val;       /* NUL-terminated, len bytes before the NUL */
	size_t len;
	int64_t expires; /* gone from this time on */
};

struct mem_cache {
	pthread_mutex_t lock;
	struct entry *e;
	size_t n, cap;
	int64_t now;
	unsigned fail;
};

static const br_cache_ops mem_cache_ops;

static struct mem_cache *
backend_of(br_cache *c)
{
	if (c == NULL || c->ops != &mem_cache_ops) {
		fprintf(stderr, "mem_cache: not a cache from mem_cache_open\n");
		abort();
	}
	return c->backend;
}

static void
entry_free(struct entry *e)
{
	free(e->key);
	free(e->val);
}

/* The live entry for key, dropping expired ones on the way; -1 if none. Locked. */
static long
find(struct mem_cache *m, const char *key)
{
	size_t i = 0;

	while (i < m->n) {
		if (m->e[i].expires <= m->now) {
			entry_free(&m->e[i]);
			m->e[i] = m->e[--m->n];
			continue;
		}
		if (strcmp(m->e[i].key, key) == 0)
			return (long)i;
		i++;
	}
	return -1;
}

static void
drop(struct mem_cache *m, long i)
{
	entry_free(&m->e[i]);
	m->e[i] = m->e[--m->n];
}

static char *
copy_value(const void *val, size_t len)
{
	char *v = malloc(len + 1);

	if (v != NULL) {
		if (len > 0)
			memcpy(v, val, len);
		v[len] = '\0';
	}
	return v;
}

/* An injected failure is due: take it. Locked. */
static int
failing(struct mem_cache *m, const char *op)
{
	char what[32];

	if (m->fail == 0)
		return 0;
	m->fail--;
	snprintf(what, sizeof(what), "mem %s", op);
	br_store_error_set(what, "injected failure");
	return 1;
}

static br_cache_rc
oom(const char *op)
{
	char what[32];

	snprintf(what, sizeof(what), "mem %s", op);
	br_store_error_set(what, "out of memory");
	return BR_CACHE_ERROR;
}

/* Put key = val, replacing what is there. Locked. */
static br_cache_rc
put(struct mem_cache *m, const char *op, long i, const char *key, const void *val, size_t len, int64_t expires)
{
	char *v = copy_value(val, len), *k = NULL;

	if (v == NULL)
		return oom(op);
	if (i >= 0) {
		free(m->e[i].val);
	} else {
		if (m->n == m->cap) {
			size_t cap = m->cap ? m->cap * 2 : 16;
			struct entry *ne = realloc(m->e, cap * sizeof(*ne));

			if (ne == NULL) {
				free(v);
				return oom(op);
			}
			m->e = ne;
			m->cap = cap;
		}
		if ((k = strdup(key)) == NULL) {
			free(v);
			return oom(op);
		}
		i = (long)m->n++;
		m->e[i].key = k;
	}
	m->e[i].val = v;
	m->e[i].len = len;
	m->e[i].expires = expires;
	return BR_CACHE_OK;
}

static br_cache_rc
store(void *backend, const char *op, int add, const char *key, const void *val, size_t len, unsigned ttl)
{
	struct mem_cache *m = backend;
	br_cache_rc r;
	long i;

	pthread_mutex_lock(&m->lock);
	if (failing(m, op)) {
		r = BR_CACHE_ERROR;
	} else {
		i = find(m, key);
		if (add && i >= 0)
			r = BR_CACHE_EXISTS;
		else
			r = put(m, op, i, key, val, len, m->now + (int64_t)ttl);
	}
	pthread_mutex_unlock(&m->lock);
	return r;
}

static br_cache_rc
mem_set(void *backend, const char *key, const void *val, size_t len, unsigned ttl)
{
	return store(backend, "set", 0, key, val, len, ttl);
}

static br_cache_rc
mem_add(void *backend, const char *key, const void *val, size_t len, unsigned ttl)
{
	return store(backend, "add", 1, key, val, len, ttl);
}

static br_cache_rc
fetch(void *backend, const char *op, int take, const char *key, char **val, size_t *len)
{
	struct mem_cache *m = backend;
	br_cache_rc r = BR_CACHE_MISS;
	long i;

	pthread_mutex_lock(&m->lock);
	if (failing(m, op)) {
		r = BR_CACHE_ERROR;
	} else if ((i = find(m, key)) >= 0) {
		if (take) {
			/* moved out under the lock: exactly one taker gets it */
			*val = m->e[i].val;
			*len = m->e[i].len;
			m->e[i].val = NULL;
			drop(m, i);
			r = BR_CACHE_OK;
		} else if ((*val = copy_value(m->e[i].val, m->e[i].len)) == NULL) {
			r = oom(op);
		} else {
			*len = m->e[i].len;
			r = BR_CACHE_OK;
		}
	}
	pthread_mutex_unlock(&m->lock);
	return r;
}

static br_cache_rc
mem_get(void *backend, const char *key, char **val, size_t *len)
{
	return fetch(backend, "get", 0, key, val, len);
}

static br_cache_rc
mem_take(void *backend, const char *key, char **val, size_t *len)
{
	return fetch(backend, "take", 1, key, val, len);
}

static br_cache_rc
mem_del(void *backend, const char *key)
{
	struct mem_cache *m = backend;
	br_cache_rc r = BR_CACHE_MISS;
	long i;

	pthread_mutex_lock(&m->lock);
	if (failing(m, "delete")) {
		r = BR_CACHE_ERROR;
	} else if ((i = find(m, key)) >= 0) {
		drop(m, i);
		r = BR_CACHE_OK;
	}
	pthread_mutex_unlock(&m->lock);
	return r;
}

/* An entry's value as a counter: decimal digits only, as memcached keeps them. */
static int
counter_value(const struct entry *e, uint64_t *v)
{
	size_t i;

	if (e->len == 0 || e->len > 20)
		return -1;
	for (i = 0; i < e->len; i++)
		if (e->val[i] < '0' || e->val[i] > '9')
			return -1;
	*v = strtoull(e->val, NULL, 10);
	return 0;
}

/* As memcached: a counter starts at 1, wraps at 2^64, and keeps its first expiry. */
static br_cache_rc
mem_incr(void *backend, const char *key, unsigned ttl, uint64_t *value)
{
	struct mem_cache *m = backend;
	br_cache_rc r;
	char num[24];
	uint64_t v = 0;
	long i;

	pthread_mutex_lock(&m->lock);
	if (failing(m, "incr")) {
		r = BR_CACHE_ERROR;
		goto out;
	}
	if ((i = find(m, key)) >= 0 && counter_value(&m->e[i], &v) < 0) {
		br_store_error_set("mem incr", "not a counter");
		r = BR_CACHE_ERROR;
		goto out;
	}
	v++;
	snprintf(num, sizeof(num), "%" PRIu64, v);
	r = put(m, "incr", i, key, num, strlen(num), i >= 0 ? m->e[i].expires : m->now + (int64_t)ttl);
	if (r == BR_CACHE_OK)
		*value = v;
out:
	pthread_mutex_unlock(&m->lock);
	return r;
}

static int
mem_check(void *backend, char *err, size_t errlen)
{
	struct mem_cache *m = backend;
	int r = 0;

	pthread_mutex_lock(&m->lock);
	if (failing(m, "check")) {
		snprintf(err, errlen, "mem: injected failure");
		r = -1;
	}
	pthread_mutex_unlock(&m->lock);
	return r;
}

static void
mem_close(void *backend)
{
	struct mem_cache *m = backend;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		entry_free(&m->e[i]);
	free(m->e);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static const br_cache_ops mem_cache_ops = {
	.name = "mem",
	.set = mem_set,
	.add = mem_add,
	.get = mem_get,
	.take = mem_take,
	.del = mem_del,
	.incr = mem_incr,
	.check = mem_check,
	.close = mem_close,
};

br_cache *
mem_cache_open(void)
{
	struct mem_cache *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	if (pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		return NULL;
	}
	m->now = MEM_CACHE_EPOCH;
	return br_cache_new(&mem_cache_ops, m);
}

void
mem_cache_set_now(br_cache *c, int64_t now)
{
	struct mem_cache *m = backend_of(c);

	pthread_mutex_lock(&m->lock);
	m->now = now;
	pthread_mutex_unlock(&m->lock);
}

int64_t
mem_cache_now(br_cache *c)
{
	struct mem_cache *m = backend_of(c);
	int64_t now;

	pthread_mutex_lock(&m->lock);
	now = m->now;
	pthread_mutex_unlock(&m->lock);
	return now;
}

void
mem_cache_fail_next(br_cache *c, unsigned n)
{
	struct mem_cache *m = backend_of(c);

	pthread_mutex_lock(&m->lock);
	m->fail = n;
	pthread_mutex_unlock(&m->lock);
}

size_t
mem_cache_count(br_cache *c)
{
	struct mem_cache *m = backend_of(c);
	size_t i, n = 0;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < m->n; i++)
		n += m->e[i].expires > m->now;
	pthread_mutex_unlock(&m->lock);
	return n;
}
