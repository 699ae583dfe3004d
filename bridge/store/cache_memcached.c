/*
 * The cache over libmemcached. Placement is ours: rendezvous (highest random
 * weight) hashing orders the servers for each key, the value goes to the
 * first 1 + replicas of them with ordinary acknowledged writes, and a take
 * or a delete asks every server, as the IdP shim does, and counts only when
 * every server answered. libmemcached's own replication is
 * not used: it sends quiet writes and deletes whose replies it never reads,
 * which put connections out of step and let consumed keys come back.
 */
#include "cache_backend.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmemcached/memcached.h>

#include "../core/crypto.h"

#define PREFIX_MAX 40
#define MAX_SERVERS 16
#define RETRY_S 2        /* a failed server is tried again after this */

struct server {
	char host[256];
	in_port_t port;
};

struct mcache {
	struct server srv[MAX_SERVERS];
	unsigned n;
	unsigned copies;     /* 1 + replicas, at most n */
	uint64_t tmo_ms;
	pthread_key_t tls;   /* struct conns: this thread's connections */
	int tls_ok;
	char prefix[PREFIX_MAX + 1];
};

/* One libmemcached handle per server per thread: handles are not thread-safe. */
struct conns {
	unsigned n;
	memcached_st *mc[MAX_SERVERS];
};

static int
key_chars_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] >= 0x7f)
			return 0;
	return 1;
}

/* "host:port,host:port" into c->srv. */
static int
parse_servers(struct mcache *c, const char *list, char *err, size_t errlen)
{
	char *copy, *tok, *save = NULL;
	int rc = -1;

	if (list == NULL || (copy = strdup(list)) == NULL) {
		snprintf(err, errlen, "memcached servers: empty list");
		return -1;
	}
	for (tok = strtok_r(copy, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
		char *colon = strrchr(tok, ':'), *end;
		long port;

		if (colon == NULL || colon == tok || (size_t)(colon - tok) >= sizeof(c->srv[0].host)) {
			snprintf(err, errlen, "memcached servers: \"%s\" is not host:port", tok);
			goto out;
		}
		*colon = '\0';
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno != 0 || *end != '\0' || port < 1 || port > 65535) {
			snprintf(err, errlen, "memcached servers: bad port in \"%s:%s\"", tok, colon + 1);
			goto out;
		}
		if (c->n == MAX_SERVERS) {
			snprintf(err, errlen, "memcached servers: at most %d", MAX_SERVERS);
			goto out;
		}
		strcpy(c->srv[c->n].host, tok);
		c->srv[c->n].port = (in_port_t)port;
		c->n++;
	}
	if (c->n == 0) {
		snprintf(err, errlen, "memcached servers: empty list");
		goto out;
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

static void
free_conns(void *p)
{
	struct conns *cs = p;
	unsigned i;

	if (cs == NULL)
		return;
	for (i = 0; i < cs->n; i++)
		if (cs->mc[i] != NULL)
			memcached_free(cs->mc[i]);
	free(cs);
}

static struct mcache *
mcache_open(const br_cache_options *o, char *err, size_t errlen)
{
	struct mcache *c;

	if (o->prefix != NULL && (strlen(o->prefix) > PREFIX_MAX || !key_chars_ok(o->prefix, strlen(o->prefix)))) {
		snprintf(err, errlen, "memcached prefix: at most %d printable characters, no spaces", PREFIX_MAX);
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (o->prefix != NULL)
		strcpy(c->prefix, o->prefix);
	c->tmo_ms = o->timeout_ms ? o->timeout_ms : 500;
	if (parse_servers(c, o->servers, err, errlen) < 0) {
		free(c);
		return NULL;
	}
	c->copies = o->replicas + 1 < c->n ? o->replicas + 1 : c->n;
	if (pthread_key_create(&c->tls, free_conns) != 0) {
		snprintf(err, errlen, "out of resources");
		free(c);
		return NULL;
	}
	c->tls_ok = 1;
	return c;
}

static void
mcache_close(void *backend)
{
	struct mcache *c = backend;

	if (c == NULL)
		return;
	if (c->tls_ok) {
		/* this thread's connections; other threads' go with their exit */
		free_conns(pthread_getspecific(c->tls));
		pthread_setspecific(c->tls, NULL);
		pthread_key_delete(c->tls);
	}
	free(c);
}

/* This thread's handle for server i, made on first use; NULL on OOM. */
/* NB: the analyzer does not model pthread_setspecific: the connections are the thread's, freed by its destructor. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
static memcached_st *
conn(struct mcache *c, unsigned i)
{
	struct conns *cs = pthread_getspecific(c->tls);
	memcached_st *mc;

	if (cs == NULL) {
		if ((cs = calloc(1, sizeof(*cs))) == NULL)
			return NULL;
		cs->n = c->n;
		if (pthread_setspecific(c->tls, cs) != 0) {
			free(cs);
			return NULL;
		}
	}
	if (cs->mc[i] != NULL)
		return cs->mc[i];
	if ((mc = memcached_create(NULL)) == NULL)
		return NULL;
	if (memcached_server_add(mc, c->srv[i].host, c->srv[i].port) != MEMCACHED_SUCCESS) {
		memcached_free(mc);
		return NULL;
	}
	/* binary protocol for incr-with-initial; replies are always read (no quiet ops) */
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_BINARY_PROTOCOL, 1);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, c->tmo_ms);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_POLL_TIMEOUT, c->tmo_ms);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_RCV_TIMEOUT, c->tmo_ms * 1000);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_SND_TIMEOUT, c->tmo_ms * 1000);
	/* a server that failed is skipped for RETRY_S instead of costing a timeout each time */
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_RETRY_TIMEOUT, RETRY_S);
	memcached_behavior_set(mc, MEMCACHED_BEHAVIOR_SERVER_FAILURE_LIMIT, 1);
	cs->mc[i] = mc;
	return mc;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

