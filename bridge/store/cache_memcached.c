/*
 * The cache over memcached, with our own client for the meta protocol
 * (mc_wire.c). Placement is ours: rendezvous (highest random weight)
 * hashing orders the servers for each key, the value goes to the first
 * 1 + replicas of them with acknowledged writes, and a take or a delete
 * asks every server, as the IdP shim does, and counts only when every
 * server answered.
 *
 * Why not libmemcached (docs/performance.md, "The memcached client"): one
 * handle talks to one server at a time, so a write to two replicas or a
 * take's gets on every server were round trips one after another, each a
 * send, a receive that found nothing yet, a poll and a receive. Here the
 * requests of one step go to every server it involves before any answer
 * is read, and an answer is one blocking receive. Its own replication was
 * never usable: quiet writes whose replies it does not read.
 */
#include "cache_backend.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/crypto.h"
#include "mc_wire.h"

#define PREFIX_MAX 40
#define MAX_SERVERS 16
#define RETRY_MS 2000    /* a failed server is tried again after this */

struct server {
	char host[256];
	in_port_t port;
};

struct mcache {
	struct server srv[MAX_SERVERS];
	unsigned n;
	unsigned copies;     /* 1 + replicas, at most n */
	unsigned tmo_ms;
	pthread_key_t tls;   /* struct conns: this thread's connections */
	int tls_ok;
	char prefix[PREFIX_MAX + 1];
};