static uint64_t
mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/*
 * Rendezvous hashing: each server scores hash(server, key); the order of
 * scores is the order of preference. Adding or removing a server moves only
 * the keys for which it scores highest: consistent, without a ring.
 */
static void
server_order(const struct mcache *c, const char *k, size_t kl, unsigned order[MAX_SERVERS])
{
	uint64_t score[MAX_SERVERS];
	unsigned i, j;

	for (i = 0; i < c->n; i++) {
		uint64_t h = 0xcbf29ce484222325ULL;
		const char *p;
		size_t n;

		for (p = c->srv[i].host; *p; p++)
			h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
		h = (h ^ c->srv[i].port) * 0x100000001b3ULL;
		for (n = 0; n < kl; n++)
			h = (h ^ (unsigned char)k[n]) * 0x100000001b3ULL;
		score[i] = mix64(h);
		order[i] = i;
	}
	for (i = 1; i < c->n; i++)
		for (j = i; j > 0 && score[order[j]] > score[order[j - 1]]; j--) {
			unsigned t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
}

/* prefix + key into buf (the dispatcher checked the key); -1 if it does not fit, said for op. */
static int
full_key(const struct mcache *c, const char *op, const char *key, char *buf, size_t cap, size_t *len)
{
	size_t kl = strlen(key), pl = strlen(c->prefix);

	if (pl + kl + 1 > cap) {
		br_store_error_set(op, "key too long");
		return -1;
	}
	memcpy(buf, c->prefix, pl);
	memcpy(buf + pl, key, kl + 1);
	*len = pl + kl;
	return 0;
}

/* Failed or unreachable, as opposed to an answer (stored, not found, exists). */
static int
failed(memcached_return_t rc)
{
	return rc != MEMCACHED_SUCCESS && rc != MEMCACHED_NOTFOUND && rc != MEMCACHED_NOTSTORED &&
	    rc != MEMCACHED_DATA_EXISTS;
}

/* The reason for the audit line: what failed and libmemcached's word for it. */
static br_cache_rc
mc_failed(const char *op, memcached_return_t rc)
{
	br_store_error_set(op, memcached_strerror(NULL, rc));
	return BR_CACHE_ERROR;
}

/* conn() made no handle: out of memory, or a server libmemcached would not take */
#define NO_HANDLE MEMCACHED_MEMORY_ALLOCATION_FAILURE

static br_cache_rc
store(struct mcache *c, int add, const char *key, const void *val, size_t len, unsigned ttl)
{
	const char *op = add ? "memcached add" : "memcached set";
	char k[PREFIX_MAX + BR_CACHE_KEY_MAX + 1];
	unsigned order[MAX_SERVERS], i, stored = 0, placed = 0;
	size_t kl;
	memcached_st *mc;
	memcached_return_t rc, last = MEMCACHED_FAILURE;

	if (full_key(c, op, key, k, sizeof(k), &kl) < 0)
		return BR_CACHE_ERROR;
	server_order(c, k, kl, order);
	/* the first `copies` reachable servers in preference order get the value */
	for (i = 0; i < c->n && placed < c->copies; i++) {
		if ((mc = conn(c, order[i])) == NULL) {
			last = NO_HANDLE;
			continue;
		}
		/* add decides on the first reachable server; the copies follow it */
		if (add && placed == 0)
			rc = memcached_add(mc, k, kl, val, len, (time_t)ttl, 0);
		else
			rc = memcached_set(mc, k, kl, val, len, (time_t)ttl, 0);
		if (rc != MEMCACHED_SUCCESS)
			last = rc;
		if (failed(rc))
			continue;
		placed++;
		if (rc == MEMCACHED_SUCCESS)
			stored++;
		else if (add)
			return BR_CACHE_EXISTS;
	}
	return stored > 0 ? BR_CACHE_OK : mc_failed(op, last);
}

static br_cache_rc
mcache_set(void *backend, const char *key, const void *val, size_t len, unsigned ttl)
{
	return store(backend, 0, key, val, len, ttl);
}

static br_cache_rc
mcache_add(void *backend, const char *key, const void *val, size_t len, unsigned ttl)
{
	return store(backend, 1, key, val, len, ttl);
}

static void
drop_value(char **val, size_t *len)
{
	if (*val != NULL) {
		br_wipe(*val, *len);
		free(*val);
	}
	*val = NULL;
	*len = 0;
}

/*
 * What memcached_get returned as a value of ours: libmemcached returns NULL
 * for an empty one, which is still a value (a hit), so it becomes "".
 */
static int
hit(char **v, size_t *len)
{
	if (*v == NULL) {
		*len = 0;
		if ((*v = calloc(1, 1)) == NULL)
			return -1;
	}
	return 0;
}

static br_cache_rc
mcache_get(void *backend, const char *key, char **val, size_t *len)
{
	struct mcache *c = backend;
	char k[PREFIX_MAX + BR_CACHE_KEY_MAX + 1];
	unsigned order[MAX_SERVERS], i, answered = 0;
	size_t kl;
	memcached_st *mc;
	memcached_return_t rc, last = NO_HANDLE;
	uint32_t flags;

	if (full_key(c, "memcached get", key, k, sizeof(k), &kl) < 0)
		return BR_CACHE_ERROR;
	server_order(c, k, kl, order);
	/* the copies first, then the rest: a key written while a server was away sits further down */
	for (i = 0; i < c->n; i++) {
		if ((mc = conn(c, order[i])) == NULL)
			continue;
		*val = memcached_get(mc, k, kl, len, &flags, &rc);
		if (rc == MEMCACHED_SUCCESS) {
			if (hit(val, len) < 0) {
				br_store_error_set("memcached get", "out of memory");
				return BR_CACHE_ERROR;
			}
			return BR_CACHE_OK; /* libmemcached NUL-terminates what it returns */
		}
		drop_value(val, len);
		if (!failed(rc))
			answered++;
		else
			last = rc;
	}
	return answered > 0 ? BR_CACHE_MISS : mc_failed("memcached get", last);
}

/*
 * Take once (docs/handoff-protocol.md, section 4.1, which the shim follows
 * too): get on every server, then delete every copy seen. Ours only when
 * every server answered its get and each of our deletes removed a copy. A
 * server that did not answer may hold a copy that another taker finds once
 * it is back, so then the take is unavailable (BR_CACHE_ERROR), never won;
 * nothing is deleted, so a retry after the fault can still win, once.
 * Why at most one taker wins: each finishes all its gets before its first
 * delete, so if two won, each would have deleted a copy the other saw as
 * already gone before its own first delete.
 */
static br_cache_rc
mcache_take(void *backend, const char *key, char **val, size_t *len)
{
	struct mcache *c = backend;
	char k[PREFIX_MAX + BR_CACHE_KEY_MAX + 1], *v;
	unsigned i, found[MAX_SERVERS], nfound = 0, nfailed = 0, deleted = 0, lost = 0;
	size_t kl, vl;
	memcached_st *mc;
	memcached_return_t rc, last = NO_HANDLE;
	uint32_t flags;

	*val = NULL;
	*len = 0;
	if (full_key(c, "memcached get", key, k, sizeof(k), &kl) < 0)
		return BR_CACHE_ERROR;
	/* every server, whatever the replicas: a write that met a failed server went further down the order */
	for (i = 0; i < c->n; i++) {
		if ((mc = conn(c, i)) == NULL) {
			nfailed++;
			continue;
		}
		v = memcached_get(mc, k, kl, &vl, &flags, &rc);
		if (rc == MEMCACHED_SUCCESS) {
			found[nfound++] = i;
			if (nfound == 1) {
				*val = v;
				*len = vl;
				v = NULL;
			}
		}
		if (v != NULL) {
			br_wipe(v, vl);
			free(v);
		}
		if (failed(rc)) {
			nfailed++;
			last = rc;
		}
	}
	if (nfailed > 0) {
		/* a copy may sit on a server that did not answer: neither won nor gone */
		drop_value(val, len);
		return mc_failed("memcached get", last);
	}
	if (nfound == 0)
		return BR_CACHE_MISS;
	if (hit(val, len) < 0) {
		br_store_error_set("memcached get", "out of memory");
		return BR_CACHE_ERROR;
	}
	/*
	 * Copies go in server order and the first that is not ours stops us:
	 * another taker got there first and is left to delete the rest. A delete
	 * that fails stops us too (it may or may not have happened).
	 */
	for (i = 0; i < nfound && !lost && nfailed == 0; i++) {
		rc = (mc = conn(c, found[i])) != NULL ? memcached_delete(mc, k, kl, 0) : NO_HANDLE;
		if (rc == MEMCACHED_SUCCESS) {
			deleted++;
		} else if (rc == MEMCACHED_NOTFOUND) {
			lost = 1;
		} else {
			nfailed++;
			last = rc;
		}
	}
	if (deleted == nfound)
		return BR_CACHE_OK;
	drop_value(val, len);
	return nfailed > 0 ? mc_failed("memcached delete", last) : BR_CACHE_MISS;
}

/*
 * Delete on every server. Done (OK) only when every server answered and one
 * removed a copy; a server that did not answer may keep one, so then the
 * delete is unavailable (BR_CACHE_ERROR) even if others removed theirs.
 */
static br_cache_rc
mcache_del(void *backend, const char *key)
{
	struct mcache *c = backend;
	char k[PREFIX_MAX + BR_CACHE_KEY_MAX + 1];
	unsigned i, nfailed = 0, deleted = 0;
	size_t kl;
	memcached_st *mc;
	memcached_return_t rc, last = NO_HANDLE;

	if (full_key(c, "memcached delete", key, k, sizeof(k), &kl) < 0)
		return BR_CACHE_ERROR;
	for (i = 0; i < c->n; i++) {
		if ((mc = conn(c, i)) == NULL) {
			nfailed++;
			continue;
		}
		rc = memcached_delete(mc, k, kl, 0);
		deleted += rc == MEMCACHED_SUCCESS;
		if (failed(rc)) {
			nfailed++;
			last = rc;
		}
	}
	if (nfailed > 0)
		return mc_failed("memcached delete", last);
	return deleted > 0 ? BR_CACHE_OK : BR_CACHE_MISS;
}

static br_cache_rc
mcache_incr(void *backend, const char *key, unsigned ttl, uint64_t *value)
{
	struct mcache *c = backend;
	char k[PREFIX_MAX + BR_CACHE_KEY_MAX + 1];
	unsigned order[MAX_SERVERS], i;
	size_t kl;
	memcached_st *mc;
	memcached_return_t rc, last = NO_HANDLE;

	if (full_key(c, "memcached incr", key, k, sizeof(k), &kl) < 0)
		return BR_CACHE_ERROR;
	server_order(c, k, kl, order);
	/* counters live on one server: the first that answers */
	for (i = 0; i < c->n; i++) {
		if ((mc = conn(c, order[i])) == NULL)
			continue;
		/* starts at 1 with the TTL; later increments keep the first expiry */
		rc = memcached_increment_with_initial(mc, k, kl, 1, 1, (time_t)ttl, value);
		if (rc == MEMCACHED_SUCCESS)
			return BR_CACHE_OK;
		last = rc;
	}
	return mc_failed("memcached incr", last);
}

static int
mcache_check(void *backend, char *err, size_t errlen)
{
	struct mcache *c = backend;
	unsigned i;

	for (i = 0; i < c->n; i++) {
		memcached_stat_st st;
		memcached_return_t r;

		/* a fresh connection per server: ours may be waiting out a retry */
		r = memcached_stat_servername(&st, NULL, c->srv[i].host, c->srv[i].port);
		if (r != MEMCACHED_SUCCESS) {
			snprintf(err, errlen, "memcached %s:%u: %s", c->srv[i].host, (unsigned)c->srv[i].port,
			    memcached_strerror(NULL, r));
			return -1;
		}
	}
	return 0;
}

static const br_cache_ops memcached_ops = {
	.name = "memcached",
	.set = mcache_set,
	.add = mcache_add,
	.get = mcache_get,
	.take = mcache_take,
	.del = mcache_del,
	.incr = mcache_incr,
	.check = mcache_check,
	.close = mcache_close,
};

br_cache *
br_cache_open(const br_cache_options *o, char *err, size_t errlen)
{
	struct mcache *c;
	br_cache *cache;

	if ((c = mcache_open(o, err, errlen)) == NULL)
		return NULL;
	if ((cache = br_cache_new(&memcached_ops, c)) == NULL)
		snprintf(err, errlen, "out of memory");
	return cache;
}