/* One connection per server per thread: a connection is not thread-safe. */
struct conns {
	unsigned n;
	mcw_conn *mc[MAX_SERVERS];
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
		if (cs->mc[i] != NULL) {
			mcw_close(cs->mc[i]);
			free(cs->mc[i]);
		}
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

/* This thread's connection record for server i, made on first use; NULL on OOM. */
/* NB: the analyzer does not model pthread_setspecific: the connections are the thread's, freed by its destructor. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
static mcw_conn *
conn_of(struct mcache *c, unsigned i)
{
	struct conns *cs = pthread_getspecific(c->tls);

	if (cs == NULL) {
		if ((cs = calloc(1, sizeof(*cs))) == NULL)
			return NULL;
		cs->n = c->n;
		if (pthread_setspecific(c->tls, cs) != 0) {
			free(cs);
			return NULL;
		}
	}
	if (cs->mc[i] == NULL) {
		if ((cs->mc[i] = malloc(sizeof(*cs->mc[i]))) == NULL)
			return NULL;
		mcw_init(cs->mc[i], RETRY_MS);
	}
	return cs->mc[i];
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

/* The reason for the audit line: what failed and the client's word for it. */
static br_cache_rc
mc_failed(const char *op, const char *why)
{
	br_store_error_set(op, why != NULL ? why : "no server");
	return BR_CACHE_ERROR;
}

#define KEY_CAP (PREFIX_MAX + BR_CACHE_KEY_MAX + 1)
#define HEAD_CAP (KEY_CAP + 64)

/*
 * One request of a step: sent to server srv, its answer read later, after
 * the other servers of the step were sent theirs.
 */
struct req {
	unsigned srv;
	mcw_conn *mc;        /* NULL: not sent (why says why) */
	mcw_ans ans;
	char *val;
	size_t vlen;
	const char *why;
};

static void
send_req(struct mcache *c, struct req *r, unsigned srv, const char *head, size_t hl, const void *val, size_t vl)
{
	mcw_conn *mc = conn_of(c, srv);

	memset(r, 0, sizeof(*r));
	r->srv = srv;
	r->ans = MCW_FAIL;
	if (mc == NULL) {
		r->why = "out of memory";
		return;
	}
	if (mcw_ready(mc, c->srv[srv].host, c->srv[srv].port, c->tmo_ms, &r->why) == 0 &&
	    mcw_send(mc, head, hl, val, vl, &r->why) == 0)
		r->mc = mc;
}

/* The answers of a step's requests, in the order they were sent. */
static void
read_answers(struct req *r, unsigned n, int want_value)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (r[i].mc != NULL)
			r[i].ans = mcw_answer(r[i].mc, want_value ? &r[i].val : NULL, &r[i].vlen, &r[i].why);
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

static br_cache_rc
store(struct mcache *c, int add, const char *key, const void *val, size_t len, unsigned ttl)
{
	const char *op = add ? "memcached add" : "memcached set", *last = NULL;
	const void *data;
	char k[KEY_CAP], hset[HEAD_CAP], hadd[HEAD_CAP];
	unsigned order[MAX_SERVERS], next = 0, placed = 0, stored = 0, want, nr, i;
	struct req r[MAX_SERVERS];
	size_t kl;
	int lset, ladd;

	if (full_key(c, op, key, k, sizeof(k), &kl) < 0)
		return BR_CACHE_ERROR;
	lset = snprintf(hset, sizeof(hset), "ms %s %zu T%u\r\n", k, len, ttl);
	/* mode E: store only if absent */
	ladd = snprintf(hadd, sizeof(hadd), "ms %s %zu T%u ME\r\n", k, len, ttl);
	if (lset < 0 || (size_t)lset >= sizeof(hset) || ladd < 0 || (size_t)ladd >= sizeof(hadd)) {
		br_store_error_set(op, "key too long");
		return BR_CACHE_ERROR;
	}
	/* an empty value may come as NULL: its data block ("\r\n" alone) is still sent */
	data = val != NULL ? val : "";
	server_order(c, k, kl, order);
	/*
	 * The first `copies` reachable servers in preference order get the
	 * value, all sent before any answer is read; a server that fails is
	 * replaced by the next in the order. An add decides on the first
	 * reachable server alone, and the copies follow it.
	 */
	while (placed < c->copies && next < c->n) {
		int adding = add && placed == 0;

		want = adding ? 1 : c->copies - placed;
		for (nr = 0; nr < want && next < c->n; nr++) {
			if (adding)
				send_req(c, &r[nr], order[next++], hadd, (size_t)ladd, data, len);
			else
				send_req(c, &r[nr], order[next++], hset, (size_t)lset, data, len);
		}
		read_answers(r, nr, 0);
		for (i = 0; i < nr; i++) {
			if (r[i].ans == MCW_FAIL) {
				last = r[i].why;
				continue;
			}
			placed++;
			if (r[i].ans == MCW_HIT)
				stored++;
			else if (adding)
				return BR_CACHE_EXISTS;
		}
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

/*
 * Several sets in one step: each server gets all of its requests in one
 * sendmsg, in the items' order, and only then are answers read. An item
 * whose first `copies` servers did not all answer is set again alone, which
 * walks on to the next servers as store() does (a set is idempotent).
 */
static br_cache_rc
mcache_set_many(void *backend, const br_cache_item *items, size_t n, br_cache_rc *rc)
{
	struct mcache *c = backend;
	char k[BR_CACHE_MANY_MAX][KEY_CAP], h[BR_CACHE_MANY_MAX][HEAD_CAP];
	unsigned order[BR_CACHE_MANY_MAX][MAX_SERVERS], placed[BR_CACHE_MANY_MAX], s, j, i;
	struct iovec iov[BR_CACHE_MANY_MAX * 3];
	unsigned char sent[MAX_SERVERS];
	const char *why;
	mcw_conn *mc;
	size_t kl;
	int hl[BR_CACHE_MANY_MAX];

	for (i = 0; i < n; i++) {
		placed[i] = 0;
		if (full_key(c, "memcached set", items[i].key, k[i], KEY_CAP, &kl) < 0)
			return rc[i] = BR_CACHE_ERROR;
		hl[i] = snprintf(h[i], HEAD_CAP, "ms %s %zu T%u\r\n", k[i], items[i].len, items[i].ttl);
		if (hl[i] < 0 || hl[i] >= HEAD_CAP)
			return rc[i] = mc_failed("memcached set", "key too long");
		server_order(c, k[i], kl, order[i]);
	}
	/* the first `copies` servers of each item are its targets */
	for (s = 0; s < c->n; s++) {
		unsigned niov = 0;

		sent[s] = 0;
		for (i = 0; i < n; i++)
			for (j = 0; j < c->copies; j++)
				if (order[i][j] == s) {
					iov[niov++] = (struct iovec){ h[i], (size_t)hl[i] };
					iov[niov++] = (struct iovec){ (void *)items[i].val, items[i].val != NULL ? items[i].len : 0 };
					iov[niov++] = (struct iovec){ (void *)"\r\n", 2 };
				}
		if (niov == 0 || (mc = conn_of(c, s)) == NULL)
			continue;
		sent[s] = mcw_ready(mc, c->srv[s].host, c->srv[s].port, c->tmo_ms, &why) == 0 &&
		    mcw_sendv(mc, iov, niov, &why) == 0;
	}
	for (s = 0; s < c->n; s++) {
		if (!sent[s])
			continue;
		mc = conn_of(c, s);
		for (i = 0; i < n; i++)
			for (j = 0; j < c->copies; j++)
				/* after a failure the connection is closed: the rest of its answers fail too */
				if (order[i][j] == s && mcw_answer(mc, NULL, NULL, &why) == MCW_HIT)
					placed[i]++;
	}
	for (i = 0; i < n; i++)
		rc[i] = placed[i] == c->copies ? BR_CACHE_OK : store(c, 0, items[i].key, items[i].val, items[i].len, items[i].ttl);
	return BR_CACHE_OK;
}

static int
get_head(const char *k, char *h, size_t cap)
{
	int n = snprintf(h, cap, "mg %s v\r\n", k);

	return n > 0 && (size_t)n < cap ? n : -1;
}

static int
del_head(const char *k, char *h, size_t cap)
{
	int n = snprintf(h, cap, "md %s\r\n", k);

	return n > 0 && (size_t)n < cap ? n : -1;
}

static br_cache_rc
mcache_get(void *backend, const char *key, char **val, size_t *len)
{
	struct mcache *c = backend;
	char k[KEY_CAP], h[HEAD_CAP];
	unsigned order[MAX_SERVERS], i, answered = 0;
	const char *last = NULL;
	struct req r;
	size_t kl;
	int hl;

	if (full_key(c, "memcached get", key, k, sizeof(k), &kl) < 0 || (hl = get_head(k, h, sizeof(h))) < 0)
		return mc_failed("memcached get", "key too long");
	server_order(c, k, kl, order);
	/* the copies first, then the rest: a key written while a server was away sits further down */
	for (i = 0; i < c->n; i++) {
		send_req(c, &r, order[i], h, (size_t)hl, NULL, 0);
		read_answers(&r, 1, 1);
		if (r.ans == MCW_HIT) {
			*val = r.val; /* NUL-terminated */
			*len = r.vlen;
			return BR_CACHE_OK;
		}
		if (r.ans == MCW_NO)
			answered++;
		else
			last = r.why;
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
 *
 * Three steps, each sent to all its servers at once: the gets; the delete
 * of the first copy in server order, which decides between takers that saw
 * the same copies (the loser stops there, so one of them wins); the
 * deletes of the other copies.
 */
static br_cache_rc
mcache_take(void *backend, const char *key, char **val, size_t *len)
{
	struct mcache *c = backend;
	char k[KEY_CAP], hg[HEAD_CAP], hd[HEAD_CAP];
	unsigned i, found[MAX_SERVERS], nfound = 0, nfailed = 0, deleted = 0, lost = 0;
	const char *last = NULL;
	struct req r[MAX_SERVERS];
	size_t kl;
	int lg, ld;

	*val = NULL;
	*len = 0;
	if (full_key(c, "memcached get", key, k, sizeof(k), &kl) < 0 || (lg = get_head(k, hg, sizeof(hg))) < 0 ||
	    (ld = del_head(k, hd, sizeof(hd))) < 0)
		return mc_failed("memcached get", "key too long");
	/* every server, whatever the replicas: a write that met a failed server went further down the order */
	for (i = 0; i < c->n; i++)
		send_req(c, &r[i], i, hg, (size_t)lg, NULL, 0);
	read_answers(r, c->n, 1);
	for (i = 0; i < c->n; i++) {
		if (r[i].ans == MCW_HIT) {
			found[nfound++] = i;
			if (nfound == 1) {
				*val = r[i].val;
				*len = r[i].vlen;
				r[i].val = NULL;
			}
		} else if (r[i].ans == MCW_FAIL) {
			nfailed++;
			last = r[i].why;
		}
		drop_value(&r[i].val, &r[i].vlen);
	}
	if (nfailed > 0) {
		/* a copy may sit on a server that did not answer: neither won nor gone */
		drop_value(val, len);
		return mc_failed("memcached get", last);
	}
	if (nfound == 0)
		return BR_CACHE_MISS;
	/*
	 * The first copy: not ours means another taker got there first and is
	 * left to delete the rest. A delete that fails stops us too (it may or
	 * may not have happened).
	 */
	send_req(c, &r[0], found[0], hd, (size_t)ld, NULL, 0);
	read_answers(r, 1, 0);
	if (r[0].ans == MCW_HIT) {
		deleted++;
		for (i = 1; i < nfound; i++)
			send_req(c, &r[i], found[i], hd, (size_t)ld, NULL, 0);
		read_answers(r + 1, nfound - 1, 0);
	} else {
		nfound = 1; /* the first answer decided: the rest were not sent */
	}
	for (i = 0; i < nfound; i++) {
		if (r[i].ans == MCW_HIT)
			deleted += i > 0;
		else if (r[i].ans == MCW_NO)
			lost = 1;
		else {
			nfailed++;
			last = r[i].why;
		}
	}
	if (deleted == nfound && !lost && nfailed == 0)
		return BR_CACHE_OK;
	drop_value(val, len);
	return nfailed > 0 ? mc_failed("memcached delete", last) : BR_CACHE_MISS;
}

/*
 * Delete on every server, all sent at once. Done (OK) only when every
 * server answered and one removed a copy; a server that did not answer may
 * keep one, so then the delete is unavailable (BR_CACHE_ERROR) even if
 * others removed theirs.
 */
static br_cache_rc
mcache_del(void *backend, const char *key)
{
	struct mcache *c = backend;
	char k[KEY_CAP], h[HEAD_CAP];
	unsigned i, nfailed = 0, deleted = 0;
	const char *last = NULL;
	struct req r[MAX_SERVERS];
	size_t kl;
	int hl;

	if (full_key(c, "memcached delete", key, k, sizeof(k), &kl) < 0 || (hl = del_head(k, h, sizeof(h))) < 0)
		return mc_failed("memcached delete", "key too long");
	for (i = 0; i < c->n; i++)
		send_req(c, &r[i], i, h, (size_t)hl, NULL, 0);
	read_answers(r, c->n, 0);
	for (i = 0; i < c->n; i++) {
		deleted += r[i].ans == MCW_HIT;
		if (r[i].ans == MCW_FAIL) {
			nfailed++;
			last = r[i].why;
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
	char k[KEY_CAP], h[HEAD_CAP], *end;
	unsigned order[MAX_SERVERS], i;
	const char *last = NULL;
	struct req r;
	size_t kl;
	int hl;

	if (full_key(c, "memcached incr", key, k, sizeof(k), &kl) < 0)
		return BR_CACHE_ERROR;
	/* N: created on a miss with the TTL, J: at 1; later increments keep the first expiry */
	hl = snprintf(h, sizeof(h), "ma %s N%u J1 v\r\n", k, ttl);
	if (hl < 0 || (size_t)hl >= sizeof(h))
		return mc_failed("memcached incr", "key too long");
	server_order(c, k, kl, order);
	/* counters live on one server: the first that answers */
	for (i = 0; i < c->n; i++) {
		send_req(c, &r, order[i], h, (size_t)hl, NULL, 0);
		read_answers(&r, 1, 1);
		if (r.ans == MCW_HIT && r.val != NULL) {
			errno = 0;
			*value = strtoull(r.val, &end, 10);
			if (errno == 0 && end != r.val && *end == '\0') {
				drop_value(&r.val, &r.vlen);
				return BR_CACHE_OK;
			}
			r.why = "not a counter";
		} else if (r.ans != MCW_FAIL) {
			r.why = "unexpected answer";
		}
		drop_value(&r.val, &r.vlen);
		last = r.why;
	}
	return mc_failed("memcached incr", last);
}

static int
mcache_check(void *backend, char *err, size_t errlen)
{
	struct mcache *c = backend;
	unsigned i;

	for (i = 0; i < c->n; i++) {
		/* a fresh connection per server: ours may be waiting out a retry */
		mcw_conn *t = malloc(sizeof(*t));
		const char *why = "out of memory";
		int ok = 0;

		if (t != NULL) {
			mcw_init(t, 0);
			ok = mcw_ready(t, c->srv[i].host, c->srv[i].port, c->tmo_ms, &why) == 0 &&
			    mcw_send(t, "mn\r\n", 4, NULL, 0, &why) == 0 && mcw_answer(t, NULL, NULL, &why) == MCW_HIT;
			mcw_close(t);
			free(t);
		}
		if (!ok) {
			snprintf(err, errlen, "memcached %s:%u: %s", c->srv[i].host, (unsigned)c->srv[i].port, why);
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
	.set_many = mcache_set_many,
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
